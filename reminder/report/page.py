"""The report as HTML from the Jinja2 templates in templates/report/: a whole page (`reminder
report --format html`), the page's body for the office web view, and the report email's
parts, each in the reader's language. Every word in the templates goes through the message
catalogs of reminder.i18n (one Jinja2 environment per locale); numbers, shares and dates are
written the locale's way by Babel."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from reminder import i18n
from reminder.render import builtin_templates_dir
from reminder.report.charts import Chart, charts, svg
from reminder.report.figures import Report
from reminder.report.implementation import Group
from reminder.report.language import catalogs, spoken, words
from reminder.report.tables import LISTED, most_overdue
from reminder.report.text import render_text, share


@lru_cache(maxsize=16)
def environment(locale: str = i18n.SOURCE_LOCALE, locale_dir: Path | None = None) -> Environment:
    """The report templates' environment speaking `locale` (one per locale: its
    translations and formatting filters are the environment's globals)."""
    env = Environment(
        loader=FileSystemLoader(str(builtin_templates_dir() / "report")),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    i18n.install(env, locale, catalogs(locale_dir))
    env.filters["share"] = lambda value: share(value, locale)
    return env


def _rows(groups: list[Group], key: Any) -> list[Any]:
    return [{"cells": key(g), "counts": g.counts} for g in groups]


def context(
    report: Report, pictures: Mapping[str, Markup], drawn: list[Chart], full: bool
) -> dict[str, Any]:
    impl, resp = report.implementation, report.responsiveness
    return {
        "report": report,
        "full": full,
        "overall": impl.overall,
        "ageing": impl.overall.ageing,
        # A page is read: the most overdue parties and evaluations; the workbook has all.
        "by_party": _rows(most_overdue(impl.by_party), lambda g: [g.name]),
        "by_evaluation": _rows(most_overdue(impl.by_evaluation), lambda g: [g.name]),
        "counts": {
            "party": len(impl.by_party),
            "evaluation": len(impl.by_evaluation),
            "silent": len(resp.silent),
            "escalations": len(resp.escalations),
        },
        "silent": resp.silent[:LISTED],
        "escalations": resp.escalations[:LISTED],
        "by_office": _rows(impl.by_office, lambda g: [g.name]),
        "by_year": _rows(impl.by_year, lambda g: [g.name]),
        "resp": resp,
        "within_14": (*resp.within_14, _rate(resp.within_14)),
        "within_30": (*resp.within_30, _rate(resp.within_30)),
        "pictures": pictures,
        "charts": {chart.name: chart.rows for chart in drawn},
    }


def _rate(pair: tuple[int, int]) -> float | None:
    return round(pair[0] / pair[1], 4) if pair[1] else None


def _inline(
    report: Report, locale: str, locale_dir: Path | None, full: bool = True
) -> dict[str, Any]:
    drawn = charts(report, words(locale, locale_dir))
    # matplotlib writes the SVG itself and escapes the text it holds.
    pictures = {chart.name: Markup(svg(chart)) for chart in drawn}
    return context(report, pictures, drawn, full)


def render_report_body(
    report: Report, locale: str = i18n.SOURCE_LOCALE, locale_dir: Path | None = None
) -> Markup:
    """The report as an HTML fragment in `locale` (a <div class="report">, charts as inline
    SVG, and report.css's rules needed beside it: see `report_stylesheet`), for a page of the
    office web view to place inside its own layout."""
    env = environment(spoken(locale, locale_dir), locale_dir)
    return Markup(env.get_template("_body.html").render(_inline(report, locale, locale_dir)))


def report_stylesheet() -> str:
    """The CSS the report body expects (all rules scoped under .report, except body)."""
    env = environment()
    source, _, _ = env.loader.get_source(env, "report.css")  # type: ignore[union-attr]
    return source


def render_report_page(
    report: Report, locale: str = i18n.SOURCE_LOCALE, locale_dir: Path | None = None
) -> str:
    """The report as a complete, self-contained HTML page in `locale`."""
    env = environment(spoken(locale, locale_dir), locale_dir)
    return env.get_template("page.html").render(_inline(report, locale, locale_dir))


def render_email_parts(
    report: Report, month: str, locale: str = i18n.SOURCE_LOCALE, locale_dir: Path | None = None
) -> tuple[str, str, str, list[Chart]]:
    """(subject, text, html, charts) of the report email in `locale`; the HTML refers to each
    chart as cid:<name>@report, the Content-ID its PNG part will carry."""
    drawn = charts(report, words(locale, locale_dir))
    pictures = {
        chart.name: Markup('<img src="cid:{0}@report" alt="{1}">').format(chart.name, chart.title)
        for chart in drawn
    }
    values = context(report, pictures, drawn, full=False)
    values.update(month=month, text_report=render_text(report, locale, locale_dir))
    env = environment(spoken(locale, locale_dir), locale_dir)
    subject = env.get_template("email.subject.txt").render(values).strip()
    text = env.get_template("email.txt").render(values)
    html = env.get_template("email.html").render(values)
    return subject, text, html, drawn


__all__ = ["render_email_parts", "render_report_body", "render_report_page", "report_stylesheet"]
