"""run_once: the one place that chains the stages.

store -> rules(as_of) -> digest -> render -> ledger row -> transport.send -> ledger update.
Every call is the same reconcile: plan what is due and not yet planned today, then send
everything in the ledger that is waiting. Running it twice in a day sends nothing new.
Planning goes in batches of recipients (scanned, routed and rendered in worker processes);
each batch is written to the ledger and handed to the senders while the next is planned,
so memory stays flat and a slow relay overlaps the CPU work.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import itertools
import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from reminder import ledger, sending
from reminder.calendar_days import non_sending_reason
from reminder.config import Settings
from reminder.db import analyze, make_engine, make_session_factory
from reminder.delivery import Transport, make_transport
from reminder.digest import Digest
from reminder.models import Run
from reminder.planning import Planner, RecipientBatch
from reminder.render import Renderer, build_message, message_id_for

Progress = Callable[[int, int], None]


@dataclass
class Hooks:
    """How a caller watches and steers a run: progress, lock keep-alive, and a stop request
    (SIGTERM) that ends the run after the messages in flight."""

    progress: Progress | None = None
    keepalive: Callable[[], None] | None = None
    should_stop: Callable[[], bool] | None = None


@dataclass
class RunReport:
    as_of: date
    dry_run: bool = False
    skipped_day: str | None = None
    planned: int = 0
    already_planned: int = 0
    sent: int = 0
    ambiguous: int = 0
    deferred: int = 0
    failed: int = 0
    recovered: int = 0
    by_reason: Counter[str] = field(default_factory=Counter)
    systemic_error: str | None = None
    interrupted: bool = False
    failures: list[dict[str, str]] = field(default_factory=list)
    would_send: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.systemic_error is None

    def as_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data.update(as_of=self.as_of.isoformat(), by_reason=dict(self.by_reason), ok=self.ok)
        return data

    def count(self, outcomes: list[ledger.Outcome], states: list[str]) -> None:
        for outcome, state in zip(outcomes, states, strict=True):
            if state in ("sent", "ambiguous", "deferred"):
                setattr(self, state, getattr(self, state) + 1)
            elif state == "failed":
                self.failed += 1
                self.failures.append(
                    {"recipient": outcome.row.recipient, "error": outcome.error or ""}
                )
            if outcome.kind == "released" and outcome.error is None:
                self.interrupted = True


def _planned(
    renderer: Renderer, settings: Settings, digest: Digest, now: datetime
) -> ledger.PlannedDigest:
    rendered = renderer.render(digest, digest.digest_day, now)
    message_id = message_id_for(digest.recipient.email, digest.digest_day, settings.sender)
    return ledger.PlannedDigest(
        recipient=digest.recipient.email,
        name=digest.recipient.name,
        day=digest.digest_day,
        message_id=message_id,
        subject=rendered.subject,
        locale=renderer.locale_for(digest.locale),
        counts=digest.counts,
        payload=build_message(rendered, digest, settings, message_id, now),
        items=[
            ledger.PlannedItem(i.action_id, i.finding.reason, i.finding.milestone)
            for i in digest.items
        ],
    )


# Planning a batch (SQL scan, rules, routing) and rendering it are CPU work in pure Python:
# with more than one batch of recipients they run in worker processes, each with its own
# database connection, while this process writes the ledger and sends.
PLANNING_PROCESSES = max(1, min(2, os.cpu_count() or 1))
_worker: dict[str, Any] = {}


@contextmanager
def fewer_collections() -> Iterator[None]:
    """A run allocates millions of short-lived objects that form no cycles; with the default
    thresholds the cyclic collector ran often enough to take 40% of planning. Collect
    rarely during the run, and put what exists before it out of the collector's way."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def _start_worker(settings: Settings, as_of: date) -> None:
    gc.set_threshold(100_000, 50, 100)  # see fewer_collections
    engine = make_engine(settings.database_url)
    atexit.register(engine.dispose)  # say goodbye to the server rather than just vanish
    session = make_session_factory(engine)()
    _worker.update(
        settings=settings,
        renderer=Renderer(settings),
        planner=Planner(session, settings, as_of),
    )
    session.rollback()


def _plan_batch(
    planner: Planner, renderer: Renderer, batch: RecipientBatch, now: datetime
) -> list[ledger.PlannedDigest]:
    try:
        digests = planner.digests(batch)
    finally:
        # Hold no read snapshot between batches: on SQLite an old snapshot stops the WAL
        # from being checkpointed while the ledger grows.
        planner.session.rollback()
    return [_planned(renderer, planner.settings, digest, now) for digest in digests]


def _plan_in_worker(batch: RecipientBatch, now: datetime) -> list[ledger.PlannedDigest]:
    return _plan_batch(_worker["planner"], _worker["renderer"], batch, now)


def _plan(
    session: Session,
    settings: Settings,
    report: RunReport,
    now: datetime,
    run_id: int | None,
    hooks: Hooks,
    send: Callable[[list[int]], None],
) -> None:
    """Plan every recipient's digest, batch by batch; each stored batch goes to `send`."""
    planner = Planner(session, settings, report.as_of)
    already = ledger.recipients_with_digest(session, report.as_of)
    report.already_planned = len(already & planner.audience.emails)
    batches = planner.batches(already)
    first = next(batches, None)
    if first is None:
        return
    second = next(batches, None)

    analyzed_at = [0]

    def store(planned: list[ledger.PlannedDigest]) -> None:
        ids = ledger.plan(session, planned, now, run_id)
        if report.planned + len(planned) >= max(2 * analyzed_at[0], 1000):
            # The reminder log's foreign-key checks look up the ledger rows this run adds
            # (see db.analyze): refresh the ledger's statistics each time it doubles.
            analyze(session, ("deliveries",))
            analyzed_at[0] = report.planned + len(planned)
        session.commit()  # written before any SMTP traffic (docs/architecture.md, "Delivery")
        report.planned += len(planned)
        for digest in planned:
            report.by_reason.update(digest.counts)
        if hooks.keepalive:
            hooks.keepalive()
        send(ids)

    if second is None:  # one batch: no worker processes to start
        store(_plan_batch(planner, Renderer(settings), first, now))
        return
    context = multiprocessing.get_context("spawn")  # no fork of a process holding connections
    with ProcessPoolExecutor(
        PLANNING_PROCESSES,
        mp_context=context,
        initializer=_start_worker,
        initargs=(settings, report.as_of),
    ) as pool:
        pending: deque[Future[list[ledger.PlannedDigest]]] = deque()
        for batch in itertools.chain((first, second), batches):
            pending.append(pool.submit(_plan_in_worker, batch, now))
            while len(pending) > PLANNING_PROCESSES:
                store(pending.popleft().result())
        while pending:
            store(pending.popleft().result())


def _dry_run(session: Session, settings: Settings, report: RunReport) -> None:
    planner = Planner(session, settings, report.as_of)
    already = ledger.recipients_with_digest(session, report.as_of)
    for batch in planner.batches(already):
        for digest in planner.digests(batch):
            report.would_send.append(summary(digest))
            report.by_reason.update(digest.counts)
    session.rollback()


def run_once(
    settings: Settings,
    sessions: sessionmaker[Session],
    as_of: date,
    clock: Callable[[], datetime],
    *,
    dry_run: bool = False,
    trigger: str = "run-once",
    hooks: Hooks | None = None,
    plan_digests: bool = True,
    transports: Callable[[Settings], Transport] = make_transport,
) -> RunReport:
    """Plan today's digests and send everything waiting; the result says what happened.
    With plan_digests=False only what is already waiting (retries) is sent."""
    hooks = hooks or Hooks()
    report = RunReport(as_of=as_of, dry_run=dry_run)
    report.skipped_day = non_sending_reason(settings, as_of)
    with fewer_collections(), sessions() as session:
        if dry_run:
            if not report.skipped_day:
                _dry_run(session, settings, report)
            return report
        run = Run(started_at=clock(), as_of=as_of, trigger=trigger)
        session.add(run)
        session.commit()
        pool = sending.TransportPool(settings, transports)
        dispatcher: sending.Dispatcher | None = None
        try:
            if not report.skipped_day:
                report.recovered = ledger.recover_orphans(session, clock())
                sent_so_far = [0]

                def on_batch(outcomes: list[ledger.Outcome], states: list[str]) -> None:
                    report.count(outcomes, states)
                    sent_so_far[0] += len(outcomes)
                    if hooks.progress:
                        hooks.progress(sent_so_far[0], report.planned or sent_so_far[0])

                dispatcher = sending.Dispatcher(
                    session,
                    settings,
                    clock,
                    pool,
                    on_batch=on_batch,
                    should_stop=hooks.should_stop or (lambda: False),
                    keepalive=hooks.keepalive or (lambda: None),
                )
                if plan_digests:
                    _plan(session, settings, report, clock(), run.id, hooks, dispatcher.send)
                systemic = sending.deliver(dispatcher)
                report.systemic_error = str(systemic) if systemic else None
        except BaseException:
            # Record that this run ended badly (what it planned is safely in the ledger), and
            # what the batches already out did, so they are not resent as ambiguous later.
            session.rollback()
            if dispatcher is not None:
                with contextlib.suppress(Exception):
                    dispatcher.drain()
            pool.close()
            run.finished_at, run.outcome, run.report = clock(), "error", report.as_dict()
            session.commit()
            raise
        pool.close()
        run.finished_at = clock()
        run.outcome = "ok" if report.ok else ("stopped" if report.systemic_error else "failures")
        if report.interrupted:
            run.outcome = "interrupted"
        run.report = report.as_dict()
        session.commit()
    return report


def summary(digest: Digest) -> dict[str, Any]:
    return {
        "recipient": digest.recipient.email,
        "name": digest.recipient.name,
        "locale": digest.locale,
        "counts": digest.counts,
        "parties": digest.party_names,
    }
