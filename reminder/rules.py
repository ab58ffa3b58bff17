"""PURE rules: (action snapshot, as_of, policy, reminder history) -> state and findings.

Nothing here reads the clock or the database: `as_of` is the local date in the configured
time zone, and every deadline falls due on the last day of its period (docs/architecture.md,
"Domain rules").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from reminder.config import Policy
from reminder.snapshots import ActionSnapshot

STATES = ("overdue", "due-soon", "no-deadline", "open", "closed")


def days_overdue(action: ActionSnapshot, as_of: date) -> int | None:
    """Days past the due day (0 on the due day and before); None when closed or undated."""
    if action.closed or action.due is None:
        return None
    return max(0, (as_of - action.due).days)


def action_state(action: ActionSnapshot, as_of: date, policy: Policy) -> str:
    """One of STATES: an open action is overdue from the day after its due day."""
    if action.closed:
        return "closed"
    if action.due is None:
        return "no-deadline"
    if as_of > action.due:
        return "overdue"
    lead = max(policy.due_soon_days, default=0)
    if (action.due - as_of).days <= lead:
        return "due-soon"
    return "open"


# -- findings: why an action belongs in a digest ---------------------------------------------

REASONS = ("escalation", "overdue", "due_soon", "stale", "no_deadline")


@dataclass(frozen=True)
class Told:
    """What one recipient was already told about one action."""

    last: Mapping[str, date] = field(default_factory=dict)  # reason -> last digest day
    milestones: frozenset[int] = frozenset()  # due-soon milestones already sent


NOTHING_TOLD = Told()


@dataclass(frozen=True)
class Finding:
    """An action and the reason it needs attention on `as_of`.

    `days` is days overdue (overdue, escalation), days left (due_soon) or days since the last
    update (stale); `milestone` is the due-soon milestone or the escalation level (0, 1, 2).
    """

    action: ActionSnapshot
    reason: str
    days: int
    milestone: int | None = None


def escalation_level(days_late: int, policy: Policy) -> int:
    if days_late >= policy.escalate_office_after_days:
        return 2
    if days_late >= policy.escalate_after_days:
        return 1
    return 0


def condition(action: ActionSnapshot, as_of: date, policy: Policy) -> Finding | None:
    """What is true of an open action on `as_of`, before asking whether to say it again."""
    if action.closed:
        return None
    if action.due is not None:
        days_left = (action.due - as_of).days
        if days_left < 0:
            late = -days_left
            return Finding(action, "overdue", late, escalation_level(late, policy))
        reached = [m for m in policy.due_soon_days if days_left <= m]
        if reached:
            return Finding(action, "due_soon", days_left, min(reached))
    if action.due is None:
        # Asking for a deadline comes first: agreeing one is also a status update.
        return Finding(action, "no_deadline", 0)
    idle = (as_of - action.last_update).days
    if idle >= policy.stale_after_days:
        return Finding(action, "stale", idle)
    return None


def _repeat_days(reason: str, policy: Policy) -> int:
    return {
        "overdue": policy.overdue_repeat_days,
        "escalation": policy.overdue_repeat_days,
        "stale": policy.stale_repeat_days,
        "no_deadline": policy.no_deadline_repeat_days,
    }[reason]


REPEATED = ("escalation", "overdue", "stale", "no_deadline")


def is_due(finding: Finding, told: Told, as_of: date, policy: Policy) -> bool:
    """Whether this recipient should hear about `finding` today: each due-soon milestone once
    (a milestone crossed between runs counts as reached), the other reasons every N days. The
    N days count from the last time this person heard of this action for any repeated reason:
    one cadence per (person, action), so a primary who is also the escalation contact is told
    once a week, not once as each."""
    if finding.reason == "due_soon":
        # Any milestone at or inside the current one already sent covers it.
        return not any(sent <= (finding.milestone or 0) for sent in told.milestones)
    told_days = [day for reason, day in told.last.items() if reason in REPEATED]
    last = max(told_days, default=None)
    return last is None or (as_of - last).days >= _repeat_days(finding.reason, policy)


# -- what a scan must read: the same arithmetic, for the SQL pre-filter in `store` ------------


@dataclass(frozen=True)
class ScanBounds:
    """The open actions `condition` can find anything in on `as_of`: those due on or before
    `due_by` (overdue or inside the due-soon lead), undated ones, and those last updated on or
    before `stale_by` (status change or the source's `[Last Updated]` stamp, as `last_update`)."""

    due_by: date
    stale_by: date


def scan_bounds(as_of: date, policy: Policy) -> ScanBounds:
    lead = max(policy.due_soon_days, default=0)
    return ScanBounds(
        due_by=as_of + timedelta(days=lead),
        stale_by=as_of - timedelta(days=policy.stale_after_days),
    )


def history_since(as_of: date, policy: Policy) -> date:
    """The first digest day whose history can still decide `is_due` on `as_of`."""
    window = max(
        policy.overdue_repeat_days,
        policy.stale_repeat_days,
        policy.no_deadline_repeat_days,
        *policy.due_soon_days,
        1,
    )
    return as_of - timedelta(days=window + 1)


def office_escalations_due_before(as_of: date, policy: Policy) -> date:
    """Actions due before this day are overdue long enough to reach the evaluation office."""
    return as_of - timedelta(days=policy.escalate_office_after_days - 1)


def escalation_of(finding: Finding) -> Finding | None:
    """The escalation copy of an overdue finding, from the first escalation level on."""
    if finding.reason != "overdue" or not finding.milestone:
        return None
    return Finding(finding.action, "escalation", finding.days, finding.milestone)
