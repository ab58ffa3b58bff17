"""Whether the reminders work, over a period: for the actions reminded in it, the share
updated within 14 and within 30 days of their first reminder there; the median days from an
action's first overdue reminder to its completion; the focal points reminded three or more
times with no update since; and escalations by party.

A reminder is a line of the reminder log whose message was sent (or ambiguously sent); its
moment is the message's `sent_at`. An update is a row of `action_updates` from the desk
(`web`), the office or an import that changes the status or carries a comment.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from reminder.models import (
    ActionUpdate,
    Delivery,
    FocalPoint,
    Party,
    ReminderLog,
    UTCDateTime,
    key_action_parties,
)
from reminder.report.counting import rate
from reminder.report.sqltime import days_between, end_of_day

UPDATE_SOURCES = ("web", "office", "import")
SENT = ("sent", "ambiguous")
SILENT_AFTER = 3


@dataclass(frozen=True)
class Period:
    since: date
    as_of: date
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        return end_of_day(self.since - timedelta(days=1), self.zone)

    @property
    def end(self) -> datetime:
        return end_of_day(self.as_of, self.zone)


@dataclass(frozen=True)
class SilentFocalPoint:
    email: str
    name: str | None
    parties: list[str]
    reminders: int


@dataclass(frozen=True)
class Escalations:
    party: str | None
    name: str
    actions: int
    notices: int


@dataclass(frozen=True)
class Responsiveness:
    reminded_actions: int
    # (updated, reminded at least N days before as_of) for N = 14 and 30.
    within_14: tuple[int, int]
    within_30: tuple[int, int]
    days_to_completion: list[float]
    silent: list[SilentFocalPoint]
    escalations: list[Escalations]

    @property
    def median_days_to_completion(self) -> float | None:
        days = self.days_to_completion
        return round(statistics.median(days), 1) if days else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "reminded_actions": self.reminded_actions,
            "updated_within_14_days": rate(*self.within_14),
            "updated_within_30_days": rate(*self.within_30),
            "median_days_to_completion": self.median_days_to_completion,
            "completed_after_overdue_reminder": len(self.days_to_completion),
            "silent_focal_points": [
                {"email": s.email, "name": s.name, "parties": s.parties, "reminders": s.reminders}
                for s in self.silent
            ],
        }


# (reminded actions, (updated within 14 days, had 14 days), (within 30, had 30)).
Within = tuple[int, tuple[int, int], tuple[int, int]]


def _sent_reminders(period: Period) -> Any:
    """Reminder-log lines of the period whose message went out: (action, recipient, reason,
    sent_at)."""
    return (
        select(
            ReminderLog.key_action_id, ReminderLog.recipient, ReminderLog.reason, Delivery.sent_at
        )
        .join(Delivery, Delivery.id == ReminderLog.delivery_id)
        .where(
            ReminderLog.digest_day >= period.since,
            ReminderLog.digest_day <= period.as_of,
            Delivery.status.in_(SENT),
        )
    )


def _is_update() -> ColumnElement[bool]:
    u = ActionUpdate
    return and_(
        u.source.in_(UPDATE_SOURCES), or_(u.new_status.is_not(None), u.comment.is_not(None))
    )


def _at(instant: datetime) -> ColumnElement[datetime]:
    return literal(instant, UTCDateTime())


def updated_within(session: Session, period: Period) -> Within:
    lines = _sent_reminders(period).subquery()
    first = (
        select(lines.c.key_action_id.label("action_id"), func.min(lines.c.sent_at).label("at"))
        .group_by(lines.c.key_action_id)
        .subquery()
    )
    u = ActionUpdate
    updated = (
        select(first.c.action_id, first.c.at, func.min(u.recorded_at).label("updated_at"))
        .select_from(first)
        .outerjoin(
            u, and_(u.key_action_id == first.c.action_id, u.recorded_at > first.c.at, _is_update())
        )
        .group_by(first.c.action_id, first.c.at)
        .subquery()
    )
    lag = days_between(updated.c.at, updated.c.updated_at)
    columns: list[ColumnElement[Any]] = [func.count()]
    for days in (14, 30):
        # Only reminders that have had the whole window by as_of count.
        had_time = updated.c.at <= _at(period.end - timedelta(days=days))
        columns.append(func.coalesce(func.sum(case((had_time, 1), else_=0)), 0))
        answered = and_(had_time, updated.c.updated_at.is_not(None), lag <= days)
        columns.append(func.coalesce(func.sum(case((answered, 1), else_=0)), 0))
    reminded, had14, in14, had30, in30 = session.execute(select(*columns)).one()
    return int(reminded), (int(in14), int(had14)), (int(in30), int(had30))


def days_to_completion(session: Session, period: Period) -> list[float]:
    """For actions completed in the period after an overdue reminder: days from the first
    overdue (or escalation) reminder ever sent to the completion."""
    u = ActionUpdate
    completed = (
        select(u.key_action_id.label("action_id"), func.min(u.recorded_at).label("done_at"))
        .where(
            u.new_status == "completed",
            u.recorded_at >= _at(period.start),
            u.recorded_at < _at(period.end),
        )
        .group_by(u.key_action_id)
        .subquery()
    )
    # Looked up per completed action (an index search each), not grouped over the whole log.
    first_overdue = (
        select(func.min(Delivery.sent_at))
        .select_from(ReminderLog)
        .join(Delivery, Delivery.id == ReminderLog.delivery_id)
        .where(
            ReminderLog.key_action_id == completed.c.action_id,
            ReminderLog.reason.in_(("overdue", "escalation")),
            Delivery.status.in_(SENT),
        )
        .scalar_subquery()
    )
    firsts = select(completed.c.done_at, first_overdue.label("at")).subquery()
    query = select(days_between(firsts.c.at, firsts.c.done_at)).where(
        firsts.c.at < firsts.c.done_at
    )
    return [float(days) for days in session.scalars(query)]


def silent_focal_points(session: Session, period: Period) -> list[SilentFocalPoint]:
    digests = (
        select(
            Delivery.recipient,
            func.max(Delivery.recipient_name).label("name"),
            func.count().label("reminders"),
            func.min(Delivery.sent_at).label("first_at"),
        )
        .where(
            Delivery.kind == "digest",
            Delivery.status.in_(SENT),
            Delivery.digest_day >= period.since,
            Delivery.digest_day <= period.as_of,
        )
        .group_by(Delivery.recipient)
        .having(func.count() >= SILENT_AFTER)
        .subquery()
    )
    u = ActionUpdate
    answered = exists().where(
        ReminderLog.recipient == digests.c.recipient,
        ReminderLog.digest_day >= period.since,
        ReminderLog.digest_day <= period.as_of,
        u.key_action_id == ReminderLog.key_action_id,
        u.recorded_at > digests.c.first_at,
        _is_update(),
    )
    rows = session.execute(
        select(digests.c.recipient, digests.c.name, digests.c.reminders)
        .where(~answered)
        .order_by(digests.c.reminders.desc(), digests.c.recipient)
    ).all()
    emails = [row[0] for row in rows]
    names, parties = _directory(session, emails) if rows else ({}, {})
    # The ledger's name is what the person was addressed as; the directory's fills a gap.
    return [SilentFocalPoint(e, n or names.get(e), parties.get(e, []), int(c)) for e, n, c in rows]


def _directory(session: Session, emails: list[str]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Each address's name and the names of its parties, from the directory."""
    names: dict[str, str] = {}
    parties: dict[str, list[str]] = {}
    found = session.execute(
        select(FocalPoint.email, FocalPoint.name, Party.name)
        .join(Party, Party.id == FocalPoint.party_id)
        .where(FocalPoint.email.in_(emails))
        .order_by(Party.name, FocalPoint.id)
    )
    for email, person, party in found:
        names.setdefault(email, person)
        if party not in parties.setdefault(email, []):
            parties[email].append(party)
    return names, parties


def escalations(session: Session, period: Period) -> list[Escalations]:
    """Escalation notices sent in the period, by each responsible party of the action."""
    lines = _sent_reminders(period).where(ReminderLog.reason == "escalation").subquery()
    link = key_action_parties
    query = (
        select(
            Party.code,
            Party.name,
            func.count(func.distinct(lines.c.key_action_id)),
            func.count(),
        )
        .select_from(lines)
        .join(link, link.c.key_action_id == lines.c.key_action_id)
        .join(Party, Party.id == link.c.party_id)
        .group_by(Party.code, Party.name)
        .order_by(func.count().desc(), Party.name)
    )
    return [Escalations(code, name, int(a), int(n)) for code, name, a, n in session.execute(query)]


def responsiveness(session: Session, period: Period) -> Responsiveness:
    """Every figure in one session, one query after the other."""
    return assemble(
        updated_within(session, period),
        days_to_completion(session, period),
        silent_focal_points(session, period),
        escalations(session, period),
    )


def assemble(
    within: Within, days: list[float], silent: list[SilentFocalPoint], sent: list[Escalations]
) -> Responsiveness:
    reminded, within_14, within_30 = within
    return Responsiveness(reminded, within_14, within_30, days, silent, sent)
