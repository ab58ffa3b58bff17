"""The report's own XLSX writer (reminder.report.xlsx), read back by openpyxl: text stays text
whatever its characters, numbers stay numbers, the three styles, and sheet names a spreadsheet
accepts."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from reminder.report.xlsx import BOLD, Sheet, workbook


def _read(*sheets: Sheet) -> Workbook:
    return load_workbook(io.BytesIO(workbook(list(sheets))))


def test_cells_read_back_as_written() -> None:
    sheet = Sheet("Cells")
    sheet.append(["a & b <c> \"d\" 'e'", "  spaced  ", "Ünïcödé, 日本, русский"])
    sheet.append([7, 0.2857, -1.5, None, "", "after the gaps"])
    sheet.append(["bell\x07 and nul\x00", "tab\tkept"])  # XML cannot hold \x07 nor \x00
    book = _read(sheet)["Cells"]
    assert [cell.value for cell in book[1]][:3] == [
        "a & b <c> \"d\" 'e'",
        "  spaced  ",  # xml:space="preserve"
        "Ünïcödé, 日本, русский",
    ]
    assert [cell.value for cell in book[2]] == [7, 0.2857, -1.5, None, None, "after the gaps"]
    assert [cell.value for cell in book[3]][:2] == ["bell\ufffd and nul\ufffd", "tab\tkept"]


def test_bold_rows_and_percent_columns() -> None:
    sheet = Sheet("Styles")
    sheet.append(["Title"], BOLD)
    sheet.append(["name", "rate"], BOLD)
    sheet.append(["row", 0.25], percent={1})
    cells = _read(sheet)["Styles"]
    assert cells["A1"].font.b and cells["B2"].font.b
    assert not cells["A3"].font.b and cells["A3"].number_format == "General"
    assert cells["B3"].number_format == "0.0%" and cells["B3"].value == 0.25


def test_sheet_names_a_spreadsheet_accepts_in_order() -> None:
    long = "Implementation by responsible party and office"
    book = _read(Sheet("A/B: [x]?"), Sheet(long), Sheet("Итого"))
    assert book.sheetnames == ["A-B- -x--", long[:31], "Итого"]


def test_columns_past_z_and_a_whole_package() -> None:
    sheet = Sheet("Wide")
    sheet.append(list(range(30)))
    data = workbook([sheet])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert "[Content_Types].xml" in archive.namelist()
    cells = load_workbook(io.BytesIO(data))["Wide"]
    assert (cells["Z1"].value, cells["AA1"].value, cells["AD1"].value) == (25, 26, 29)


@pytest.mark.parametrize("value", [True, date(2027, 1, 15), [1]])
def test_a_cell_holds_only_text_or_a_number(value: object) -> None:
    with pytest.raises(TypeError, match="a report cell holds text or a number"):
        Sheet("Bad").append([value])
