"""Time in report queries: local days as UTC instants, and the days between two timestamps
computed by the database (SQLite and PostgreSQL spell it differently)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The first UTC instant after local `day` ends: what happened before it happened on or
    before `day` in the configured time zone."""
    return datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)


class days_between(FunctionElement[float]):
    """Fractional days from the first timestamp to the second, in SQL."""

    type = Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "sqlite")
def _days_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"
    )


@compiles(days_between, "postgresql")
def _days_postgresql(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)}))"
        " / 86400.0)"
    )
