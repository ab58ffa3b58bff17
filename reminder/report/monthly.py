"""The monthly report email, as a reconcile like the digests' run: from the month's first
sending day on, plan one ledger row per recipient for the month (written before any SMTP
traffic), then send what is waiting and record each outcome (docs/architecture.md,
"Delivery"). Calling it again sends nothing new; a deferred message is retried by later calls
and by digest runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.utils import parseaddr

from sqlalchemy import Engine, and_, func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from reminder import ledger
from reminder.calendar_days import non_sending_reason
from reminder.config import Settings
from reminder.db import make_session_factory
from reminder.delivery import Transport, make_transport
from reminder.errors import ConfigError
from reminder.lock import RunLockHandle
from reminder.models import Delivery, DeliveryMessage, FocalPoint, Party, table
from reminder.report.figures import build_report
from reminder.report.language import spoken
from reminder.report.message import (
    ReportContent,
    report_content,
    report_message,
    report_message_id,
)
from reminder.sending import Sender


def first_sending_day(settings: Settings, month: date) -> date:
    day = month.replace(day=1)
    while day.month == month.month:
        if non_sending_reason(settings, day) is None:
            return day
        day += timedelta(days=1)
    raise ConfigError(f"workdays (REMINDER_WORKDAYS): no sending day in {month:%B %Y}")


def recipients(settings: Settings) -> list[tuple[str, str]]:
    """(name, address) of the evaluation office and of report_recipients, each once."""
    found: dict[str, str] = {}
    for entry in [settings.evaluation_office or "", *settings.report_recipients]:
        name, address = parseaddr(entry)
        if address and address.lower() not in found:
            found[address.lower()] = name
    return [(name, address) for address, name in found.items()]


def directory_locales(session: Session, addresses: list[str]) -> dict[str, str]:
    """The locale the directory knows for each of the (lower-case) addresses that are focal
    points: a focal point's own, else its party's; with several entries, the first by id
    that has one. Addresses the directory does not know, or knows no locale for, are left out."""
    rows = session.execute(
        select(func.lower(FocalPoint.email), FocalPoint.locale, Party.default_locale)
        .join(Party, Party.id == FocalPoint.party_id)
        .where(func.lower(FocalPoint.email).in_(addresses))
        .order_by(FocalPoint.id)
    ).all()
    found: dict[str, str] = {}
    for email, own, _ in rows:
        if own and email not in found:
            found[email] = own
    for email, _, party in rows:
        if party and email not in found:
            found[email] = party
    return found


@dataclass
class MonthlyOutcome:
    month: date
    due_from: date
    planned: int = 0
    already: int = 0
    states: dict[str, int] = field(default_factory=dict)
    skipped: str | None = None
    lock_held: bool = False
    systemic_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.systemic_error is None and not self.states.get("failed")

    def summary(self) -> str:
        head = f"Monthly report for {self.month:%Y-%m}"
        if self.skipped:
            return f"{head}: {self.skipped}."
        sent = ", ".join(f"{n} {state}" for state, n in sorted(self.states.items())) or "none"
        tail = f"; stopped: {self.systemic_error}" if self.systemic_error else ""
        return (
            f"{head}: planned {self.planned}, already planned {self.already}; sent: {sent}{tail}."
        )


def _plan(
    session: Session, settings: Settings, today: date, outcome: MonthlyOutcome, now: datetime
) -> None:
    """Ledger rows for the recipients without one this month; the report is built only then."""
    month = outcome.month
    query = select(Delivery.recipient).where(
        Delivery.kind == "report", Delivery.digest_day == month
    )
    have = set(session.scalars(query))
    todo = [(n, a) for n, a in recipients(settings) if a.lower() not in have]
    outcome.already = len(have)
    if not todo:
        return
    previous_month = (month - timedelta(days=1)).replace(day=1)
    report = build_report(session.get_bind().engine, today, settings.zone, previous_month)
    wanted = directory_locales(session, [address.lower() for _, address in todo])
    contents: dict[str, ReportContent] = {}  # rendered once per language
    for name, address in todo:
        own = wanted.get(address.lower()) or settings.default_locale
        locale = spoken(own, settings.locale_dir)
        if locale not in contents:
            contents[locale] = report_content(report, month, locale, settings.locale_dir)
        content = contents[locale]
        message_id = report_message_id(address.lower(), month, settings.sender_address)
        payload = report_message(content, address, name, settings, message_id, now)
        row = _ledger_row(address.lower(), name, month, message_id, content.subject, now)
        row["locale"] = locale  # what the message was written in
        if _store(session, row, payload):
            outcome.planned += 1


def _ledger_row(
    recipient: str, name: str, month: date, message_id: str, subject: str, now: datetime
) -> dict[str, object]:
    return {
        "recipient": recipient,
        "recipient_name": name or None,
        "digest_day": month,
        "kind": "report",
        "message_id": message_id,
        "subject": subject,
        "locale": "en",
        "counts": {},
        "status": "pending",
        "attempts": 0,
        "maybe_delivered": False,
        "created_at": now,
        "updated_at": now,
    }


def _store(session: Session, row: dict[str, object], payload: str) -> bool:
    """Write the row and its message, committed before any SMTP traffic; False when another
    process planned the same (recipient, month) first and the unique key held."""
    try:
        row_id = session.execute(insert(table(Delivery)).returning(Delivery.id), [row]).scalar_one()
        session.execute(
            insert(table(DeliveryMessage)), [{"delivery_id": row_id, "payload": payload}]
        )
        session.commit()
    except IntegrityError:
        session.rollback()
        if _planned(session, str(row["recipient"]), row["digest_day"]):  # type: ignore[arg-type]
            return False
        raise
    return True


def _planned(session: Session, recipient: str, month: date) -> bool:
    query = select(Delivery.id).where(
        Delivery.kind == "report", Delivery.digest_day == month, Delivery.recipient == recipient
    )
    return session.scalar(query) is not None


def _waiting(session: Session, month: date, now: datetime) -> list[int]:
    query = (
        select(Delivery.id)
        .where(
            Delivery.kind == "report",
            Delivery.digest_day == month,
            or_(
                Delivery.status == "pending",
                and_(Delivery.status == "deferred", Delivery.next_attempt_at <= now),
            ),
        )
        .order_by(Delivery.id)
    )
    return list(session.scalars(query))


def _send(
    session: Session,
    settings: Settings,
    clock: Callable[[], datetime],
    outcome: MonthlyOutcome,
    transports: Callable[[Settings], Transport],
    keepalive: Callable[[], None],
) -> None:
    """Send the month's waiting rows like the digests' run: claimed one at a time, each
    outcome recorded as it comes back."""

    def recorded(result: ledger.Outcome, state: str) -> None:
        outcome.states[state] = outcome.states.get(state, 0) + 1

    sender = Sender(session, settings, clock, transports, recorded)
    sender.keepalive = keepalive
    try:
        sender.send(ledger.load_queued(session, _waiting(session, outcome.month, clock())))
        sender.finish()
    except BaseException:
        session.rollback()
        sender.abort()
        raise
    if sender.systemic is not None:
        outcome.systemic_error = str(sender.systemic)


def send_monthly_report(
    settings: Settings,
    engine: Engine,
    today: date,
    clock: Callable[[], datetime],
    transports: Callable[[Settings], Transport] = make_transport,
) -> MonthlyOutcome:
    """This month's report to every recipient who has not had it, once the month's first
    sending day (in the configured zone) has come."""
    month = today.replace(day=1)
    outcome = MonthlyOutcome(month, first_sending_day(settings, month))
    if today < outcome.due_from:
        outcome.skipped = f"not due before {outcome.due_from}, the month's first sending day"
        return outcome
    if not recipients(settings):
        outcome.skipped = "no recipients (set evaluation_office or report_recipients)"
        return outcome
    lock = RunLockHandle(engine, clock)
    if not lock.acquire():
        outcome.skipped = "another run holds the lock; the next call catches up"
        outcome.lock_held = True
        return outcome
    try:
        with make_session_factory(engine)() as session:
            ledger.recover_orphans(session, clock())
            _plan(session, settings, today, outcome, clock())
            lock.renew()  # building the report can take a while
            _send(session, settings, clock, outcome, transports, lock.renew)
    finally:
        lock.release()
    return outcome
