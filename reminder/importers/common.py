"""Helpers every importer shares: reading text safely, and turning cell values into records."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

from reminder.deadlines import Deadline, parse_deadline
from reminder.errors import SourceError
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
# C0/C1 control characters other than tab and newline: never legitimate in a field.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_FORMULA_START = ("=", "+", "-", "@")
STAMP = re.compile(r"\[(Added|Last Updated):\s*([^\]]*)\]", re.IGNORECASE)


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


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_text(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM); binary files are refused with the offending line."""
    if b"\x00" in data[:8192]:
        raise SourceError(str(path), None, "file", "this is a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            str(path), line, "encoding", f"not UTF-8 (byte 0x{data[exc.start]:02x}); save as UTF-8"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def clean(path: Path, line: int, field: str, value: str | None) -> str:
    """Strip a field and refuse control characters (they would corrupt emails and headers)."""
    value = (value or "").strip()
    if value[:1] == "'" and value[1:2] in _FORMULA_START:
        value = value[1:]  # our export's escape of a formula-like cell (reminder.export)
    if _CONTROL.search(value):
        char = _CONTROL.search(value).group()  # type: ignore[union-attr]
        raise SourceError(str(path), line, field, f"contains the control character {char!r}")
    return value


def deadline_of(path: Path, line: int, value: str | None) -> Deadline:
    try:
        return parse_deadline(value)
    except ValueError as exc:
        raise SourceError(str(path), line, "deadline", str(exc)) from None


def status_of(path: Path, line: int, value: str | None) -> tuple[str, str]:
    try:
        return parse_status(value), " ".join((value or "").split())
    except ValueError as exc:
        raise SourceError(str(path), line, "status", str(exc)) from None


def date_of(path: Path, line: int, field: str, value: str) -> date:
    """A single day (2012/10/07, 2012-10-07, 07/10/2012)."""
    try:
        deadline = parse_deadline(value)
    except ValueError as exc:
        raise SourceError(str(path), line, field, str(exc)) from None
    if deadline.precision != "day" or deadline.due is None:
        raise SourceError(str(path), line, field, f"{value!r} is not a day (use 2012-10-07)")
    return deadline.due


def stamp_dates(path: Path, line: int, text: str) -> tuple[date | None, date | None]:
    """[Added: 2012/10/07] [Last Updated: 2012/10/08] -> (added, updated)."""
    added = updated = None
    for kind, value in STAMP.findall(text):
        day = date_of(path, line, kind.lower(), value)
        if kind.lower() == "added":
            added = day
        else:
            updated = day
    return added, updated


def is_stamp_line(text: str) -> bool:
    return bool(STAMP.search(text)) and not STAMP.sub("", text).strip()
