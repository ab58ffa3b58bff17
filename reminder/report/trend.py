"""The 12-month trend: implementation rate and overdue count at the end of each month, from the
status history (`action_updates`, whatever its source).

Each action's history becomes intervals of one status: from each status change to the next;
before the first change, the status it changed from (an action first seen by an import, with
no earlier status, did not exist before); an action with no status history holds its current
status from its `status_changed_at` on. One window over the history (lead and lag together, in
one pass) gives each change its interval, and one GROUP BY counts the intervals by status, the
first month end they cover, the first they no longer cover and the first on which the action
is overdue, so the database returns a few hundred rows however large the portfolio.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, exists, func, literal, select
from sqlalchemy.orm import Session, aliased

from reminder.models import CLOSED_STATUSES, ActionUpdate, KeyAction, UTCDateTime
from reminder.report.counting import rate
from reminder.report.parallel import EVERY_ACTION, Shard
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


def _first_before(value: Any, bounds: list[Any], low: int = 0, high: int = -1) -> Any:
    """The index of the first of the ascending `bounds` that `value` is before (len(bounds)
    for none, and for NULL), as a CASE that searches by halves: four comparisons a row for
    twelve month ends instead of up to twelve, which was 40% of the trend's CPU at 1M rows."""
    high = len(bounds) if high < 0 else high
    if low == high:
        return literal(low)
    middle = (low + high) // 2
    return case(
        (value < bounds[middle], _first_before(value, bounds, low, middle)),
        else_=_first_before(value, bounds, middle + 1, high),
    )


def _month_index(instant: Any, instants: list[datetime]) -> ColumnElement[int]:
    """The first month end an instant is before (len(instants) for none, and for NULL)."""
    return _first_before(instant, [_at(i) for i in instants])


def _late(due: Any, ends: list[date]) -> ColumnElement[int]:
    """The first month end on which an action due on `due` is overdue (len(ends): none)."""
    return _first_before(due, ends)


def _changes(instants: list[datetime], ends: list[date], shard: Shard) -> Any:
    """One row per status change, in one pass of a window over the history: its status, the
    status before it when it is the action's first change, the month ends its status
    starts and stops covering, and the action's due day."""
    u = ActionUpdate
    order = (u.recorded_at, u.id)
    previous = func.lag(u.id).over(partition_by=u.key_action_id, order_by=order)
    raw = (
        select(
            u.new_status.label("status"),
            case((previous.is_(None), u.old_status)).label("before"),
            u.recorded_at.label("start"),
            func.lead(u.recorded_at)
            .over(partition_by=u.key_action_id, order_by=order)
            .label("stop"),
            KeyAction.due_date.label("due"),
        )
        .join(KeyAction, KeyAction.id == u.key_action_id)
        .where(u.new_status.is_not(None), shard.holds(u.key_action_id))
        .subquery()
    )
    return select(
        raw.c.status,
        raw.c.before,
        _month_index(raw.c.start, instants).label("first"),
        _month_index(raw.c.stop, instants).label("gone"),
        _late(raw.c.due, ends).label("late"),
    ).subquery()


def _untracked(instants: list[datetime], ends: list[date], shard: Shard) -> Any:
    """Actions with no status history: they hold their current status from
    `status_changed_at` on. (status, first month end covered, first one late, count)."""
    u, other = ActionUpdate, aliased(KeyAction)
    has_history = exists().where(u.key_action_id == other.id, u.new_status.is_not(None))
    # The ids first, from indexes alone; only those actions' rows are then read.
    ids = select(other.id).where(~has_history, shard.holds(other.id))
    rows = (
        select(
            KeyAction.status,
            _month_index(KeyAction.status_changed_at, instants).label("first"),
            _late(KeyAction.due_date, ends).label("late"),
        )
        .where(KeyAction.id.in_(ids))
        .subquery()
    )
    return select(*rows.c, func.count()).group_by(*rows.c)


# (status, status before it or None, first month end covered, first no longer covered,
# first on which it is late, number of actions): a group of stretches of one status.
Span = tuple[str, str | None, int, int, int, int]


def trend_spans(
    session: Session, as_of: date, zone: ZoneInfo, shard: Shard = EVERY_ACTION
) -> list[Span]:
    """The stretches of status of the actions in `shard`, grouped; the shards' lists add up."""
    ends = month_ends(as_of)
    instants: list[datetime] = [end_of_day(end, zone) for end in ends]
    c = _changes(instants, ends, shard)
    # Grouped outside the window's subquery (PostgreSQL does not see a CASE with bound
    # parameters in SELECT and in GROUP BY as the same expression); a change whose status
    # covers no month end, and that opens no earlier stretch, counts for nothing.
    columns = (c.c.status, c.c.before, c.c.first, c.c.gone, c.c.late)
    changed = (
        select(*columns, func.count())
        .where((c.c.first < c.c.gone) | c.c.before.is_not(None))
        .group_by(*columns)
    )
    spans: list[Span] = [(s, b, f, g, late, n) for s, b, f, g, late, n in session.execute(changed)]
    untracked = session.execute(_untracked(instants, ends, shard))
    spans += [(s, None, f, len(ends), late, n) for s, f, late, n in untracked]
    return spans


def trend(session: Session, as_of: date, zone: ZoneInfo) -> list[TrendPoint]:
    """The trend in one session, one query after the other."""
    return trend_points(as_of, trend_spans(session, as_of, zone))


def trend_points(as_of: date, rows: list[Span]) -> list[TrendPoint]:
    """The month ends' figures from the spans of every shard: each group of stretches adds
    to the month ends it covers, a change's own stretch and, before an action's first change,
    the status it changed from (None: it did not exist)."""
    ends = month_ends(as_of)
    points = [Counter[str]() for _ in ends]
    for state, before, first, gone, late, number in rows:
        stretches = [(state, first, gone)] + ([(before, 0, first)] if before is not None else [])
        for status, start, stop in stretches:
            for k in range(start, min(stop, len(ends))):
                points[k]["total"] += number
                points[k][status] += number
                if k >= late and status not in CLOSED_STATUSES:
                    points[k]["overdue"] += number
    return [
        TrendPoint(
            f"{end:%Y-%m}", end, c["total"], c["completed"], c["no_longer_applicable"], c["overdue"]
        )
        for end, c in zip(ends, points, strict=True)
    ]


def _at(instant: datetime) -> ColumnElement[datetime]:
    return literal(instant, UTCDateTime())
