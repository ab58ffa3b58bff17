"""Queries only: key actions as plain snapshots, the directory for routing, and the
reminder history the rules need."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, and_, exists, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from reminder.models import (
    CLOSED_STATUSES,
    Delivery,
    Evaluation,
    FocalPoint,
    KeyAction,
    Party,
    Recommendation,
    ReminderLog,
    key_action_parties,
)
from reminder.routing import Directory, PartyInfo, Person
from reminder.rules import ScanBounds, Told
from reminder.snapshots import ActionSnapshot

# Party codes of an action, as one "A,B" string: one row per action, no N+1 queries.
_PARTY_CODES = (
    select(func.aggregate_strings(Party.code, ","))
    .select_from(key_action_parties.join(Party, Party.id == key_action_parties.c.party_id))
    .where(key_action_parties.c.key_action_id == KeyAction.id)
    .scalar_subquery()
)
_COLUMNS = (
    KeyAction.id,
    Evaluation.id,
    Evaluation.title,
    Evaluation.office,
    Evaluation.source_url,
    Recommendation.position,
    Recommendation.number,
    Recommendation.text,
    KeyAction.number,
    KeyAction.position,
    KeyAction.text,
    KeyAction.due_date,
    KeyAction.deadline_precision,
    KeyAction.deadline_label,
    KeyAction.status,
    KeyAction.status_label,
    KeyAction.comments,
    _PARTY_CODES,
    KeyAction.responsible_text,
    # Raw text: nearly every action's list is empty, and decoding "[]" a million times shows.
    type_coerce(KeyAction.unresolved, Text),
    KeyAction.status_changed_at,
    KeyAction.updated_on,
    KeyAction.original_deadline_label,
)
STREAM_BATCH = 2000


def _snapshot_query() -> Select[Any]:
    return (
        select(*_COLUMNS)
        .join(Recommendation, Recommendation.id == KeyAction.recommendation_id)
        .join(Evaluation, Evaluation.id == Recommendation.evaluation_id)
    )


def _snapshot(row: Any) -> ActionSnapshot:
    values = list(row)
    values[17] = tuple(sorted(values[17].split(","))) if values[17] else ()
    unresolved = values[19]
    if isinstance(unresolved, str):  # SQLite gives the JSON text, PostgreSQL a decoded list
        unresolved = json.loads(unresolved) if unresolved not in ("[]", "null") else ()
    values[19] = tuple(unresolved or ())
    return ActionSnapshot(*values)


def _stream(
    session: Session, query: Select[Any], params: dict[str, Any] | None = None
) -> Iterator[ActionSnapshot]:
    # Core rows on the session's connection: the ORM's result machinery adds nothing here.
    result = session.connection().execute(
        query, params, execution_options={"yield_per": STREAM_BATCH}
    )
    for row in result:
        yield _snapshot(row)


# Public names for the status desk's scoped reads (reminder.access).
def snapshot_query() -> Select[Any]:
    return _snapshot_query()


def snapshot_of(row: Any) -> ActionSnapshot:
    """A snapshot from a row of `snapshot_query()`'s columns."""
    return _snapshot(row)


def stream_snapshots(
    session: Session, query: Select[Any], params: dict[str, Any] | None = None
) -> Iterator[ActionSnapshot]:
    return _stream(session, query, params)


def actions(
    session: Session, *, open_only: bool = False, party: str | None = None
) -> Iterator[ActionSnapshot]:
    """Key actions in evaluation, recommendation, action order, streamed."""
    query = _snapshot_query().order_by(
        Evaluation.title, Evaluation.id, Recommendation.position, KeyAction.position
    )
    if open_only:
        query = query.where(KeyAction.status.not_in(CLOSED_STATUSES))
    if party:
        query = query.where(KeyAction.parties.any(Party.code == party))
    return _stream(session, query)


def actions_needing_attention(
    session: Session,
    *,
    bounds: ScanBounds,
    party_ids: Collection[int],
    unassigned: bool = False,
    overdue_before: date | None = None,
) -> Iterator[ActionSnapshot]:
    """Open actions the rules can find something in (`rules.scan_bounds`: undated, due by the
    bound, or last updated on or before the stale bound, the source's stamp counted as in
    `ActionSnapshot.last_update`); limited to those of `party_ids`, plus (`unassigned`) those
    with no party, plus those due before `overdue_before`."""
    # status_changed_at is UTC, and last_update takes its UTC date: before the next midnight.
    changed_before = datetime.combine(bounds.stale_by + timedelta(days=1), time(), UTC)
    linked = select(key_action_parties.c.key_action_id).where(
        key_action_parties.c.key_action_id == KeyAction.id
    )
    scope: list[ColumnElement[bool]] = []
    if party_ids:
        # Driven from the party side (index on party_id): an EXISTS per action would probe
        # the index once per listed party, for every open action.
        of_parties = select(key_action_parties.c.key_action_id).where(
            key_action_parties.c.party_id.in_(list(party_ids))
        )
        scope.append(KeyAction.id.in_(of_parties))
    if unassigned:
        scope.append(~exists(linked))
    if overdue_before is not None:
        scope.append(KeyAction.due_date < overdue_before)
    if not scope:
        return iter(())
    query = _snapshot_query().where(
        KeyAction.status.not_in(CLOSED_STATUSES),
        or_(
            KeyAction.due_date.is_(None),
            KeyAction.due_date <= bounds.due_by,
            and_(
                KeyAction.status_changed_at < changed_before,
                or_(KeyAction.updated_on.is_(None), KeyAction.updated_on <= bounds.stale_by),
            ),
        ),
        or_(*scope),
    )
    return _stream(session, query)


def party_exists(session: Session, code: str) -> bool:
    return session.scalar(select(Party.id).where(Party.code == code)) is not None


def directory_snapshot(session: Session) -> Directory:
    """Parties and their active focal points, as plain values for routing."""
    directory = Directory()
    people = session.scalars(select(FocalPoint).where(FocalPoint.active.is_(True))).all()
    for fp in people:
        directory.people.setdefault(fp.email, _person(fp))
    by_party: dict[int, list[FocalPoint]] = {}
    for fp in people:
        by_party.setdefault(fp.party_id, []).append(fp)
    for party in session.scalars(select(Party)):
        members = by_party.get(party.id, [])
        directory.parties[party.code] = PartyInfo(
            code=party.code,
            name=party.name,
            locale=party.default_locale,
            catch_all=party.catch_all,
            primaries=tuple(_person(fp) for fp in members if fp.role == "primary"),
            escalations=tuple(_person(fp) for fp in members if fp.role == "escalation"),
        )
    return directory


def _person(fp: FocalPoint) -> Person:
    return Person(fp.email, fp.name, fp.locale, fp.away_until, fp.alternate_email)


def reminder_history(
    session: Session, since: date, recipients: Collection[str]
) -> dict[tuple[int, str], Told]:
    """What these recipients were told about each action since `since` (failed digests
    excluded)."""
    rows = session.execute(
        select(
            ReminderLog.key_action_id,
            ReminderLog.recipient,
            ReminderLog.reason,
            ReminderLog.milestone,
            ReminderLog.digest_day,
        )
        .join(Delivery, Delivery.id == ReminderLog.delivery_id)
        .where(
            ReminderLog.digest_day >= since,
            Delivery.status != "failed",
            ReminderLog.recipient.in_(list(recipients)),
        )
    )
    last: dict[tuple[int, str], dict[str, date]] = {}
    milestones: dict[tuple[int, str], set[int]] = {}
    for action_id, recipient, reason, milestone, day in rows:
        key = (action_id, recipient)
        reasons = last.setdefault(key, {})
        if reason not in reasons or reasons[reason] < day:
            reasons[reason] = day
        if reason == "due_soon" and milestone is not None:
            milestones.setdefault(key, set()).add(milestone)
    return {
        key: Told(last=reasons, milestones=frozenset(milestones.get(key, ())))
        for key, reasons in last.items()
    }
