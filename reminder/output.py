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
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def print_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    wrap_last: bool = True,
    stream: TextIO | None = None,
) -> None:
    """Columns sized to their content; the last column is cut to fit the terminal."""
    stream = stream or sys.stdout
    cells = [[("" if value is None else str(value)) for value in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for index, value in enumerate(row[:-1]):
            widths[index] = min(max(widths[index], len(value)), 40)
    total = shutil.get_terminal_size((120, 24)).columns
    last = max(total - sum(widths[:-1]) - 2 * (len(headers) - 1), 20)
    widths[-1] = last

    def line(values: Sequence[str]) -> str:
        parts = [_shorten(v, widths[i]).ljust(widths[i]) for i, v in enumerate(values[:-1])]
        parts.append(_shorten(values[-1], widths[-1]) if wrap_last else values[-1])
        return "  ".join(parts).rstrip()

    stream.write(line(list(headers)) + "\n")
    stream.write(line(["-" * min(w, 40) for w in widths[:-1]] + ["-" * min(widths[-1], 40)]) + "\n")
    for row in cells:
        stream.write(line(row) + "\n")
