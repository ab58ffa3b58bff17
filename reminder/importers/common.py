"""What every importer shares: the source file (path, text, collected errors and warnings),
column names, CSV dialect sniffing, the stamp and key-actions regexes, and cell-value readers."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from charset_normalizer import from_bytes

from reminder.deadlines import DATE_ORDERS, Deadline, is_ambiguous, parse_deadline
from reminder.errors import SourceError
from reminder.progress import SILENT, Progress
from reminder.statuses import parse_status

# Header (lower case, single spaces) -> field. Documented in the README.
COLUMNS = {
    "evaluation": "evaluation",
    "evaluation title": "evaluation",
    "title": "evaluation",
    "office": "office",
    "commissioning unit": "office",
    "evaluation id": "source_id",
    "source id": "source_id",
    "source url": "source_url",
    "link": "source_url",
    "url": "source_url",
    "recommendation": "recommendation",
    "recommendation text": "recommendation",
    "recommendation number": "recommendation_number",
    "recommendation no": "recommendation_number",
    "rec no": "recommendation_number",
    "key action": "action",
    "action": "action",
    "key actions": "action",
    "responsible": "responsible",
    "responsible unit": "responsible",
    "responsible party": "responsible",
    "responsible parties": "responsible",
    "deadline": "deadline",
    "due date": "deadline",
    "duedate": "deadline",
    "status": "status",
    "comments": "comments",
    "comment": "comments",
    "last updated": "updated_on",
    "documents": "documents",
    "updated": "updated_on",
    "last update": "updated_on",
}

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_ERRORS = 100  # reported per file; the rest are counted ("and N more")
# C0/C1 control characters other than tab and newline: never legitimate in a field.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_FORMULA_START = ("=", "+", "-", "@")
STAMP = re.compile(r"\[(Added|Last Updated):\s*([^\]]*)\]", re.IGNORECASE)
KEY_ACTIONS = re.compile(r"^Key Actions?\s*:?\s*\|?\s*$", re.IGNORECASE)
T = TypeVar("T")


class SourceErrors(SourceError):
    """Every problem of one file (up to MAX_ERRORS, then a count), one `file:line: field: what`
    per line; the first one's location is the error's own."""

    def __init__(self, errors: list[SourceError], more: int) -> None:
        first = errors[0]
        super().__init__(first.file, first.line, first.field, first.message)
        self.errors = errors
        self.more = more
        lines = [str(error) for error in errors]
        if more:
            lines.append(f"and {more} more")
        self.args = ("\n".join(lines),)

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Warning_:
    """Something the import read but the person should check (an ambiguous date)."""

    line: int
    field: str
    message: str


@dataclass
class SourceFile:
    """One input file: its bytes, its decoded text, and every problem found while reading it.

    Parsers call `error()` to build a SourceError and `attempt()` to run one line's work so
    that a bad line is recorded and reading goes on; `raise_errors()` ends the pass."""

    path: Path
    data: bytes
    date_order: str = "dmy"
    encoding: str = "utf-8"
    errors: list[SourceError] = field(default_factory=list)
    error_count: int = 0
    warnings: list[Warning_] = field(default_factory=list)
    shown: Progress = SILENT  # rows read, on a terminal

    @classmethod
    def open(cls, path: Path, date_order: str = "dmy") -> SourceFile:
        if date_order not in DATE_ORDERS:
            raise SourceError(str(path), None, "date order", f"use one of {DATE_ORDERS}")
        return cls(path, read_bytes(path), date_order)

    @property
    def name(self) -> str:
        return str(self.path)

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def error(self, line: int | None, name: str, message: str) -> SourceError:
        return SourceError(self.name, line, name, message)

    def record(self, exc: SourceError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(exc)

    def attempt(self, work: Callable[[], T]) -> T | None:
        """Run one line's work; a SourceError is recorded (reading goes on) and gives None."""
        self.shown.advance()
        try:
            return work()
        except SourceErrors:
            raise
        except SourceError as exc:
            self.record(exc)
            return None

    def raise_errors(self) -> None:
        if self.errors:
            raise SourceErrors(self.errors, self.error_count - len(self.errors))

    def text(self) -> str:
        """The file as text: UTF-8 (with or without BOM), else the detected encoding."""
        if b"\x00" in self.data[:8192]:
            raise self.error(None, "file", "this is a binary file, not text")
        try:
            text = self.data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            best = from_bytes(self.data).best()
            if best is None or best.encoding in ("utf_8", "utf-8"):
                line = self.data[: exc.start].count(b"\n") + 1
                byte = self.data[exc.start]
                raise self.error(
                    line, "encoding", f"not UTF-8 (byte 0x{byte:02x}) and no other encoding fits"
                ) from None
            self.encoding = best.encoding
            text = str(best)
        return text.replace("\r\n", "\n").replace("\r", "\n")

    # -- cell values ---------------------------------------------------------------------
    def clean(self, line: int, name: str, value: str | None) -> str:
        """Strip a field and refuse control characters (they would corrupt emails)."""
        value = (value or "").strip()
        if value[:1] == "'" and value[1:2] in _FORMULA_START:
            value = value[1:]  # our export's escape of a formula-like cell (reminder.export)
        found = _CONTROL.search(value)
        if found:
            raise self.error(line, name, f"contains the control character {found.group()!r}")
        return value

    def deadline(self, line: int, value: str | None) -> Deadline:
        try:
            deadline = parse_deadline(value, self.date_order)
        except ValueError as exc:
            raise self.error(line, "deadline", str(exc)) from None
        if is_ambiguous(deadline.label):
            self.warn(line, "deadline", f"{deadline.label!r} read as {deadline.due} (--date-order)")
        return deadline

    def warn(self, line: int, name: str, message: str) -> None:
        self.warnings.append(Warning_(line, name, message))

    def status(self, line: int, value: str | None) -> tuple[str, str]:
        try:
            return parse_status(value), " ".join((value or "").split())
        except ValueError as exc:
            raise self.error(line, "status", str(exc)) from None

    def day(self, line: int, name: str, value: str) -> date:
        """A single day (2012/10/07, 2012-10-07, 07/10/2012)."""
        try:
            deadline = parse_deadline(value, self.date_order)
        except ValueError as exc:
            raise self.error(line, name, str(exc)) from None
        if deadline.precision != "day" or deadline.due is None:
            raise self.error(line, name, f"{value!r} is not a day (use 2012-10-07)")
        if is_ambiguous(deadline.label):
            self.warn(line, name, f"{deadline.label!r} read as {deadline.due} (--date-order)")
        return deadline.due

    def stamps(self, line: int, text: str) -> tuple[date | None, date | None]:
        """[Added: 2012/10/07] [Last Updated: 2012/10/08] -> (added, updated)."""
        added = updated = None
        for kind, value in STAMP.findall(text):
            day = self.day(line, kind.lower(), value)
            if kind.lower() == "added":
                added = day
            else:
                updated = day
        return added, updated


def read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SourceError(str(path), None, "file", f"larger than {MAX_FILE_BYTES} bytes")
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(str(path), None, "file", exc.strerror or str(exc)) from None
    if not data.strip():
        raise SourceError(str(path), None, "file", "the file is empty")
    return data


def is_stamp_line(text: str) -> bool:
    return bool(STAMP.search(text)) and not STAMP.sub("", text).strip()


def sniff_delimiter(text: str) -> str:
    """Tab, semicolon or comma: whichever the header line uses most (Excel writes all three)."""
    first_line = text.split("\n", 1)[0]
    return max(("\t", ";", ","), key=lambda mark: (first_line.count(mark), mark == ","))


def csv_rows(source: SourceFile) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) for each record of a delimited text file."""
    text = source.text()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    start = 1
    try:
        for row in reader:
            yield start, row
            start = reader.line_num + 1
    except csv.Error as exc:
        raise source.error(reader.line_num, "csv", str(exc)) from None
