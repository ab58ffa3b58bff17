"""The report's three pictures, drawn with matplotlib's Agg/SVG backends through Figure
objects (no pyplot state, so threads may draw at once): implementation by party, ageing of
overdue actions by party (stacked), and the 12-month trend. Each chart comes with the rows it
draws, for the table printed beside it. Titles, axis labels and legends are in the language of
the translations passed in."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from gettext import NullTranslations
from typing import Any

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from reminder.report.counting import AGEING_BUCKETS
from reminder.report.figures import Report
from reminder.report.implementation import Group

# The largest parties only: a chart of 25,000 bars is no picture. The full table is below it.
CHART_PARTIES = 15
_COLOURS = ("#4c78a8", "#f58518", "#e45756", "#72b7b2")
# Text stays text in the SVG: selectable, searchable and read by screen readers.
matplotlib.rcParams.update(
    {"svg.hashsalt": "reminder-report", "svg.fonttype": "none", "font.size": 9}
)


@dataclass(frozen=True)
class Chart:
    name: str  # implementation, ageing, trend: also the image's Content-ID
    title: str  # in the reader's language: the image's alternative text
    figure: Figure
    rows: Sequence[Sequence[Any]]  # the numbers drawn, for the table beside the chart


def largest(groups: Sequence[Group], key: str) -> list[Group]:
    """The parties with the most actions (or the most overdue), named ones first."""
    named = [g for g in groups if g.key is not None]
    ranked = sorted(named, key=lambda g: (-getattr(g.counts, key), g.name))
    return ranked[:CHART_PARTIES]


def _label(group: Group) -> str:
    return group.name if len(group.name) <= 28 else group.name[:27] + "…"


def implementation_chart(report: Report, words: NullTranslations) -> Chart:
    parties = largest(report.implementation.by_party, "total")[::-1]
    figure = Figure(figsize=(6.4, 0.35 * max(len(parties), 3) + 1.2))
    axes = figure.add_subplot()
    rates = [(g.counts.implementation_rate or 0) * 100 for g in parties]
    axes.barh([_label(g) for g in parties], rates, color=_COLOURS[0])
    axes.set_xlim(0, 100)
    axes.set_xlabel(words.gettext("implementation rate, %"))
    figure.tight_layout()
    rows = [
        [g.name, g.counts.total, g.counts.completed, g.counts.implementation_rate]
        for g in parties[::-1]
    ]
    title = words.gettext("Implementation rate by party")
    return Chart("implementation", title, figure, rows)


def ageing_chart(report: Report, words: NullTranslations) -> Chart:
    parties = [g for g in largest(report.implementation.by_party, "overdue") if g.counts.overdue]
    parties = parties[::-1]
    figure = Figure(figsize=(6.4, 0.35 * max(len(parties), 3) + 1.4))
    axes = figure.add_subplot()
    left = [0] * len(parties)
    for colour, bucket in zip(_COLOURS, AGEING_BUCKETS, strict=True):
        values = [g.counts.ageing[bucket] for g in parties]
        axes.barh(
            [_label(g) for g in parties],
            values,
            left=left,
            color=colour,
            label=words.gettext("%(range)s days") % {"range": bucket},
        )
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_xlabel(words.gettext("overdue key actions"))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    rows = [[g.name, *g.counts.ageing.values()] for g in parties[::-1]]
    return Chart("ageing", words.gettext("Overdue key actions by days overdue"), figure, rows)


def trend_chart(report: Report, words: NullTranslations) -> Chart:
    rate_label = words.gettext("implementation rate, %")
    months = [p.month for p in report.trend]
    figure = Figure(figsize=(6.4, 3.6), layout="constrained")
    axes = figure.add_subplot()
    rates = [
        None if p.implementation_rate is None else p.implementation_rate * 100 for p in report.trend
    ]
    axes.plot(
        months,
        [float("nan") if r is None else r for r in rates],
        marker="o",
        color=_COLOURS[0],
        label=rate_label,
    )
    axes.set_ylim(0, 100)
    axes.set_ylabel(rate_label)
    axes.tick_params(axis="x", labelrotation=45)
    other = axes.twinx()
    other.plot(
        months,
        [p.overdue for p in report.trend],
        marker="s",
        color=_COLOURS[2],
        label=words.gettext("overdue"),
    )
    other.set_ylabel(words.gettext("overdue key actions"))
    other.set_ylim(bottom=0)
    other.yaxis.set_major_locator(MaxNLocator(integer=True))
    figure.legend(loc="outside lower center", ncols=2, fontsize=8)
    rows = [[p.month, p.implementation_rate, p.overdue] for p in report.trend]
    title = words.gettext("Implementation rate and overdue key actions by month")
    return Chart("trend", title, figure, rows)


def charts(report: Report, words: NullTranslations | None = None) -> list[Chart]:
    """The three charts, labelled in the language of `words` (English when None)."""
    words = words or NullTranslations()
    return [
        implementation_chart(report, words),
        ageing_chart(report, words),
        trend_chart(report, words),
    ]


def svg(chart: Chart) -> str:
    """The chart as an <svg> element to put inline in a page (no XML prologue)."""
    buffer = io.StringIO()
    chart.figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def png(chart: Chart) -> bytes:
    buffer = io.BytesIO()
    chart.figure.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    return buffer.getvalue()
