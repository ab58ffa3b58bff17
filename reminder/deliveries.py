"""Reads of the delivery ledger for people (the CLI and the desk): the last run, the oldest
deferred digest, who was sent what, and a stored digest. The run itself writes the ledger
through `reminder.ledger`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reminder.models import Delivery, Run


@dataclass(frozen=True)
class LastRun:
    started_at: datetime
    finished_at: datetime | None
    trigger: str
    as_of: date
    outcome: str | None
    report: dict[str, Any]


@dataclass(frozen=True)
class Sent:
    """One ledger row as people read it."""

    digest_day: date
    recipient: str
    status: str
    attempts: int
    subject: str
    counts: dict[str, int]
    message_id: str
    sent_at: datetime | None
    next_attempt_at: datetime | None
    last_error: str | None


def last_run(session: Session) -> LastRun | None:
    run = session.scalars(select(Run).order_by(Run.id.desc()).limit(1)).one_or_none()
    if run is None:
        return None
    return LastRun(
        run.started_at, run.finished_at, run.trigger, run.as_of, run.outcome, run.report or {}
    )


def oldest_deferred(session: Session) -> Sent | None:
    """The deferred digest waiting longest, or None."""
    query = select(Delivery).where(Delivery.status == "deferred").order_by(Delivery.created_at)
    row = session.scalars(query.limit(1)).one_or_none()
    return None if row is None else _sent(row)


def sent(
    session: Session, *, since: date | None = None, recipient: str | None = None
) -> list[Sent]:
    """Ledger rows, newest digest day first (of one recipient, from one day, when given)."""
    query = select(Delivery).order_by(Delivery.digest_day.desc(), Delivery.recipient)
    if since:
        query = query.where(Delivery.digest_day >= since)
    if recipient:
        query = query.where(Delivery.recipient == recipient.strip().lower())
    return [_sent(row) for row in session.scalars(query)]


def _sent(row: Delivery) -> Sent:
    return Sent(
        digest_day=row.digest_day,
        recipient=row.recipient,
        status=row.status,
        attempts=row.attempts,
        subject=row.subject,
        counts=row.counts,
        message_id=row.message_id,
        sent_at=row.sent_at,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
    )
