"""PURE rules: (action snapshot, as_of, policy, reminder history) -> state and findings.

Nothing here reads the clock or the database: `as_of` is the local date in the configured
time zone, and every deadline falls due on the last day of its period (DESIGN.md section 2).
"""

from __future__ import annotations

from datetime import date

from reminder.config import Policy
from reminder.store import ActionSnapshot

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
