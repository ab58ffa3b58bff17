"""The delivery ledger, the run's queue: planned digests written before any SMTP traffic,
claimed one at a time just before their message goes out, and their outcome recorded as it
comes back (docs/architecture.md, "Delivery"). Retries happen across runs, by data, never by
sleeping.

A row is `sending` only from its claim to its recorded outcome, so a crash leaves at most one
such row per connection: the next run resends those (same message), marked `ambiguous`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from operator import itemgetter
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from reminder.bulk import insert_rows, insert_tuples
from reminder.driver_statements import DriverStatement
from reminder.models import Delivery, DeliveryMessage, ReminderLog, table

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
    payload: str  # empty when the message could not be built
    items: Sequence[PlannedItem]
    error: str | None = None  # why the message could not be built: the row is born `failed`


@dataclass(frozen=True)
class Queued:
    """A row waiting to be sent (pending, or deferred and due), with its message."""

    id: int
    recipient: str
    message_id: str
    digest_day: date
    payload: str
    attempts: int  # before this attempt
    maybe_delivered: bool
    created_at: datetime


@dataclass(frozen=True)
class Outcome:
    """What happened to a claimed row: `sent`, `deferred`, `failed`, or `released` (not sent:
    stopped by a systemic failure before its message left; the attempt does not count)."""

    row: Queued
    kind: str
    error: str | None = None
    maybe_delivered: bool = False


def recipients_with_digest(session: Session, day: date) -> set[str]:
    query = select(Delivery.recipient).where(Delivery.digest_day == day, Delivery.kind == "digest")
    return set(session.scalars(query))


def enqueue(
    session: Session, digests: Sequence[PlannedDigest], now: datetime, run_id: int | None
) -> list[Queued]:
    """Write the rows, their messages and reminder-log lines in bulk (the caller commits);
    returns the rows to send. A digest whose message could not be built is written `failed`
    with its reason, and neither sent nor logged as told."""
    if not digests:
        return []
    insert_rows(session, table(Delivery), [_row(d, now, run_id) for d in digests])
    sendable = [d for d in digests if d.error is None]
    if not sendable:
        return []
    ids = _ids_of(session, sendable)
    insert_tuples(
        session,
        table(DeliveryMessage),
        ("delivery_id", "payload"),
        [(row_id, d.payload) for row_id, d in zip(ids, sendable, strict=True)],
    )
    lines = [
        (row_id, item.action_id, d.recipient, item.reason, item.milestone, d.day)
        for row_id, d in zip(ids, sendable, strict=True)
        for item in d.items
    ]
    # In key-action order, the lines reach the (key action, recipient) index's pages in
    # order: a fifth less time while the senders wait for this transaction.
    lines.sort(key=itemgetter(1))  # key_action_id
    insert_tuples(session, table(ReminderLog), _LOG_COLUMNS, lines)
    return [
        Queued(row_id, d.recipient, d.message_id, d.day, d.payload, 0, False, now)
        for row_id, d in zip(ids, sendable, strict=True)
    ]


def _row(digest: PlannedDigest, now: datetime, run_id: int | None) -> dict[str, Any]:
    return {
        "recipient": digest.recipient,
        "recipient_name": digest.name,
        "kind": "digest",
        "digest_day": digest.day,
        "message_id": digest.message_id,
        "subject": digest.subject,
        "locale": digest.locale,
        "counts": digest.counts,
        "status": "failed" if digest.error else "pending",
        "last_error": digest.error,
        "attempts": 0,
        "maybe_delivered": False,
        "created_at": now,
        "updated_at": now,
        "run_id": run_id,
    }


def _ids_of(session: Session, digests: Sequence[PlannedDigest]) -> list[int]:
    """The new rows' ids, looked up by the unique (recipient, day): RETURNING with ordered
    rows degrades to one statement per row on SQLite."""
    query = select(Delivery.recipient, Delivery.id).where(
        Delivery.digest_day == digests[0].day,
        Delivery.kind == "digest",
        Delivery.recipient.in_([d.recipient for d in digests]),
    )
    by_recipient = dict(session.execute(query).tuples().all())
    return [by_recipient[d.recipient] for d in digests]


# One row per action in a digest: 1.2 million at a million actions.
_LOG_COLUMNS = ("delivery_id", "key_action_id", "recipient", "reason", "milestone", "digest_day")


def recover_orphans(session: Session, now: datetime) -> int:
    """Rows left `sending`: a run claims a row just before its message goes out and records
    the outcome as soon as the relay answers, so a row still `sending` when a new run holds the
    single-flight lock belongs to a run that died in between. The relay may have the message:
    put the row back in the queue, flagged, so its resend is recorded `ambiguous`."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.status == "sending")
        .values(status="pending", maybe_delivered=True, updated_at=now)
    )
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def waiting_ids(session: Session, now: datetime) -> list[int]:
    """Rows to send now, oldest first: pending, or deferred and due."""
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


def load_queued(session: Session, ids: Sequence[int]) -> list[Queued]:
    """These rows, with their messages, to queue for sending."""
    rows = session.execute(
        select(
            Delivery.id,
            Delivery.recipient,
            Delivery.message_id,
            Delivery.digest_day,
            Delivery.attempts,
            Delivery.maybe_delivered,
            Delivery.created_at,
        )
        .where(Delivery.id.in_(list(ids)))
        .order_by(Delivery.id)
    ).all()
    payloads = message_payloads(session, [row[0] for row in rows])
    return [
        Queued(i, to, mid, day, payloads[i], n, maybe, at) for i, to, mid, day, n, maybe, at in rows
    ]


# The senders' two statements, run once per message: compiled once per database and run on
# the driver's cursor (`driver_statements`).
_CLAIM = (
    update(Delivery)
    .where(
        Delivery.id == bindparam("b_id"),
        or_(Delivery.status == "pending", Delivery.status == "deferred"),
    )
    .values(status="sending", attempts=bindparam("b_attempts"), updated_at=bindparam("b_now"))
)
_RECORD_COLUMNS = (
    "status",
    "attempts",
    "maybe_delivered",
    "last_error",
    "next_attempt_at",
    "sent_at",
    "updated_at",
)
_RECORD = (
    update(Delivery)
    .where(Delivery.id == bindparam("b_id"))
    .values({name: bindparam(f"b_{name}") for name in _RECORD_COLUMNS})
)


class SenderStatements:
    """Claims and outcomes on a DB-API cursor, in the caller's transaction (the caller
    commits)."""

    def __init__(self, dialect: Dialect) -> None:
        self._claim = DriverStatement(_CLAIM, dialect)
        self._record = DriverStatement(_RECORD, dialect)

    def claim(self, cursor: Any, row: Queued, now: datetime) -> bool:
        """Move one waiting row to `sending` just before its message goes out; False when
        another run took it first."""
        values = {"b_id": row.id, "b_attempts": row.attempts + 1, "b_now": now}
        cursor.execute(self._claim.sql, self._claim.parameters(values))
        return int(cursor.rowcount) == 1

    def record_many(
        self, cursor: Any, outcomes: Sequence[Outcome], now: datetime, max_age: timedelta
    ) -> list[str]:
        """Write claimed rows' outcomes in one executemany; returns their final states, in
        order."""
        if not outcomes:
            return []
        states, params = [], []
        for outcome in outcomes:
            values = _values(outcome, now, max_age)
            states.append(str(values["status"]))
            named = {"b_id": outcome.row.id, **{f"b_{k}": values[k] for k in _RECORD_COLUMNS}}
            params.append(self._record.parameters(named))
        cursor.executemany(self._record.sql, params)
        return states


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
    attempts = row.attempts + 1
    maybe = row.maybe_delivered or outcome.maybe_delivered
    values: dict[str, Any] = {
        "status": outcome.kind,
        "attempts": attempts,
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
            failure = f"gave up after {attempts} attempts: {outcome.error}"
            values.update(status="failed", last_error=failure)
        else:
            values["next_attempt_at"] = now + _backoff(attempts)
    elif outcome.kind == "released":  # the attempt does not count
        values.update(status="pending", attempts=row.attempts)
    return values


def counts_by_state(session: Session) -> dict[str, int]:
    rows = session.execute(select(Delivery.status, func.count()).group_by(Delivery.status))
    return {status: count for status, count in rows}
