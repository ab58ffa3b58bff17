"""What the status desk shows a person: their open actions grouped as in the digest.

Sections run as in a digest (escalated, overdue, due soon, to confirm, needs a deadline), then
"other open actions"; inside each, evaluation -> recommendation -> key action. The reason and
day counts come from `rules.condition`, so the desk and the digest never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from reminder import access, store, updates
from reminder.config import Policy
from reminder.models import KeyAction
from reminder.rules import REASONS, condition
from reminder.snapshots import ActionSnapshot

SECTION_ORDER = (*REASONS, "open")


@dataclass
class DeskAction:
    action: ActionSnapshot
    reason: str
    days: int
    history: list[updates.HistoryRow] = field(default_factory=list)
    # The newest id of the history, loaded or not: what a cached card is keyed by.
    history_version: int = 0

    @property
    def pending_proposal(self) -> updates.HistoryRow | None:
        return next((u for u in self.history if u.proposal_state == "pending"), None)


@dataclass
class DeskRecommendation:
    label: str
    text: str
    actions: list[DeskAction] = field(default_factory=list)


@dataclass
class DeskEvaluation:
    title: str
    office: str | None
    source_url: str | None
    recommendations: list[DeskRecommendation] = field(default_factory=list)


@dataclass
class DeskSection:
    reason: str
    evaluations: list[DeskEvaluation] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(r.actions) for e in self.evaluations for r in e.recommendations)


def desk_action(action: ActionSnapshot, as_of: date, policy: Policy) -> DeskAction:
    finding = condition(action, as_of, policy)
    if finding is None:
        return DeskAction(action, "open", 0)
    return DeskAction(action, finding.reason, finding.days)


def _order(item: DeskAction) -> tuple[int, str, int, int, int]:
    a = item.action
    return (
        SECTION_ORDER.index(item.reason),
        a.evaluation,
        a.evaluation_id,
        a.recommendation_position,
        a.position,
    )


def group(items: list[DeskAction]) -> list[DeskSection]:
    """Sections, each grouped by evaluation then recommendation, of `items` already in the
    digest's order (`_order`: the page sorts them once to cut its slice)."""
    sections: list[DeskSection] = []
    for item in items:
        a = item.action
        if not sections or sections[-1].reason != item.reason:
            sections.append(DeskSection(item.reason))
        evaluations = sections[-1].evaluations
        if not evaluations or evaluations[-1].title != a.evaluation:
            evaluations.append(DeskEvaluation(a.evaluation, a.office, a.source_url))
        recs = evaluations[-1].recommendations
        label = a.recommendation_number or str(a.recommendation_position)
        if not recs or recs[-1].label != label:
            recs.append(DeskRecommendation(label, a.recommendation))
        recs[-1].actions.append(item)
    return sections


# Cards on one page: a catch-all party's primary may have tens of thousands of open actions
# (50,000 at 1M: a 38 MB page and 6 s of CPU before pages), more than anyone reads at once.
PAGE_SIZE = 200


@dataclass(frozen=True)
class PersonPage:
    """One page of a person's open actions: `sections` hold those from `start` (0-based, in
    the digest's order) on, at most PAGE_SIZE; `total` is how many are open in all."""

    sections: list[DeskSection]
    total: int
    start: int

    @property
    def end(self) -> int:
        return self.start + sum(section.count for section in self.sections)


def person_page(
    session: Session,
    scope: access.Scope,
    as_of: date,
    policy: Policy,
    start: int = 0,
    size: int | None = None,
) -> PersonPage:
    """The person's open actions grouped as in the digest, from `start` (a start past the end
    gives the first page), each with its history's version but not the history:
    `load_history` fills it for the items the caller needs it for (the desk keeps most cards
    cached, and their history with them)."""
    items = []
    for action, version in access.open_actions_versioned(session, scope):
        item = desk_action(action, as_of, policy)
        item.history_version = version
        items.append(item)
    items.sort(key=_order)
    if not 0 <= start < len(items):
        start = 0
    end = start + (size or PAGE_SIZE)
    return PersonPage(group(items[start:end]), len(items), start)


def load_history(session: Session, items: list[DeskAction]) -> None:
    """Fill each item's history (one query for them all)."""
    found = updates.history(session, [item.action.id for item in items])
    for item in items:
        item.history = found[item.action.id]


def one_action(
    session: Session, scope: access.Scope, action_id: int, as_of: date, policy: Policy
) -> DeskAction | None:
    """One action routed to the person (open or closed), with its history; None otherwise."""
    if not access.may_update(session, scope, action_id):
        return None
    query = store.snapshot_query().where(KeyAction.id == action_id)
    action = next(store.stream_snapshots(session, query), None)
    if action is None:
        return None
    item = desk_action(action, as_of, policy)
    item.history = updates.history(session, [action_id])[action_id]
    return item
