"""Terminal output: aligned tables that fit the screen, and JSON that is stable to parse."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TextIO


def _default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def print_json(data: Any, stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    json.dump(data, stream, indent=2, ensure_ascii=False, default=_default)
    stream.write("\n")


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def print_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    stream: TextIO | None = None,
) -> None:
    """Columns sized to their content. On a terminal, columns are capped at 40 characters and
    the last one is cut to fit the screen; piped or redirected, nothing is cut."""
    stream = stream or sys.stdout
    fit = stream.isatty()
    # One line per row: whitespace inside a value (line breaks in imported text) collapses.
    cells = [[" ".join(("" if v is None else str(v)).split()) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for index, value in enumerate(row[:-1]):
            widths[index] = max(widths[index], len(value))
    if fit:
        widths = [min(width, 40) for width in widths]
        total = shutil.get_terminal_size((120, 24)).columns
        widths[-1] = max(total - sum(widths[:-1]) - 2 * (len(headers) - 1), 20)
    else:
        widths[-1] = max([len(headers[-1])] + [len(row[-1]) for row in cells])

    def line(values: Sequence[str]) -> str:
        if fit:
            values = [_shorten(v, widths[i]) for i, v in enumerate(values)]
        parts = [v.ljust(widths[i]) for i, v in enumerate(values[:-1])]
        return "  ".join([*parts, values[-1]]).rstrip()

    stream.write(line(list(headers)) + "\n")
    stream.write(line(["-" * min(w, 40) for w in widths]) + "\n")
    for row in cells:
        stream.write(line(row) + "\n")
