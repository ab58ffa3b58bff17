"""The report as an XLSX workbook (openpyxl, write-only): a sheet per table, shares as numbers
formatted as percentages, and text that a spreadsheet would read as a formula escaped. Sheet
names, titles, headers and notes are in the reader's language."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from reminder import i18n
from reminder.report.figures import Report
from reminder.report.language import words
from reminder.report.tables import Table, tables

# A cell starting with one of these is a formula (or DDE) to Excel and LibreOffice.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: str) -> str:
    """Text as text: a leading apostrophe stops a spreadsheet from evaluating it."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _cell(sheet: WriteOnlyWorksheet, value: Any, share: bool, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, str):
        value = escape_formula(value)
    cell = WriteOnlyCell(sheet, value=value)
    if share:
        cell.number_format = "0.0%"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _sheet(book: Workbook, table: Table) -> None:
    sheet = book.create_sheet(table.name[:31])
    sheet.append([_cell(sheet, table.title, False, bold=True)])
    sheet.append([_cell(sheet, header, False, bold=True) for header in table.headers])
    for row in table.rows:
        # Plain values reuse one cell inside openpyxl; only a share needs a styled cell of
        # its own (a sheet may hold 25,000 rows).
        sheet.append(
            [
                _cell(sheet, value, True)
                if index in table.shares
                else escape_formula(value)
                if isinstance(value, str)
                else value
                for index, value in enumerate(row)
            ]
        )
    for note in table.notes:
        sheet.append([_cell(sheet, note, False)])


def render_xlsx(report: Report, locale: str = i18n.SOURCE_LOCALE) -> bytes:
    """Row 1 of each sheet is its title, row 2 the headers, then the data, then notes."""
    book = Workbook(write_only=True)
    for table in tables(report, words(locale)):
        _sheet(book, table)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
