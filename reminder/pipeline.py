"""The reminder run, read top to bottom: plan a batch of digests, write it to the ledger, send
it, record each outcome; repeat. (docs/architecture.md draws it.)

store -> rules(as_of) -> routing -> digest -> compose (render + MIME) -> ledger -> transport
-> ledger. Every call is the same reconcile: first what is already waiting (retries, rows a
stopped run left pending), then what is due today and not yet planned. Running it twice in a
day sends nothing new. `send_waiting` is the retry-only run, `dry_run` the one that writes
nothing. Planning happens in worker processes (`planning_workers`) while this process writes
the ledger and serves the sender threads (`sending`).
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from reminder import ledger
from reminder.calendar_days import non_sending_reason
from reminder.config import Settings
from reminder.db import analyze
from reminder.delivery import Transport, make_transport
from reminder.digest import Digest
from reminder.models import Run
from reminder.planning import DigestFinder
from reminder.planning_workers import planned_batches
from reminder.progress import SILENT, Progress
from reminder.sending import Sender

# Retries are loaded and queued this many rows at a time (their messages are in memory).
RETRY_CHUNK = 200
# On SQLite a planned batch (200 recipients) is written this many digests per transaction.
WRITE_CHUNK = 50


@dataclass
class Hooks:
    """How a caller watches and steers a run: progress bars, the lock's keep-alive, and a stop
    request (SIGTERM) that ends the run after the messages in flight."""

    planning: Progress = SILENT
    sending: Progress = SILENT
    keepalive: Callable[[], None] = lambda: None
    should_stop: Callable[[], bool] = lambda: False


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

    def add_planned(self, planned: list[ledger.PlannedDigest]) -> None:
        self.planned += len(planned)
        for digest in planned:
            self.by_reason.update(digest.counts)
            if digest.error is not None:  # born failed: its message could not be built
                self.failed += 1
                self.failures.append({"recipient": digest.recipient, "error": digest.error})

    def add_outcome(self, outcome: ledger.Outcome, state: str) -> None:
        if state in ("sent", "ambiguous", "deferred"):
            setattr(self, state, getattr(self, state) + 1)
        elif state == "failed":
            self.failed += 1
            self.failures.append({"recipient": outcome.row.recipient, "error": outcome.error or ""})


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


def run_once(
    settings: Settings,
    sessions: sessionmaker[Session],
    as_of: date,
    clock: Callable[[], datetime],
    *,
    trigger: str = "run-once",
    hooks: Hooks | None = None,
    transports: Callable[[Settings], Transport] = make_transport,
) -> RunReport:
    """Send what is waiting, then plan today's digests and send them; the report says what
    happened."""
    return _recorded_run(
        settings, sessions, as_of, clock, trigger, hooks or Hooks(), transports, True
    )


def send_waiting(
    settings: Settings,
    sessions: sessionmaker[Session],
    as_of: date,
    clock: Callable[[], datetime],
    *,
    trigger: str = "retry",
    hooks: Hooks | None = None,
    transports: Callable[[Settings], Transport] = make_transport,
) -> RunReport:
    """Send only what is already waiting in the ledger (the daemon's retry job)."""
    return _recorded_run(
        settings, sessions, as_of, clock, trigger, hooks or Hooks(), transports, False
    )


def dry_run(settings: Settings, sessions: sessionmaker[Session], as_of: date) -> RunReport:
    """Who would receive what on `as_of`; writes nothing, so it needs no lock."""
    report = RunReport(as_of=as_of, dry_run=True, skipped_day=non_sending_reason(settings, as_of))
    if report.skipped_day:
        return report
    with fewer_collections(), sessions() as session:
        finder = DigestFinder(session, settings, as_of)
        already = ledger.recipients_with_digest(session, as_of)
        for batch in finder.recipient_batches(already):
            for digest in finder.digests(batch):
                report.would_send.append(summary(digest))
                report.by_reason.update(digest.counts)
        session.rollback()
    return report


def _recorded_run(
    settings: Settings,
    sessions: sessionmaker[Session],
    as_of: date,
    clock: Callable[[], datetime],
    trigger: str,
    hooks: Hooks,
    transports: Callable[[Settings], Transport],
    plan_today: bool,
) -> RunReport:
    """A run with its `runs` row: outcome ok, failures, stopped (systemic), interrupted, error."""
    report = RunReport(as_of=as_of, skipped_day=non_sending_reason(settings, as_of))
    with fewer_collections(), sessions() as session:
        run = Run(started_at=clock(), as_of=as_of, trigger=trigger)
        session.add(run)
        session.commit()
        try:
            if not report.skipped_day:
                _send_and_plan(
                    session, settings, report, clock, hooks, transports, run.id, plan_today
                )
        except BaseException:
            # Record that this run ended badly; what it planned is safely in the ledger, and
            # every outcome that came back is recorded.
            session.rollback()
            run.finished_at, run.outcome, run.report = clock(), "error", report.as_dict()
            session.commit()
            raise
        run.finished_at = clock()
        run.outcome = "ok" if report.ok else ("stopped" if report.systemic_error else "failures")
        if report.interrupted:
            run.outcome = "interrupted"
        run.report = report.as_dict()
        session.commit()
    return report


def _send_and_plan(
    session: Session,
    settings: Settings,
    report: RunReport,
    clock: Callable[[], datetime],
    hooks: Hooks,
    transports: Callable[[Settings], Transport],
    run_id: int,
    plan_today: bool,
) -> None:
    """The loop: waiting rows first, then plan a batch -> ledger -> send -> record, repeated."""
    report.recovered = ledger.recover_orphans(session, clock())

    def recorded(outcome: ledger.Outcome, state: str) -> None:
        report.add_outcome(outcome, state)
        hooks.sending.advance()

    sender = Sender(session, settings, clock, transports, recorded, hooks.should_stop)
    sender.keepalive = hooks.keepalive
    try:
        waiting = ledger.waiting_ids(session, clock())
        hooks.sending.grow(len(waiting))
        for start in range(0, len(waiting), RETRY_CHUNK):
            if sender.stopped:
                break
            sender.send(ledger.load_queued(session, waiting[start : start + RETRY_CHUNK]))
            hooks.keepalive()
        if plan_today and not hooks.should_stop():
            _plan_and_send(session, settings, report, clock(), run_id, hooks, sender, len(waiting))
        sender.finish()
    except BaseException:
        session.rollback()
        sender.abort()
        raise
    report.systemic_error = str(sender.systemic) if sender.systemic else None
    report.interrupted = hooks.should_stop()


def _plan_and_send(
    session: Session,
    settings: Settings,
    report: RunReport,
    now: datetime,
    run_id: int,
    hooks: Hooks,
    sender: Sender,
    queued: int,
) -> None:
    """Plan batch after batch, each written to the ledger and handed to the sender."""
    finder = DigestFinder(session, settings, report.as_of)
    already = ledger.recipients_with_digest(session, report.as_of)
    report.already_planned = len(already & finder.audience.emails)
    session.rollback()
    hooks.planning.grow(len(finder.audience.emails - already))
    analyzed_at = 0
    # Senders that wait on a relay's round trips need a turn now and then, and each would
    # wait out a whole batch's write; the outbox's sender needs one all the time and gains
    # nothing from the extra commits.
    in_parts = sender.writer.exclusive and settings.transport == "smtp"
    for recipients, planned in planned_batches(finder, settings, already, now, sender.wait_for):
        for part in _write_parts(planned, in_parts):
            with sender.writer.writing():
                rows = ledger.enqueue(session, part, now, run_id)
                if report.planned + len(part) >= max(2 * analyzed_at, 1000):
                    # The reminder log's foreign-key checks look up the ledger rows this run
                    # adds (see db.analyze): refresh the ledger's statistics as it doubles.
                    analyze(session, ("deliveries",))
                    analyzed_at = report.planned + len(part)
                session.commit()  # before any SMTP traffic (docs/architecture.md, "Delivery")
            sender.writer.answer_waiting()  # the senders that waited meanwhile go first
            report.add_planned(part)
            queued += len(rows)
            hooks.sending.grow(queued)
            sender.send(rows)
        sender.writer.checkpoint()
        hooks.planning.advance(recipients)
        hooks.keepalive()
        if hooks.should_stop():
            break  # what is planned is in the ledger; the next run plans the rest


def _write_parts(
    planned: list[ledger.PlannedDigest], in_parts: bool
) -> list[list[ledger.PlannedDigest]]:
    """A planned batch in the transactions it is written in: on SQLite, where every
    message's claim waits while the run's thread writes, WRITE_CHUNK digests at a time for
    SMTP senders (the relay run: 4 connections, 29.1 -> 28.7 s)."""
    if not in_parts or len(planned) <= WRITE_CHUNK:
        return [planned]
    return [planned[i : i + WRITE_CHUNK] for i in range(0, len(planned), WRITE_CHUNK)]


def summary(digest: Digest) -> dict[str, Any]:
    return {
        "recipient": digest.recipient.email,
        "name": digest.recipient.name,
        "locale": digest.locale,
        "counts": digest.counts,
        "parties": digest.party_names,
    }
