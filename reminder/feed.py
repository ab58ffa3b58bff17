"""What the office view reads: the feed of recent updates and the pending deadline proposals,
each with the key action it concerns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from reminder.models import ActionUpdate, Evaluation, KeyAction, Recommendation


@dataclass(frozen=True)
class FeedEntry:
    update: ActionUpdate
    action_text: str
    action_number: str | None
    deadline_label: str
    original_deadline_label: str | None
    evaluation: str


def _entries(session: Session, query: Select[Any]) -> list[FeedEntry]:
    rows = session.execute(query)
    return [FeedEntry(*row) for row in rows]


def _base() -> Select[Any]:
    return (
        select(
            ActionUpdate,
            KeyAction.text,
            KeyAction.number,
            KeyAction.deadline_label,
            KeyAction.original_deadline_label,
            Evaluation.title,
        )
        .join(KeyAction, KeyAction.id == ActionUpdate.key_action_id)
        .join(Recommendation, Recommendation.id == KeyAction.recommendation_id)
        .join(Evaluation, Evaluation.id == Recommendation.evaluation_id)
    )


def recent(session: Session, limit: int = 100) -> list[FeedEntry]:
    """The newest updates from the desk, the office and imports."""
    query = _base().order_by(ActionUpdate.recorded_at.desc(), ActionUpdate.id.desc()).limit(limit)
    return _entries(session, query)


def pending_proposals(session: Session) -> list[FeedEntry]:
    """Deadline proposals waiting for the office, oldest first."""
    query = (
        _base()
        .where(ActionUpdate.proposal_state == "pending")
        .order_by(ActionUpdate.recorded_at, ActionUpdate.id)
    )
    return _entries(session, query)
