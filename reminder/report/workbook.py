"""The report as an XLSX workbook (report.xlsx writes it): a sheet per table, shares as numbers
formatted as percentages, and text that a spreadsheet would read as a formula escaped. Sheet
names, titles, headers and notes are in the reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reminder import i18n
from reminder.report.figures import Report
from reminder.report.language import words
from reminder.report.tables import Table, tables
from reminder.report.xlsx import BOLD, Sheet, workbook

# A cell starting with one of these is a formula (or DDE) to Excel and LibreOffice.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: str) -> str:
    """Text as text: a leading apostrophe stops a spreadsheet from evaluating it."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _text_safe(row: Sequence[Any]) -> list[Any]:
    return [escape_formula(value) if isinstance(value, str) else value for value in row]


def _sheet(table: Table) -> Sheet:
    sheet = Sheet(table.name)
    sheet.append([escape_formula(table.title)], BOLD)
    sheet.append(_text_safe(table.headers), BOLD)
    for row in table.rows:
        sheet.append(_text_safe(row), percent=table.shares)
    for note in table.notes:
        sheet.append([escape_formula(note)])
    return sheet


def render_xlsx(
    report: Report, locale: str = i18n.SOURCE_LOCALE, locale_dir: Path | None = None
) -> bytes:
    """Row 1 of each sheet is its title, row 2 the headers, then the data, then notes."""
    return workbook([_sheet(table) for table in tables(report, words(locale, locale_dir))])
