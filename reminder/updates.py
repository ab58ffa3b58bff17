"""Recording updates: desk and office changes to key actions, deadline proposals, absences.

Every change is a new `ActionUpdate` row (append-only history) written in the same
transaction as the key action's current status, comments and status time, so the next run
sees it: a closed action is never reminded again, and "please confirm the status" counts from
the update. A proposed deadline changes nothing until the office accepts it; accepting keeps
the deadline it replaces. No web code here: the desk and the CLI call these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Row, ScalarSelect, bindparam, func, select, update
from sqlalchemy.orm import Session

from reminder.deadlines import parse_deadline
from reminder.errors import ReminderError
from reminder.models import ActionUpdate, FocalPoint, KeyAction

# What a desk form may set, and the label written beside the code (as a tracker writes it).
DESK_STATUSES = {
    "not_initiated": "Not initiated",
    "initiated": "Initiated",
    "completed": "Completed",
    "no_longer_applicable": "No longer applicable",
}
LONGEST_COMMENT = 5000
LONGEST_URL = 2000
LONGEST_ABSENCE_DAYS = 366


class UpdateError(ReminderError):
    """A change that cannot be recorded; `field` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Change:
    """What a person asks to record about one action (empty strings count as not given)."""

    status: str | None = None
    comment: str | None = None
    evidence_url: str | None = None
    proposed_deadline: str | None = None
    proposal_reason: str | None = None


@dataclass(frozen=True)
class Actor:
    email: str
    name: str | None
    source: str  # "web" or "office"


def _clean(value: str | None) -> str | None:
    value = (value or "").replace("\r\n", "\n").strip()
    return value or None


def _checked(change: Change, today: date) -> Change:
    status, comment = _clean(change.status), _clean(change.comment)
    evidence, proposed = _clean(change.evidence_url), _clean(change.proposed_deadline)
    reason = _clean(change.proposal_reason)
    if status is not None and status not in DESK_STATUSES:
        raise UpdateError("status", f"unknown status {status!r}")
    if comment and len(comment) > LONGEST_COMMENT:
        raise UpdateError("comment", f"at most {LONGEST_COMMENT} characters")
    if status == "no_longer_applicable" and not comment:
        raise UpdateError("comment", "say why the action is no longer applicable")
    if evidence is not None:
        parts = urlsplit(evidence)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(evidence) > LONGEST_URL:
            raise UpdateError("evidence_url", "give a web address starting with https://")
    if proposed is not None:
        try:
            deadline = parse_deadline(proposed)
        except ValueError as exc:
            raise UpdateError("proposed_deadline", str(exc)) from None
        if deadline.due is None:
            raise UpdateError("proposed_deadline", "give a date, month, quarter or year")
        if deadline.due < today:
            raise UpdateError("proposed_deadline", "the proposed deadline has already passed")
        if not reason:
            raise UpdateError("proposal_reason", "say why the deadline should change")
    elif reason:
        raise UpdateError("proposed_deadline", "a reason was given but no new deadline")
    if not any((status, comment, evidence, proposed)):
        raise UpdateError("status", "nothing to record: choose a status or write a comment")
    return Change(status, comment, evidence, proposed, reason)


def record(
    session: Session, action_id: int, actor: Actor, change: Change, now: datetime, today: date
) -> ActionUpdate:
    """Append the update and set the action's current state; the caller commits. Raises
    UpdateError for a bad field and ReminderError for an unknown action."""
    change = _checked(change, today)
    action = session.scalars(
        select(KeyAction).where(KeyAction.id == action_id).with_for_update()
    ).one_or_none()
    if action is None:
        raise ReminderError(f"no key action {action_id}")
    proposal = parse_deadline(change.proposed_deadline) if change.proposed_deadline else None
    row = ActionUpdate(
        key_action_id=action.id,
        recorded_at=now,
        source=actor.source,
        actor=actor.email,
        actor_name=actor.name,
        old_status=action.status,
        new_status=change.status if change.status != action.status else None,
        comment=change.comment,
        evidence_url=change.evidence_url,
        proposed_due_date=proposal.due if proposal else None,
        proposed_deadline_label=proposal.label if proposal else None,
        proposal_reason=change.proposal_reason,
        proposal_state="pending" if proposal else None,
    )
    session.add(row)
    if change.status is not None:
        action.status = change.status
        action.status_label = DESK_STATUSES[change.status]
    if change.comment:
        # Comments accumulate, as in a tracker's comments column: nothing stored is lost.
        stamp = f"[{now:%Y-%m-%d} {actor.name or actor.email}] {change.comment}"
        action.comments = f"{action.comments}\n{stamp}" if action.comments else stamp
    # Any update confirms the status: "please confirm" counts from here.
    action.status_changed_at = now
    session.flush()
    return row


def decide(
    session: Session, update_id: int, accept: bool, actor: Actor, note: str | None, now: datetime
) -> ActionUpdate:
    """Accept or decline a pending deadline proposal; accepting revises the deadline and keeps
    the first original. Returns the office's own history row."""
    proposal = session.scalars(
        select(ActionUpdate).where(ActionUpdate.id == update_id).with_for_update()
    ).one_or_none()
    if proposal is None or proposal.proposal_state != "pending":
        raise UpdateError("proposal", "this proposal is not pending (already decided?)")
    action = session.get_one(KeyAction, proposal.key_action_id)
    note = _clean(note)
    proposal.proposal_state = "accepted" if accept else "declined"
    proposal.decided_by, proposal.decided_at, proposal.decision_note = actor.email, now, note
    verdict = "accepted" if accept else "declined"
    comment = f"Deadline {proposal.proposed_deadline_label} {verdict}" + (
        f": {note}" if note else ""
    )
    if accept and proposal.proposed_due_date is not None:
        if action.original_deadline_label is None:
            action.original_due_date = action.due_date
            action.original_deadline_label = action.deadline_label
        deadline = parse_deadline(proposal.proposed_deadline_label)
        action.due_date = deadline.due
        action.deadline_precision = deadline.precision
        action.deadline_label = deadline.label
    row = ActionUpdate(
        key_action_id=action.id,
        recorded_at=now,
        source=actor.source,
        actor=actor.email,
        actor_name=actor.name,
        old_status=action.status,
        comment=comment,
    )
    session.add(row)
    session.flush()
    return row


def set_away(session: Session, email: str, until: date | None, today: date) -> int:
    """Mark the person away until `until` (None: back now) in every party they are a primary
    of; routing's alternate logic does the rest. Returns how many entries changed."""
    if until is not None and until < today:
        raise UpdateError("away_until", "give a day from today on")
    if until is not None and until > today + timedelta(days=LONGEST_ABSENCE_DAYS):
        raise UpdateError("away_until", f"at most {LONGEST_ABSENCE_DAYS} days ahead")
    # An ORM UPDATE: focal points already loaded in this session are updated too, so a
    # routing read later in the same session sees the absence (or the return).
    result = session.execute(
        update(FocalPoint)
        .where(FocalPoint.email == email.strip().lower(), FocalPoint.role == "primary")
        .values(away_until=until)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def recorded_by(session: Session, update_id: int, email: str) -> ActionUpdate | None:
    """One update recorded on the desk by `email`, else None (a confirmation shows only the
    person's own updates)."""
    row = session.get(ActionUpdate, update_id)
    if row is None or row.source != "web" or row.actor != email:
        return None
    return row


def alternates_of(session: Session, email: str) -> list[str]:
    """Who stands in for this person while away (empty: nobody, they keep receiving)."""
    rows = session.scalars(
        select(FocalPoint.alternate_email).where(
            FocalPoint.email == email.strip().lower(),
            FocalPoint.role == "primary",
            FocalPoint.alternate_email.is_not(None),
        )
    )
    return sorted({row for row in rows if row})


def history_version() -> ScalarSelect[int]:
    """A column giving, for each KeyAction row, the newest id of its updates (0 without any):
    it changes whenever its history does, as rows are only ever added (a decided proposal
    adds the office's row) and ids only grow. Read from the index on key_action_id."""
    mine = ActionUpdate.key_action_id == KeyAction.id
    return select(func.coalesce(func.max(ActionUpdate.id), 0)).where(mine).scalar_subquery()


# Built once: the desk asks on every page (see access.py on why). Plain rows, not ORM objects:
# the desk only reads them, and an ORM instance per row was a tenth of a page never seen.
_HISTORY = (
    select(*ActionUpdate.__table__.columns)
    .where(ActionUpdate.key_action_id.in_(bindparam("ids", expanding=True)))
    .order_by(ActionUpdate.recorded_at.desc(), ActionUpdate.id.desc())
)


# An update as the desk reads it: a row with ActionUpdate's columns as attributes.
HistoryRow = Row[Any]


def history(session: Session, action_ids: list[int]) -> dict[int, list[HistoryRow]]:
    """Every update of these actions, newest first."""
    found: dict[int, list[HistoryRow]] = {action_id: [] for action_id in action_ids}
    if not action_ids:
        return found
    for row in session.execute(_HISTORY, {"ids": action_ids}):
        found[row.key_action_id].append(row)
    return found
