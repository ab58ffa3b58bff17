"""The delivery ledger: planned digests written before sending, claimed atomically, updated
after (DESIGN.md section 4). Retries happen across runs, by data, never by sleeping. Writes
go in batches: a crash between a message's DATA and its batch's commit leaves the row
`sending`, and the next run resends it once, marked `ambiguous`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.orm import Session

from reminder.bulk import insert_tuples
from reminder.models import Delivery, DeliveryMessage, ReminderLog, table

# A row left `sending` this long belongs to a run that died: resend it, flagged ambiguous.
SENDING_LEASE = timedelta(minutes=15)
BACKOFF_FIRST = timedelta(minutes=5)
BACKOFF_MAX = timedelta(hours=6)


@dataclass(frozen=True)
class PlannedItem:
    action_id: int
    reason: str
    milestone: int | None


@dataclass(frozen=True)
class PlannedDigest:
    recipient: str
    name: str | None
    day: date
    message_id: str
    subject: str
    locale: str
    counts: dict[str, int]
    payload: str
    items: Sequence[PlannedItem]


@dataclass(frozen=True)
class Claimed:
    """A row this run now owns (status `sending`)."""

    id: int
    recipient: str
    message_id: str
    digest_day: date
    payload: str
    attempts: int
    maybe_delivered: bool
    created_at: datetime


@dataclass(frozen=True)
class Outcome:
    """What happened to a claimed row: `sent`, `deferred`, `failed`, or `released` (not tried,
    or stopped by a systemic failure before it left)."""

    row: Claimed
    kind: str
    error: str | None = None
    maybe_delivered: bool = False


def recipients_with_digest(session: Session, day: date) -> set[str]:
    query = select(Delivery.recipient).where(Delivery.digest_day == day, Delivery.kind == "digest")
    return set(session.scalars(query))


def plan(
    session: Session, digests: Sequence[PlannedDigest], now: datetime, run_id: int | None
) -> list[int]:
    """Write pending rows, their messages and reminder-log lines in bulk (the caller
    commits); returns the new rows' ids."""
    if not digests:
        return []
    session.execute(
        insert(table(Delivery)),
        [
            {
                "recipient": d.recipient,
                "recipient_name": d.name,
                "digest_day": d.day,
                "message_id": d.message_id,
                "subject": d.subject,
                "locale": d.locale,
                "counts": d.counts,
                "status": "pending",
                "attempts": 0,
                "maybe_delivered": False,
                "created_at": now,
                "updated_at": now,
                "run_id": run_id,
            }
            for d in digests
        ],
    )
    # Look the new ids up by the unique (recipient, day): RETURNING with ordered rows
    # degrades to one statement per row on SQLite.
    by_recipient = dict(
        session.execute(
            select(Delivery.recipient, Delivery.id).where(
                Delivery.digest_day == digests[0].day,
                Delivery.kind == "digest",
                Delivery.recipient.in_([d.recipient for d in digests]),
            )
        )
        .tuples()
        .all()
    )
    ids = [by_recipient[d.recipient] for d in digests]
    session.execute(
        insert(table(DeliveryMessage)),
        [
            {"delivery_id": row_id, "payload": d.payload}
            for row_id, d in zip(ids, digests, strict=True)
        ],
    )
    insert_tuples(
        session,
        table(ReminderLog),
        _LOG_COLUMNS,
        [
            (row_id, item.action_id, d.recipient, item.reason, item.milestone, d.day)
            for row_id, d in zip(ids, digests, strict=True)
            for item in d.items
        ],
    )
    return ids


# One row per action in a digest: 1.2 million at a million actions.
_LOG_COLUMNS = ("delivery_id", "key_action_id", "recipient", "reason", "milestone", "digest_day")


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


def due_for_sending(session: Session, now: datetime) -> list[int]:
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
    return list(session.scalars(query))


def claim(session: Session, ids: Sequence[int], now: datetime) -> list[Claimed]:
    """Atomically move waiting rows to `sending`; rows another run took first are left out."""
    rows = session.execute(
        update(Delivery)
        .where(Delivery.id.in_(list(ids)), Delivery.status.in_(("pending", "deferred")))
        .values(status="sending", attempts=Delivery.attempts + 1, updated_at=now)
        .returning(
            Delivery.id,
            Delivery.recipient,
            Delivery.message_id,
            Delivery.digest_day,
            Delivery.attempts,
            Delivery.maybe_delivered,
            Delivery.created_at,
        )
    ).all()
    session.commit()
    payloads = message_payloads(session, [row[0] for row in rows])
    claimed = [
        Claimed(i, to, mid, day, payloads[i], n, maybe, at)
        for i, to, mid, day, n, maybe, at in rows
    ]
    return sorted(claimed, key=lambda row: row.id)


def message_payloads(session: Session, ids: Sequence[int]) -> dict[int, str]:
    """The stored messages of these ledger rows, by row id."""
    if not ids:
        return {}
    query = select(DeliveryMessage.delivery_id, DeliveryMessage.payload).where(
        DeliveryMessage.delivery_id.in_(list(ids))
    )
    return dict(session.execute(query).tuples().all())


def _backoff(attempts: int) -> timedelta:
    return min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def _values(outcome: Outcome, now: datetime, max_age: timedelta) -> dict[str, Any]:
    row = outcome.row
    maybe = row.maybe_delivered or outcome.maybe_delivered
    values: dict[str, Any] = {
        "id": row.id,
        "status": outcome.kind,
        "attempts": row.attempts,
        "maybe_delivered": maybe,
        "last_error": outcome.error,
        "next_attempt_at": None,
        "sent_at": None,
        "updated_at": now,
    }
    if outcome.kind == "sent":
        values.update(status="ambiguous" if maybe else "sent", sent_at=now)
    elif outcome.kind == "deferred":
        if now - row.created_at > max_age:
            failure = f"gave up after {row.attempts} attempts: {outcome.error}"
            values.update(status="failed", last_error=failure)
        else:
            values["next_attempt_at"] = now + _backoff(row.attempts)
    elif outcome.kind == "released":  # the attempt does not count
        values.update(status="pending", attempts=max(row.attempts - 1, 0))
    return values


def record(
    session: Session, outcomes: Sequence[Outcome], now: datetime, max_age: timedelta
) -> list[str]:
    """Write every outcome of a batch in one transaction; returns the final states."""
    if not outcomes:
        return []
    values = [_values(outcome, now, max_age) for outcome in outcomes]
    session.execute(update(Delivery), values)  # bulk UPDATE by primary key
    session.commit()
    return [v["status"] for v in values]


def counts_by_state(session: Session) -> dict[str, int]:
    rows = session.execute(select(Delivery.status, func.count()).group_by(Delivery.status))
    return {status: count for status, count in rows}
