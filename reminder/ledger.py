"""The delivery ledger: planned digests written before sending, claimed atomically, updated
after (DESIGN.md section 4). Retries happen across runs, by data, never by sleeping."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from reminder.models import Delivery, ReminderLog

# A row left `sending` this long belongs to a run that died: resend it, flagged ambiguous.
SENDING_LEASE = timedelta(minutes=15)
BACKOFF_FIRST = timedelta(minutes=5)
BACKOFF_MAX = timedelta(hours=6)


@dataclass(frozen=True)
class PlannedItem:
    action_id: int
    reason: str
    milestone: int | None


def recipients_with_digest(session: Session, day: date) -> set[str]:
    return set(session.scalars(select(Delivery.recipient).where(Delivery.digest_day == day)))


def plan(
    session: Session,
    *,
    recipient: str,
    name: str | None,
    day: date,
    message_id: str,
    subject: str,
    locale: str,
    counts: dict[str, int],
    payload: str,
    items: Sequence[PlannedItem],
    now: datetime,
    run_id: int | None,
) -> Delivery:
    """Write a pending row and its reminder-log lines (the caller commits)."""
    row = Delivery(
        recipient=recipient,
        recipient_name=name,
        digest_day=day,
        message_id=message_id,
        subject=subject,
        locale=locale,
        counts=counts,
        payload=payload,
        status="pending",
        attempts=0,
        maybe_delivered=False,
        created_at=now,
        updated_at=now,
        run_id=run_id,
    )
    session.add(row)
    session.flush()
    session.add_all(
        ReminderLog(
            delivery_id=row.id,
            key_action_id=item.action_id,
            recipient=recipient,
            reason=item.reason,
            milestone=item.milestone,
            digest_day=day,
        )
        for item in items
    )
    return row


def recover_orphans(session: Session, now: datetime) -> int:
    """Rows stuck in `sending` past the lease: their run died mid-send, so the relay may have
    the message. Put them back in the queue, flagged, so the resend ends as `ambiguous`."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.status == "sending", Delivery.updated_at < now - SENDING_LEASE)
        .values(status="pending", maybe_delivered=True, updated_at=now)
    )
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def due_for_sending(session: Session, now: datetime, limit: int | None = None) -> list[int]:
    query = (
        select(Delivery.id)
        .where(
            or_(
                Delivery.status == "pending",
                and_(Delivery.status == "deferred", Delivery.next_attempt_at <= now),
            )
        )
        .order_by(Delivery.id)
    )
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


def claim(session: Session, delivery_id: int, now: datetime) -> Delivery | None:
    """Atomically move one row to `sending`; None if another run got there first."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status.in_(("pending", "deferred")))
        .values(status="sending", attempts=Delivery.attempts + 1, updated_at=now)
    )
    session.commit()
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.get(Delivery, delivery_id, populate_existing=True)


def mark_sent(session: Session, row: Delivery, now: datetime) -> str:
    row.status = "ambiguous" if row.maybe_delivered else "sent"
    row.sent_at = row.updated_at = now
    row.last_error = None
    row.next_attempt_at = None
    session.commit()
    return row.status


def mark_failed(session: Session, row: Delivery, error: str, now: datetime) -> None:
    row.status, row.last_error, row.updated_at, row.next_attempt_at = "failed", error, now, None
    session.commit()


def mark_deferred(
    session: Session,
    row: Delivery,
    error: str,
    now: datetime,
    max_age: timedelta,
    maybe_delivered: bool = False,
) -> str:
    """Retry later with exponential backoff, or give up once the row is older than max_age."""
    row.maybe_delivered = row.maybe_delivered or maybe_delivered
    row.last_error, row.updated_at = error, now
    if now - row.created_at > max_age:
        row.status, row.next_attempt_at = "failed", None
        row.last_error = f"gave up after {row.attempts} attempts: {error}"
    else:
        delay = min(BACKOFF_FIRST * 2 ** max(row.attempts - 1, 0), BACKOFF_MAX)
        row.status, row.next_attempt_at = "deferred", now + delay
    session.commit()
    return row.status


def release(session: Session, row: Delivery, error: str, now: datetime) -> None:
    """A systemic failure before this message left: back to pending, the attempt not counted."""
    row.status, row.attempts, row.last_error, row.updated_at = (
        "pending",
        max(row.attempts - 1, 0),
        error,
        now,
    )
    session.commit()


def counts_by_state(session: Session) -> dict[str, int]:
    rows = session.execute(select(Delivery.status, func.count()).group_by(Delivery.status))
    return {status: count for status, count in rows}
