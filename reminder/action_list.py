"""Key actions with their state on a day, as people list them (`reminder actions`, the desk):
the stored action plus what the rules say about it on `as_of`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from reminder import store
from reminder.config import Policy
from reminder.rules import STATES, action_state, days_overdue

# What `state` may ask for: "open" (everything not closed, the default), one of the rules'
# states, or "all".
STATE_CHOICES = ("open", *(state for state in STATES if state != "open"), "all")


@dataclass(frozen=True)
class ListedAction:
    id: int
    evaluation: str
    recommendation: str
    recommendation_text: str
    number: str | None
    text: str
    responsible: list[str]
    responsible_text: str
    unresolved: list[str]
    deadline: date | None
    deadline_label: str
    deadline_precision: str
    status: str
    status_label: str
    state: str
    days_overdue: int | None
    comments: str | None
    last_update: date


def list_actions(
    session: Session, *, as_of: date, policy: Policy, state: str = "open", party: str | None = None
) -> Iterator[ListedAction]:
    """The actions in `state` on `as_of` (of `party` when given), in evaluation,
    recommendation, action order."""
    for action in store.actions(session, open_only=state not in ("all", "closed"), party=party):
        current = action_state(action, as_of, policy)
        if state not in ("all", "open") and current != state:
            continue
        yield ListedAction(
            id=action.id,
            evaluation=action.evaluation,
            recommendation=action.recommendation_number or str(action.recommendation_position),
            recommendation_text=action.recommendation,
            number=action.number,
            text=action.text,
            responsible=list(action.responsible),
            responsible_text=action.responsible_text,
            unresolved=list(action.unresolved),
            deadline=action.due,
            deadline_label=action.deadline_label,
            deadline_precision=action.deadline_precision,
            status=action.status,
            status_label=action.status_label,
            state=current,
            days_overdue=days_overdue(action, as_of),
            comments=action.comments,
            last_update=action.last_update,
        )
