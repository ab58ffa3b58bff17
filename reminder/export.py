"""The portfolio as a tracker file (CSV or XLSX) in the layout `reminder import` reads, so desk
updates can be carried back to the tracking system: exporting and importing the same file
changes nothing.

Cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) are
escaped: in CSV with a leading apostrophe (the importer removes it again), in XLSX by storing
them as text cells, which no spreadsheet evaluates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from reminder import store
from reminder.errors import ReminderError
from reminder.models import Evaluation, KeyAction, Recommendation

HEADER = (
    "Evaluation ID",
    "Evaluation",
    "Office",
    "Source URL",
    "Recommendation No",
    "Recommendation",
    "Key Action",
    "Responsible",
    "Deadline",
    "Status",
    "Comments",
    "Last Updated",
)
FORMATS = ("csv", "xlsx")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: str) -> str:
    """A cell a spreadsheet would not run: a leading apostrophe before a formula character."""
    return "'" + value if value.startswith(FORMULA_START) else value


def rows(session: Session) -> Iterator[tuple[str, ...]]:
    """One row per key action, in import order (evaluation, recommendation, action)."""
    query = (
        select(
            Evaluation.source_id,
            Evaluation.title,
            Evaluation.office,
            Evaluation.source_url,
            Recommendation.number,
            Recommendation.text,
            KeyAction.text,
            KeyAction.responsible_text,
            KeyAction.deadline_label,
            KeyAction.status_label,
            KeyAction.comments,
            KeyAction.updated_on,
        )
        .join(Recommendation, Recommendation.id == KeyAction.recommendation_id)
        .join(Evaluation, Evaluation.id == Recommendation.evaluation_id)
        .order_by(Evaluation.id, Recommendation.position, KeyAction.position)
    )
    result = session.connection().execute(
        query, execution_options={"yield_per": store.STREAM_BATCH}
    )
    for row in result:
        *text, updated_on = row
        yield (*(value or "" for value in text), updated_on.isoformat() if updated_on else "")


def write_csv(session: Session, out: io.TextIOBase) -> int:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    count = 0
    for row in rows(session):
        writer.writerow([escape_formula(value) for value in row])
        count += 1
    return count


def write_xlsx(session: Session, out: io.BufferedIOBase | io.BytesIO) -> int:
    import openpyxl  # only XLSX exports pay for it

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Key actions")
    sheet.append(list(HEADER))
    count = 0
    for row in rows(session):
        cells = []
        for value in row:
            cell = openpyxl.cell.WriteOnlyCell(sheet, value=value)
            # Text, never a formula: openpyxl would store "=..." as one.
            cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
        count += 1
    workbook.save(out)
    return count


def export(session: Session, path: Path, file_format: str | None = None) -> int:
    """Write the portfolio to `path` (format from the option or the suffix); returns the
    number of key actions. Written to a temporary file first: nothing half-written."""
    file_format = file_format or path.suffix.lower().lstrip(".")
    if file_format not in FORMATS:
        raise ReminderError(f"--format: use csv or xlsx (got {file_format!r} from {path})")
    partial = path.with_name(path.name + ".partial")
    try:
        if file_format == "csv":
            with partial.open("w", encoding="utf-8-sig", newline="") as text_out:
                count = write_csv(session, text_out)
        else:
            with partial.open("wb") as binary_out:
                count = write_xlsx(session, binary_out)
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ReminderError(f"{path}: cannot write: {exc}") from None
    return count
