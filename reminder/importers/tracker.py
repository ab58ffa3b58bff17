"""CSV, tab-separated and XLSX trackers: one row per key action, columns found by their
common names."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial

from reminder.errors import SourceError
from reminder.importers.common import COLUMNS, SourceFile, csv_rows
from reminder.importers.records import ActionRecord, EvaluationRecord, RecommendationRecord

REQUIRED = ("action", "responsible", "deadline", "status")
MAX_XLSX_UNCOMPRESSED = 512 * 1024 * 1024


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


def xlsx_rows(source: SourceFile) -> Iterator[tuple[int, list[str]]]:
    import openpyxl  # imported here: only XLSX imports pay for it

    try:
        with zipfile.ZipFile(io.BytesIO(source.data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNCOMPRESSED:
                raise source.error(None, "file", "the workbook unpacks to over 512 MiB")
        workbook = openpyxl.load_workbook(io.BytesIO(source.data), read_only=True, data_only=True)
    except SourceError:
        raise
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise source.error(None, "file", f"not a readable XLSX workbook: {exc}") from None
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(value) for value in row]
    finally:
        workbook.close()


@dataclass
class _Row:
    """One tracker row, read by field name."""

    source: SourceFile
    mapping: dict[str, int]
    cells: list[str]
    line: int

    def __call__(self, name: str) -> str:
        index = self.mapping.get(name)
        value = self.cells[index] if index is not None and index < len(self.cells) else ""
        return self.source.clean(self.line, name, value)


@dataclass
class TrackerParser:
    """Rows grouped into evaluations and recommendations, in order of first appearance."""

    source: SourceFile
    evaluations: dict[str, EvaluationRecord] = field(default_factory=dict)
    recommendations: dict[tuple[str, str], RecommendationRecord] = field(default_factory=dict)

    def parse(self, rows: Iterator[tuple[int, list[str]]]) -> list[EvaluationRecord]:
        mapping: dict[str, int] | None = None
        for line, cells in rows:
            if not any(value.strip() for value in cells):
                continue
            if mapping is None:
                mapping = self.header(line, cells)
                continue
            row = _Row(self.source, mapping, cells, line)
            self.source.attempt(partial(self.add_row, row))
        if mapping is None:
            raise self.source.error(None, "file", "no header row found")
        self.source.raise_errors()
        if not self.evaluations:
            raise self.source.error(None, "file", "the tracker has a header but no key actions")
        return list(self.evaluations.values())

    def header(self, line: int, cells: list[str]) -> dict[str, int]:
        mapping: dict[str, int] = {}
        for index, name in enumerate(cells):
            found = COLUMNS.get(" ".join(str(name or "").lower().replace("_", " ").split()))
            if found and found not in mapping:
                mapping[found] = index
        missing = [name for name in REQUIRED if name not in mapping]
        if missing:
            found_names = ", ".join(str(cell) for cell in cells if cell)
            raise self.source.error(
                line, missing[0], f"missing required column {missing[0]!r} (found: {found_names})"
            )
        return mapping

    def add_row(self, row: _Row) -> None:
        action = self.action(row)
        self.recommendation(row).actions.append(action)

    def recommendation(self, row: _Row) -> RecommendationRecord:
        title = row("evaluation") or self.source.path.stem
        source_id = row("source_id") or None
        office = row("office") or None
        key = f"id:{source_id}" if source_id else f"{office}|{title}"
        evaluation = self.evaluations.get(key)
        if evaluation is None:
            evaluation = EvaluationRecord(
                line=row.line,
                title=title,
                office=office,
                source_id=source_id,
                source_url=row("source_url") or None,
            )
            self.evaluations[key] = evaluation
        number = row("recommendation_number") or None
        text = row("recommendation")
        rec = self.recommendations.get((key, number or text))
        if rec is None:
            ordinal = number or str(len(evaluation.recommendations) + 1)
            rec = RecommendationRecord(
                line=row.line, number=number, text=text or f"Recommendation {ordinal}"
            )
            self.recommendations[(key, number or text)] = rec
            evaluation.recommendations.append(rec)
        return rec

    def action(self, row: _Row) -> ActionRecord:
        text = row("action")
        if not text:
            raise self.source.error(row.line, "action", "the key action is empty")
        code, label = self.source.status(row.line, row("status"))
        updated = row("updated_on")
        return ActionRecord(
            line=row.line,
            text=text,
            responsible_text=row("responsible"),
            deadline=self.source.deadline(row.line, row("deadline")),
            status=code,
            status_label=label,
            comments=row("comments"),
            updated_on=self.source.day(row.line, "last updated", updated) if updated else None,
        )


def parse(source: SourceFile, file_format: str) -> list[EvaluationRecord]:
    rows = xlsx_rows(source) if file_format == "xlsx" else csv_rows(source)
    return TrackerParser(source).parse(rows)
