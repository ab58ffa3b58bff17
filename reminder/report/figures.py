"""The report as data: every figure for one `as_of` and period, and its JSON form. Each
format (text, JSON, XLSX, HTML, email) presents this one object."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from reminder.errors import ReminderError
from reminder.report import implementation as impl
from reminder.report import responsiveness as resp
from reminder.report.implementation import Group, Implementation
from reminder.report.parallel import (
    PARALLEL_FROM,
    WORKERS,
    Part,
    action_ids,
    run_parts,
    shards,
    snapshot,
)
from reminder.report.responsiveness import Period, Responsiveness
from reminder.report.trend import TrendPoint, trend_points, trend_spans

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


# Parts in the order they start, the longest first, so the two workers end together (CPU
# seconds at 1M actions on SQLite, bench/README.md): the trend in shards of key action ids.
TREND_SHARDS = 4


def build_report(
    engine: Engine,
    as_of: date,
    zone: ZoneInfo,
    since: date | None = None,
    workers: int | None = None,
) -> Report:
    """Every figure of the report, computed in SQL; `since` starts the period over which
    reminders and escalations are counted (default: 90 days before `as_of`). The parts run
    at once on `workers` connections (default: two from PARALLEL_FROM actions on, else one)."""
    since = since or default_since(as_of)
    if since > as_of:
        raise ReminderError(f"--since {since} is after --as-of {as_of}")
    period = Period(since, as_of, zone)
    with snapshot(engine) as (holder, snapshot_id):
        ids = action_ids(holder)
        if workers is None:
            workers = WORKERS if ids and ids[1] - ids[0] >= PARALLEL_FROM else 1
        trend_shards = shards(ids, TREND_SHARDS if workers > 1 else 1)
        if snapshot_id is None:
            holder.rollback()  # SQLite: the names below are read after the parts
        parts: dict[str, Part] = {
            "within": partial(resp.updated_within, period=period),
            "by party": partial(impl.party_counts, as_of=as_of),
            **{
                f"trend {k}": partial(trend_spans, as_of=as_of, zone=zone, shard=shard)
                for k, shard in enumerate(trend_shards)
            },
            "days": partial(resp.days_to_completion, period=period),
            "by evaluation": partial(impl.evaluation_counts, as_of=as_of),
            "escalations": partial(resp.escalations, period=period),
            "silent": partial(resp.silent_focal_points, period=period),
        }
        done = run_parts(engine, snapshot_id, parts, workers)
        names = impl.party_names(holder)
    spans = [span for name, part in done.items() if name.startswith("trend") for span in part]
    by_party = impl.party_groups([done["by party"]], names)
    return Report(
        as_of=as_of,
        since=since,
        implementation=impl.assemble(done["by evaluation"], by_party),
        trend=trend_points(as_of, spans),
        responsiveness=resp.assemble(
            done["within"], done["days"], done["silent"], done["escalations"]
        ),
    )
