"""The report as titled tables of plain values, shared by the text and XLSX formats (the HTML
page lays out the same figures in its template). Shares stay numbers between 0 and 1 here;
each format writes them its own way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reminder.report.counting import AGEING_BUCKETS, Counts, rate
from reminder.report.figures import Report
from reminder.report.implementation import Group
from reminder.report.responsiveness import SILENT_AFTER

COUNT_HEADERS = (
    "total",
    "completed",
    "initiated",
    "not initiated",
    "no longer applicable",
    "open",
    "overdue",
    "implementation rate",
    "share overdue",
)
JOINT_NOTE = "A joint action counts once in the total and once for each of its parties here."


@dataclass(frozen=True)
class Table:
    name: str  # a short name, also the XLSX sheet's
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    notes: Sequence[str] = field(default_factory=tuple)
    shares: frozenset[int] = frozenset()  # indexes of share columns


def _counts_row(counts: Counts) -> list[Any]:
    d = counts.as_dict()
    return [*(d[k] for k in list(d)[:7]), counts.implementation_rate, counts.overdue_share]


def _breakdown(
    name: str,
    title: str,
    keys: Sequence[str],
    groups: Sequence[Group],
    key_of: Any,
    notes: Sequence[str] = (),
) -> Table:
    headers = [*keys, *COUNT_HEADERS]
    rows = [[*key_of(g), *_counts_row(g.counts)] for g in groups]
    shares = frozenset({len(headers) - 2, len(headers) - 1})
    return Table(name, title, headers, rows, notes, shares)


def tables(report: Report) -> list[Table]:
    """Every table of the report, in reading order."""
    return _implementation_tables(report) + _reminder_tables(report)


def _implementation_tables(report: Report) -> list[Table]:
    impl = report.implementation
    return [
        _breakdown(
            "Overall",
            "Implementation, whole portfolio",
            ["portfolio"],
            [Group(None, "all", impl.overall)],
            lambda g: ["all key actions"],
        ),
        _breakdown(
            "By party",
            "Implementation by responsible party",
            ["party", "name"],
            impl.by_party,
            lambda g: [g.key or "", g.name],
            [JOINT_NOTE],
        ),
        _breakdown(
            "By evaluation",
            "Implementation by evaluation",
            ["evaluation"],
            impl.by_evaluation,
            lambda g: [g.name],
        ),
        _breakdown(
            "By office", "Implementation by office", ["office"], impl.by_office, lambda g: [g.name]
        ),
        _breakdown(
            "By year",
            "Implementation by evaluation year",
            ["year"],
            impl.by_year,
            lambda g: [g.name],
        ),
    ]


def _reminder_tables(report: Report) -> list[Table]:
    impl, resp = report.implementation, report.responsiveness
    trend_rows = [[p.month, p.implementation_rate, p.overdue] for p in report.trend]
    within = [
        ["within 14 days", *resp.within_14, rate(*resp.within_14)],
        ["within 30 days", *resp.within_30, rate(*resp.within_30)],
    ]
    return [
        Table(
            "Ageing",
            "Ageing of overdue actions (days overdue)",
            AGEING_BUCKETS,
            [list(impl.overall.ageing.values())],
        ),
        Table(
            "Trend",
            "Trend at the end of each month",
            ["month", "implementation rate", "overdue"],
            trend_rows,
            shares=frozenset({1}),
        ),
        Table(
            "Responsiveness",
            f"Updates after a reminder, {report.since} to {report.as_of}",
            ["updated", "updated actions", "reminded long enough ago", "share updated"],
            within,
            [
                f"{resp.reminded_actions} actions were reminded in the period; each counts from "
                "its first reminder there, once that reminder is old enough for the window.",
                "Median days from the first overdue reminder to completion: "
                f"{_or_dash(resp.median_days_to_completion)} "
                f"(over {len(resp.days_to_completion)} completed actions).",
            ],
            frozenset({3}),
        ),
        Table(
            "Silent focal points",
            f"Focal points reminded {SILENT_AFTER}+ times with no update since",
            ["name", "email", "parties", "reminders"],
            [[s.name or "", s.email, ", ".join(s.parties), s.reminders] for s in resp.silent],
        ),
        Table(
            "Escalations",
            "Escalations sent in the period, by party",
            ["party", "name", "actions escalated", "notices sent"],
            [[e.party or "", e.name, e.actions, e.notices] for e in resp.escalations],
            ["A joint action counts for each of its parties."],
        ),
    ]


def _or_dash(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"
