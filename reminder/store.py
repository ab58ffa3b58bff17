"""Queries only: key actions as plain snapshots for the rules, and listing filters."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from reminder.models import CLOSED_STATUSES, Evaluation, KeyAction, Party, Recommendation


@dataclass(frozen=True)
class ActionSnapshot:
    """Everything the rules and the digests need about one key action, detached from the ORM."""

    id: int
    evaluation_id: int
    evaluation: str
    office: str | None
    source_url: str | None
    recommendation_position: int
    recommendation_number: str | None
    recommendation: str
    number: str | None
    position: int
    text: str
    due: date | None
    deadline_precision: str
    deadline_label: str
    status: str
    status_label: str
    comments: str | None
    responsible: tuple[str, ...]
    responsible_text: str
    unresolved: tuple[str, ...]
    status_changed_at: datetime
    updated_on: date | None

    @property
    def closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def last_update(self) -> date:
        """The later of the recorded status change and the source's own last-update stamp."""
        changed = self.status_changed_at.date()
        return max(changed, self.updated_on) if self.updated_on else changed


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
