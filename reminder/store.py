"""Queries only: key actions as plain snapshots, the directory for routing, and the
reminder history the rules need."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from reminder.models import (
    CLOSED_STATUSES,
    Delivery,
    Evaluation,
    FocalPoint,
    KeyAction,
    Party,
    Recommendation,
    ReminderLog,
)
from reminder.routing import Directory, PartyInfo, Person
from reminder.rules import Told
from reminder.snapshots import ActionSnapshot


def _snapshot(action: KeyAction) -> ActionSnapshot:
    rec = action.recommendation
    evaluation = rec.evaluation
    return ActionSnapshot(
        id=action.id,
        evaluation_id=evaluation.id,
        evaluation=evaluation.title,
        office=evaluation.office,
        source_url=evaluation.source_url,
        recommendation_position=rec.position,
        recommendation_number=rec.number,
        recommendation=rec.text,
        number=action.number,
        position=action.position,
        text=action.text,
        due=action.due_date,
        deadline_precision=action.deadline_precision,
        deadline_label=action.deadline_label,
        status=action.status,
        status_label=action.status_label,
        comments=action.comments,
        responsible=tuple(sorted(party.code for party in action.parties)),
        responsible_text=action.responsible_text,
        unresolved=tuple(action.unresolved or ()),
        status_changed_at=action.status_changed_at,
        updated_on=action.updated_on,
    )


def _base_query() -> Select[tuple[KeyAction]]:
    return (
        select(KeyAction)
        .join(KeyAction.recommendation)
        .join(Recommendation.evaluation)
        .options(
            selectinload(KeyAction.parties),
            selectinload(KeyAction.recommendation).selectinload(Recommendation.evaluation),
        )
        .order_by(Evaluation.title, Recommendation.position, KeyAction.position)
    )


def actions(
    session: Session,
    *,
    open_only: bool = False,
    party: str | None = None,
    batch_size: int = 2000,
) -> Iterator[ActionSnapshot]:
    """Key actions in evaluation, recommendation, action order; streamed in batches."""
    query = _base_query()
    if open_only:
        query = query.where(KeyAction.status.not_in(CLOSED_STATUSES))
    if party:
        query = query.where(KeyAction.parties.any(Party.code == party))
    ids: Sequence[int] = session.scalars(query.with_only_columns(KeyAction.id)).all()
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        rows = session.scalars(_base_query().where(KeyAction.id.in_(chunk))).all()
        by_id = {row.id: row for row in rows}
        for action_id in chunk:
            yield _snapshot(by_id[action_id])
        session.expunge_all()


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


def reminder_history(session: Session, since: date) -> dict[tuple[int, str], Told]:
    """What each recipient was told about each action since `since` (failed digests excluded)."""
    rows = session.execute(
        select(
            ReminderLog.key_action_id,
            ReminderLog.recipient,
            ReminderLog.reason,
            ReminderLog.milestone,
            ReminderLog.digest_day,
        )
        .join(Delivery, Delivery.id == ReminderLog.delivery_id)
        .where(ReminderLog.digest_day >= since, Delivery.status != "failed")
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
