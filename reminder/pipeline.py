"""run_once: the one place that chains the stages.

store -> rules(as_of) -> digest -> render -> ledger row -> transport.send -> ledger update.
Every call is the same reconcile: plan what is due and not yet planned today, then send
everything in the ledger that is waiting. Running it twice in a day sends nothing new.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from reminder import ledger, store
from reminder.calendar_days import non_sending_reason
from reminder.config import Settings
from reminder.delivery.base import Envelope, Transport
from reminder.digest import Digest, DigestCollector
from reminder.errors import DeliveryError
from reminder.models import Run
from reminder.render import Renderer, build_message, message_id_for
from reminder.routing import escalation_recipients, responsible_recipients
from reminder.rules import NOTHING_TOLD, condition, escalation_of, is_due

Progress = Callable[[int, int], None]


@dataclass
class Hooks:
    """How a caller watches and steers a run: progress, lock keep-alive, and a stop request
    (SIGTERM) that ends the run after the message in flight."""

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


def collect_digests(session: Session, settings: Settings, as_of: date) -> list[Digest]:
    """Every digest due on `as_of`, from the current actions, directory and history."""
    policy = settings.policy
    directory = store.directory_snapshot(session)
    window = max(
        policy.overdue_repeat_days,
        policy.stale_repeat_days,
        policy.no_deadline_repeat_days,
        *policy.due_soon_days,
        1,
    )
    history = store.reminder_history(session, as_of - timedelta(days=window + 1))
    collector = DigestCollector(directory, settings.default_locale, as_of)
    for action in store.actions(session, open_only=True):
        finding = condition(action, as_of, policy)
        if finding is None:
            continue
        for recipient in responsible_recipients(directory, action.responsible, as_of):
            told = history.get((action.id, recipient.person.email), NOTHING_TOLD)
            if is_due(finding, told, as_of, policy):
                collector.add(recipient, finding)
        escalation = escalation_of(finding)
        if escalation is None:
            continue
        for recipient in escalation_recipients(
            directory, action.responsible, escalation.milestone or 0, settings.evaluation_office
        ):
            told = history.get((action.id, recipient.person.email), NOTHING_TOLD)
            if is_due(escalation, told, as_of, policy):
                collector.add(recipient, escalation)
    return collector.digests()


def _plan(
    session: Session,
    settings: Settings,
    digests: list[Digest],
    report: RunReport,
    now: datetime,
    run_id: int | None,
) -> None:
    renderer = Renderer(settings)
    already = ledger.recipients_with_digest(session, report.as_of)
    for digest in digests:
        if digest.recipient.email in already:
            report.already_planned += 1
            continue
        rendered = renderer.render(digest, report.as_of)
        message_id = message_id_for(digest.recipient.email, digest.digest_day, settings.sender)
        message = build_message(rendered, digest, settings, message_id, now)
        ledger.plan(
            session,
            recipient=digest.recipient.email,
            name=digest.recipient.name,
            day=digest.digest_day,
            message_id=message_id,
            subject=rendered.subject,
            locale=renderer.locale_for(digest.locale),
            counts=digest.counts,
            payload=message.as_string(),
            items=[
                ledger.PlannedItem(i.action_id, i.finding.reason, i.finding.milestone)
                for i in digest.items
            ],
            now=now,
            run_id=run_id,
        )
        report.planned += 1
        report.by_reason.update(digest.counts)
    session.commit()


def _deliver(
    session: Session,
    settings: Settings,
    transport: Transport,
    report: RunReport,
    clock: Callable[[], datetime],
    hooks: Hooks,
) -> None:
    max_age = timedelta(hours=settings.retry_max_age_hours)
    sender = settings.sender_address
    waiting = ledger.due_for_sending(session, clock())
    try:
        for index, delivery_id in enumerate(waiting, start=1):
            if hooks.should_stop and hooks.should_stop():
                report.interrupted = True
                return
            if hooks.keepalive:
                hooks.keepalive()
            row = ledger.claim(session, delivery_id, clock())
            if row is None:
                continue  # another run claimed it
            envelope = Envelope(
                sender,
                row.recipient,
                row.message_id,
                row.digest_day.isoformat(),
                row.payload.encode("ascii"),
            )
            try:
                transport.send(envelope)
            except DeliveryError as exc:
                if exc.systemic:
                    ledger.release(session, row, str(exc), clock())
                    report.systemic_error = str(exc)
                    return
                if exc.permanent:
                    ledger.mark_failed(session, row, str(exc), clock())
                    report.failed += 1
                    report.failures.append({"recipient": row.recipient, "error": str(exc)})
                else:
                    state = ledger.mark_deferred(
                        session, row, str(exc), clock(), max_age, exc.maybe_delivered
                    )
                    report.failed += state == "failed"
                    report.deferred += state == "deferred"
                continue
            state = ledger.mark_sent(session, row, clock())
            report.sent += state == "sent"
            report.ambiguous += state == "ambiguous"
            if hooks.progress:
                hooks.progress(index, len(waiting))
    finally:
        transport.close()


def run_once(
    settings: Settings,
    sessions: sessionmaker[Session],
    transport: Transport,
    as_of: date,
    clock: Callable[[], datetime],
    *,
    dry_run: bool = False,
    trigger: str = "run-once",
    hooks: Hooks | None = None,
    plan_digests: bool = True,
) -> RunReport:
    """Plan today's digests and send everything waiting; the result says what happened.
    With plan_digests=False only what is already waiting (retries) is sent."""
    hooks = hooks or Hooks()
    report = RunReport(as_of=as_of, dry_run=dry_run)
    report.skipped_day = non_sending_reason(settings, as_of)
    with sessions() as session:
        if dry_run:
            if not report.skipped_day:
                already = ledger.recipients_with_digest(session, as_of)
                for digest in collect_digests(session, settings, as_of):
                    if digest.recipient.email not in already:
                        report.would_send.append(_summary(digest))
                        report.by_reason.update(digest.counts)
            session.rollback()
            return report
        run = Run(started_at=clock(), as_of=as_of, trigger=trigger)
        session.add(run)
        session.commit()
        try:
            if not report.skipped_day:
                report.recovered = ledger.recover_orphans(session, clock())
                if plan_digests:
                    digests = collect_digests(session, settings, as_of)
                    _plan(session, settings, digests, report, clock(), run.id)
                _deliver(session, settings, transport, report, clock, hooks)
        except BaseException:
            # Record that this run ended badly (what it planned is safely in the ledger).
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


def _summary(digest: Digest) -> dict[str, Any]:
    return {
        "recipient": digest.recipient.email,
        "name": digest.recipient.name,
        "locale": digest.locale,
        "counts": digest.counts,
        "parties": digest.party_names,
    }
