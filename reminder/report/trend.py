"""The 12-month trend: implementation rate and overdue count at the end of each month, from the
status history (`action_updates`, whatever its source).

Each action's history becomes intervals of one status: from each status change to the next;
before the first change, the status it changed from (an action first seen by an import, with
no earlier status, did not exist before); an action with no status history holds its current
status from its `status_changed_at` on. One GROUP BY then counts, per status, the intervals by
the first month end they cover, the first they no longer cover and the first on which the
action is overdue, so the database returns a few hundred rows however large the portfolio.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, null, select, union_all
from sqlalchemy.orm import Session

from reminder.models import CLOSED_STATUSES, ActionUpdate, KeyAction, UTCDateTime
from reminder.report.counting import rate
from reminder.report.sqltime import end_of_day

MONTHS = 12


@dataclass(frozen=True)
class TrendPoint:
    month: str  # YYYY-MM
    end: date  # the month's last day
    total: int
    completed: int
    no_longer_applicable: int
    overdue: int

    @property
    def implementation_rate(self) -> float | None:
        return rate(self.completed, self.total - self.no_longer_applicable)

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "implementation_rate": self.implementation_rate,
            "overdue": self.overdue,
            "total": self.total,
            "completed": self.completed,
        }


def month_ends(as_of: date, months: int = MONTHS) -> list[date]:
    """The last days of the `months` most recent months that have ended by `as_of`, oldest
    first (`as_of` itself when it is a month's last day)."""
    last = as_of if (as_of + timedelta(days=1)).day == 1 else as_of.replace(day=1) - timedelta(1)
    ends = [last]
    while len(ends) < months:
        ends.append(ends[-1].replace(day=1) - timedelta(days=1))
    return ends[::-1]


def _first_index(conditions: list[ColumnElement[bool]]) -> ColumnElement[int]:
    """The index of the first true condition, len(conditions) when none is."""
    return case(*[(c, k) for k, c in enumerate(conditions)], else_=len(conditions))


def _intervals() -> Any:
    """(action_id, status, start, end) for every stretch of one status; None is open-ended."""
    u = ActionUpdate
    order = (u.recorded_at, u.id)
    changes = (
        select(
            u.key_action_id.label("action_id"),
            u.old_status,
            u.new_status,
            u.recorded_at,
            func.lead(u.recorded_at)
            .over(partition_by=u.key_action_id, order_by=order)
            .label("until"),
            func.row_number().over(partition_by=u.key_action_id, order_by=order).label("n"),
        )
        .where(u.new_status.is_not(None))
        .subquery()
    )
    never = null().cast(UTCDateTime())
    has_history = exists().where(u.key_action_id == KeyAction.id, u.new_status.is_not(None))
    return union_all(
        select(changes.c.action_id, changes.c.new_status, changes.c.recorded_at, changes.c.until),
        select(changes.c.action_id, changes.c.old_status, never, changes.c.recorded_at).where(
            changes.c.n == 1, changes.c.old_status.is_not(None)
        ),
        select(KeyAction.id, KeyAction.status, KeyAction.status_changed_at, never).where(
            ~has_history
        ),
    ).subquery()


def trend(session: Session, as_of: date, zone: ZoneInfo) -> list[TrendPoint]:
    ends = month_ends(as_of)
    instants: list[datetime] = [end_of_day(end, zone) for end in ends]
    spans = _intervals()
    start, stop = spans.c[2], spans.c[3]
    status = spans.c[1]
    due = KeyAction.due_date
    # Bucketed in a subquery, grouped outside: PostgreSQL does not see a CASE with bound
    # parameters in SELECT and in GROUP BY as the same expression.
    buckets = (
        select(
            status.label("status"),
            _first_index([start.is_(None) | (start < _at(i)) for i in instants]).label("first"),
            _first_index([stop.is_not(None) & (stop < _at(i)) for i in instants]).label("gone"),
            _first_index([and_(due.is_not(None), due < end) for end in ends]).label("late"),
        )
        .select_from(spans)
        .join(KeyAction, KeyAction.id == spans.c[0])
        .subquery()
    )
    b = buckets.c
    query = select(b.status, b.first, b.gone, b.late, func.count()).group_by(
        b.status, b.first, b.gone, b.late
    )
    return _points(ends, session.execute(query).tuples())


def _points(ends: list[date], rows: Any) -> list[TrendPoint]:
    """Add each group of intervals to the month ends it covers."""
    points = [Counter[str]() for _ in ends]
    for state, first, gone, late, number in rows:
        for k in range(first, min(gone, len(ends))):
            points[k]["total"] += number
            points[k][state] += number
            if k >= late and state not in CLOSED_STATUSES:
                points[k]["overdue"] += number
    return [
        TrendPoint(
            f"{end:%Y-%m}", end, c["total"], c["completed"], c["no_longer_applicable"], c["overdue"]
        )
        for end, c in zip(ends, points, strict=True)
    ]


def _at(instant: datetime) -> ColumnElement[datetime]:
    return literal(instant, UTCDateTime())
