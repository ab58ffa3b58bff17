"""The implementation counts of a group of key actions, and the SQL aggregate that yields them.

An action is *open* when it is neither completed nor no longer applicable, and *overdue* when
it is open and `as_of` is past its due day (the last day of its deadline's period, as
reminder.rules counts it). Overdue actions are aged in four buckets of days overdue.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, and_, func

from reminder.models import CLOSED_STATUSES, KeyAction

AGEING_BUCKETS = ("1-30", "31-90", "91-180", "180+")
# Days overdue at the lower edge of each bucket.
_AGEING_FROM = (1, 31, 91, 181)


def rate(numerator: int, denominator: int) -> float | None:
    """A share between 0 and 1, four decimals; None when there is nothing to divide by."""
    return round(numerator / denominator, 4) if denominator else None


@dataclass(frozen=True)
class Counts:
    total: int = 0
    completed: int = 0
    initiated: int = 0
    not_initiated: int = 0
    no_longer_applicable: int = 0
    open: int = 0
    overdue: int = 0
    aged_1_30: int = 0
    aged_31_90: int = 0
    aged_91_180: int = 0
    aged_over_180: int = 0

    @property
    def implementation_rate(self) -> float | None:
        """completed / (total - no longer applicable)."""
        return rate(self.completed, self.total - self.no_longer_applicable)

    @property
    def overdue_share(self) -> float | None:
        """overdue / open: of the actions still open, the share past their due day."""
        return rate(self.overdue, self.open)

    @property
    def ageing(self) -> dict[str, int]:
        values = (self.aged_1_30, self.aged_31_90, self.aged_91_180, self.aged_over_180)
        return dict(zip(AGEING_BUCKETS, values, strict=True))

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            name: getattr(self, name)
            for name in (
                "total",
                "completed",
                "initiated",
                "not_initiated",
                "no_longer_applicable",
                "open",
                "overdue",
            )
        }
        data["implementation_rate"] = self.implementation_rate
        data["overdue_share"] = self.overdue_share
        return data


def total(counts: Iterable[Counts]) -> Counts:
    result = Counts()
    for item in counts:
        result = result + item
    return result


def _number_of(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    # COUNT(*) FILTER (WHERE …) (SQLite 3.30+, PostgreSQL): cheaper per row than
    # SUM(CASE …) and 0, never NULL, for an empty group.
    return func.count().filter(condition)


def count_columns(as_of: date) -> list[ColumnElement[Any]]:
    """Aggregate columns, in the order of Counts' fields, over KeyAction rows."""
    status, due = KeyAction.status, KeyAction.due_date
    is_open = status.not_in(CLOSED_STATUSES)
    # Days overdue = as_of - due: a bucket [low, high] holds the due days in
    # [as_of - high, as_of - low], i.e. from one edge below up to the edge before it.
    edges = [as_of - timedelta(days=low - 1) for low in _AGEING_FROM]
    buckets = [
        _number_of(and_(is_open, due < upper, due >= lower)) for upper, lower in pairwise(edges)
    ]
    return [
        func.count(),
        _number_of(status == "completed"),
        _number_of(status == "initiated"),
        _number_of(status == "not_initiated"),
        _number_of(status == "no_longer_applicable"),
        _number_of(is_open),
        _number_of(and_(is_open, due < as_of)),
        *buckets,
        _number_of(and_(is_open, due < edges[-1])),
    ]


def counts_from(values: Sequence[Any]) -> Counts:
    return Counts(*(int(value or 0) for value in values))
