"""The report as plain text in a language: each table with its title, columns sized to their
content, numbers and shares written the locale's way (Babel). It is for reading, so the party
and evaluation tables stop at the most overdue (tables.LISTED); the XLSX and JSON hold all."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.numbers import format_percent

from reminder import i18n
from reminder.report.figures import Report
from reminder.report.language import spoken, words
from reminder.report.tables import LISTED, Table, heading, tables


@lru_cache(maxsize=16)
def _percent_pattern(locale: str) -> str:
    """The locale's percent pattern ("#,##0 %" in French) with one decimal."""
    pattern = Locale.parse(locale).percent_formats[None].pattern.split(";")[0]
    return re.sub(r"0(?!.*0)", "0.0", pattern)


def share(value: float | None, locale: str = i18n.SOURCE_LOCALE) -> str:
    """0.3333 -> '33.3%' ('33,3 %' in French); None (nothing to divide by) -> '-'."""
    if value is None:
        return "-"
    return format_percent(value, _percent_pattern(locale), locale=locale)


def _cell(value: Any, locale: str) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return i18n.number(value, locale)
    return str(value)


def _cells(table: Table, row: Sequence[Any], locale: str) -> list[str]:
    return [
        share(value, locale) if index in table.shares else _cell(value, locale)
        for index, value in enumerate(row)
    ]


def _table(table: Table, locale: str) -> list[str]:
    rows = [_cells(table, row, locale) for row in table.rows]
    widths = [len(h) for h in table.headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(values: Sequence[str]) -> str:
        # Numbers right-aligned, names left-aligned, as in a spreadsheet.
        cells = [
            v.rjust(w) if v[:1].isdigit() or v in ("-",) else v.ljust(w)
            for v, w in zip(values, widths, strict=True)
        ]
        return "  ".join(cells).rstrip()

    out = [table.title, "=" * len(table.title), line(list(table.headers))]
    out.append("  ".join("-" * w for w in widths))
    out.extend(line(row) for row in rows)
    if not rows:
        out.append(table.empty)
    out.extend(table.notes)
    return out


def render_text(
    report: Report, locale: str = i18n.SOURCE_LOCALE, locale_dir: Path | None = None
) -> str:
    """The report in `locale` (or the closest language with a catalog), with the catalogs
    of `locale_dir` (REMINDER_LOCALE_DIR) on top of the shipped ones."""
    locale = spoken(locale, locale_dir)
    said = words(locale, locale_dir)
    head = [heading(report, said), ""]
    body: list[str] = []
    for table in tables(report, said, LISTED):
        body.extend([*_table(table, locale), ""])
    return "\n".join(head + body).rstrip() + "\n"
