"""The report as data: every figure for one `as_of` and period, and its JSON form. Each
format (text, JSON, XLSX, HTML, email) presents this one object."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from reminder.errors import ReminderError
from reminder.report.implementation import Group, Implementation, implementation
from reminder.report.responsiveness import Period, Responsiveness, responsiveness
from reminder.report.trend import TrendPoint, trend

DEFAULT_PERIOD_DAYS = 90


@dataclass(frozen=True)
class Report:
    as_of: date
    since: date
    implementation: Implementation
    trend: list[TrendPoint]
    responsiveness: Responsiveness

    def as_dict(self) -> dict[str, Any]:
        impl = self.implementation
        return {
            "as_of": self.as_of.isoformat(),
            "since": self.since.isoformat(),
            "overall": impl.overall.as_dict(),
            "by_party": [_entry(g, party=g.key, name=g.name) for g in impl.by_party],
            "by_evaluation": [
                _entry(g, evaluation=int(g.key) if g.key else None, name=g.name)
                for g in impl.by_evaluation
            ],
            "by_office": [_entry(g, office=g.key) for g in impl.by_office],
            "by_year": [_entry(g, year=int(g.key) if g.key else None) for g in impl.by_year],
            "ageing": impl.overall.ageing,
            "trend": [point.as_dict() for point in self.trend],
            "responsiveness": self.responsiveness.as_dict(),
            "escalations": [
                {"party": e.party, "name": e.name, "actions": e.actions, "notices": e.notices}
                for e in self.responsiveness.escalations
            ],
        }


def _entry(group: Group, **key: Any) -> dict[str, Any]:
    return {**key, **group.counts.as_dict(), "ageing": group.counts.ageing}


def default_since(as_of: date) -> date:
    return as_of - timedelta(days=DEFAULT_PERIOD_DAYS)


def build_report(
    session: Session, as_of: date, zone: ZoneInfo, since: date | None = None
) -> Report:
    """Every figure of the report, computed in SQL; `since` starts the period over which
    reminders and escalations are counted (default: 90 days before `as_of`)."""
    since = since or default_since(as_of)
    if since > as_of:
        raise ReminderError(f"--since {since} is after --as-of {as_of}")
    try:
        return Report(
            as_of=as_of,
            since=since,
            implementation=implementation(session, as_of),
            trend=trend(session, as_of, zone),
            responsiveness=responsiveness(session, Period(since, as_of, zone)),
        )
    finally:
        session.rollback()  # hold no read snapshot afterwards
