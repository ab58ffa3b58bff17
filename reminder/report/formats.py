"""One report, four formats as bytes (text, json, html, xlsx), and writing one to a file
whole or not at all."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from reminder import i18n
from reminder.errors import ReminderError
from reminder.report.figures import Report

FORMATS = ("text", "json", "html", "xlsx")


def render_report(
    report: Report, form: str, locale: str = i18n.SOURCE_LOCALE, locale_dir: Path | None = None
) -> bytes:
    """The report as `form`, its words in `locale` from the shipped catalogs and those of
    `locale_dir` (REMINDER_LOCALE_DIR) on top (JSON has none: its keys stay English)."""
    if form == "json":
        return (json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n").encode()
    if form == "text":
        from reminder.report.text import render_text

        return render_text(report, locale, locale_dir).encode()
    if form == "html":
        from reminder.report.page import render_report_page

        return render_report_page(report, locale, locale_dir).encode()
    if form == "xlsx":
        from reminder.report.workbook import render_xlsx

        return render_xlsx(report, locale, locale_dir)
    raise ReminderError(f"unknown report format {form!r} (use {', '.join(FORMATS)})")


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: a reader never sees half a file,
    and an existing file is only replaced by a whole new one."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ReminderError(f"--out {path}: no such folder: {folder}")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise ReminderError(f"--out {path}: {exc.strerror or exc}") from None
