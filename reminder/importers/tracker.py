"""CSV and XLSX trackers: one row per key action, columns found by their common names."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from reminder.errors import SourceError
from reminder.importers.common import COLUMNS, clean, date_of, deadline_of, decode_text, status_of
from reminder.importers.records import ActionRecord, EvaluationRecord, RecommendationRecord

REQUIRED = ("action", "responsible", "deadline", "status")
MAX_XLSX_UNCOMPRESSED = 512 * 1024 * 1024


def _header_map(path: Path, line: int, header: list[str]) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for index, name in enumerate(header):
        field = COLUMNS.get(" ".join(str(name or "").lower().replace("_", " ").split()))
        if field and field not in mapping:
            mapping[field] = index
    missing = [field for field in REQUIRED if field not in mapping]
    if missing:
        raise SourceError(
            str(path),
            line,
            missing[0],
            f"missing required column {missing[0]!r} "
            f"(found: {', '.join(str(h) for h in header if h)})",
        )
    return mapping


def _csv_rows(path: Path, data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = decode_text(path, data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for row in reader:
            yield start, row
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SourceError(str(path), reader.line_num, "csv", str(exc)) from None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(path: Path, data: bytes) -> Iterator[tuple[int, list[str]]]:
    import openpyxl  # imported here: only XLSX imports pay for it

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNCOMPRESSED:
                raise SourceError(str(path), None, "file", "the workbook unpacks to over 512 MiB")
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except SourceError:
        raise
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise SourceError(str(path), None, "file", f"not a readable XLSX workbook: {exc}") from None
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(value) for value in row]
    finally:
        workbook.close()


@dataclass
class _Cells:
    """One tracker row, read by field name."""

    path: Path
    mapping: dict[str, int]
    row: list[str]
    line: int

    def __call__(self, field: str) -> str:
        index = self.mapping.get(field)
        value = self.row[index] if index is not None and index < len(self.row) else ""
        return clean(self.path, self.line, field, value)


@dataclass
class _Grouping:
    """Rows grouped into evaluations and recommendations, in order of first appearance."""

    path: Path
    evaluations: dict[str, EvaluationRecord] = field(default_factory=dict)
    recommendations: dict[tuple[str, str], RecommendationRecord] = field(default_factory=dict)

    def recommendation(self, cell: _Cells) -> RecommendationRecord:
        title = cell("evaluation") or self.path.stem
        source_id = cell("source_id") or None
        office = cell("office") or None
        key = f"id:{source_id}" if source_id else f"{office}|{title}"
        evaluation = self.evaluations.get(key)
        if evaluation is None:
            evaluation = EvaluationRecord(
                line=cell.line,
                title=title,
                office=office,
                source_id=source_id,
                source_url=cell("source_url") or None,
            )
            self.evaluations[key] = evaluation
        number = cell("recommendation_number") or None
        text = cell("recommendation")
        rec = self.recommendations.get((key, number or text))
        if rec is None:
            ordinal = number or str(len(evaluation.recommendations) + 1)
            rec = RecommendationRecord(
                line=cell.line, number=number, text=text or f"Recommendation {ordinal}"
            )
            self.recommendations[(key, number or text)] = rec
            evaluation.recommendations.append(rec)
        return rec


def _action(path: Path, cell: _Cells) -> ActionRecord:
    text = cell("action")
    if not text:
        raise SourceError(str(path), cell.line, "action", "the key action is empty")
    code, label = status_of(path, cell.line, cell("status"))
    updated = cell("updated_on")
    return ActionRecord(
        line=cell.line,
        text=text,
        responsible_text=cell("responsible"),
        deadline=deadline_of(path, cell.line, cell("deadline")),
        status=code,
        status_label=label,
        comments=cell("comments"),
        updated_on=date_of(path, cell.line, "last updated", updated) if updated else None,
    )


def parse(path: Path, data: bytes, file_format: str) -> list[EvaluationRecord]:
    rows = _xlsx_rows(path, data) if file_format == "xlsx" else _csv_rows(path, data)
    mapping: dict[str, int] | None = None
    grouping = _Grouping(path)
    for line, row in rows:
        if not any(value.strip() for value in row):
            continue
        if mapping is None:
            mapping = _header_map(path, line, row)
            continue
        cell = _Cells(path, mapping, row, line)
        grouping.recommendation(cell).actions.append(_action(path, cell))
    if mapping is None:
        raise SourceError(str(path), None, "file", "no header row found")
    if not grouping.evaluations:
        raise SourceError(str(path), None, "file", "the tracker has a header but no key actions")
    return list(grouping.evaluations.values())
