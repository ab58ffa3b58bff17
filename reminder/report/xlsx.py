"""A small XLSX (SpreadsheetML) writer for the report's workbook: sheets of rows of text and
numbers, in three cell styles (plain, bold, percent). Hand-written because openpyxl spent
4 s of CPU on the 590,000 cells of a report at a million actions, this 0.5 s
(docs/architecture.md "Decisions")."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Collection, Sequence
from xml.sax.saxutils import escape, quoteattr

PLAIN, BOLD, PERCENT = 0, 1, 2
_STYLE_ATTRIBUTE = {PLAIN: "", BOLD: ' s="1"', PERCENT: ' s="2"'}
# Characters XML 1.0 cannot hold, even escaped: replaced, as a spreadsheet would show them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Characters Excel refuses in a sheet name, which is at most 31 characters long.
_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLES = (
    f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)


def _column(index: int) -> str:
    """A column's letters: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(reference: str, value: object, style: int) -> str:
    attribute = _STYLE_ATTRIBUTE[style]
    if value is None or value == "":  # an empty cell, as openpyxl writes it
        return ""
    if isinstance(value, str):
        text = escape(_NOT_XML.sub("\ufffd", value))
        return (
            f'<c r="{reference}" t="inlineStr"{attribute}>'
            f'<is><t xml:space="preserve">{text}</t></is></c>'
        )
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"a report cell holds text or a number, not {value!r}")
    return f'<c r="{reference}"{attribute}><v>{value!r}</v></c>'


class Sheet:
    """One sheet's rows, serialised as they are appended."""

    def __init__(self, name: str) -> None:
        self.name = _NOT_IN_SHEET_NAME.sub("-", name)[:31]
        self._rows: list[str] = []
        self._columns: list[str] = []

    def append(
        self, values: Sequence[object], style: int = PLAIN, percent: Collection[int] = ()
    ) -> None:
        """A row; `style` for its cells, but PERCENT for the columns in `percent`."""
        while len(self._columns) < len(values):
            self._columns.append(_column(len(self._columns)))
        number = len(self._rows) + 1
        cells = "".join(
            _cell(f"{self._columns[k]}{number}", value, PERCENT if k in percent else style)
            for k, value in enumerate(values)
        )
        self._rows.append(f'<row r="{number}">{cells}</row>')

    def xml(self) -> str:
        rows = "".join(self._rows)
        return f'{_HEAD}<worksheet xmlns="{_MAIN}"><sheetData>{rows}</sheetData></worksheet>'


def workbook(sheets: Sequence[Sheet]) -> bytes:
    """The XLSX file of `sheets`, in that order."""
    numbers = range(1, len(sheets) + 1)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{_TYPE}.worksheet+xml"/>'
        for n in numbers
    )
    listed = "".join(
        f'<sheet name={quoteattr(sheet.name)} sheetId="{n}" r:id="rId{n}"/>'
        for n, sheet in zip(numbers, sheets, strict=True)
    )
    links = "".join(
        f'<Relationship Id="rId{n}" Type="{_OFFICE}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in numbers
    )
    styles = len(sheets) + 1
    parts = {
        "[Content_Types].xml": f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/'
        '2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        f'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="'
        f'{_TYPE}.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="{_TYPE}'
        f'.styles+xml"/>{overrides}</Types>',
        "_rels/.rels": f'{_HEAD}<Relationships xmlns="{_RELATIONSHIPS}"><Relationship Id="rId1" '
        f'Type="{_OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_OFFICE}"><sheets>'
        f"{listed}</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'{_HEAD}<Relationships xmlns="{_RELATIONSHIPS}">{links}'
        f'<Relationship Id="rId{styles}" Type="{_OFFICE}/styles" Target="styles.xml"/>'
        "</Relationships>",
        "xl/styles.xml": _STYLES,
    }
    parts.update({f"xl/worksheets/sheet{n}.xml": s.xml() for n, s in enumerate(sheets, 1)})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content.encode())
    return buffer.getvalue()
