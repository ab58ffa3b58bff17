"""Key-action tables written as `|`-separated cells split over lines (copied web pages): the
header as `Key Actions` / `|` / `Responsible |` ..., an action cell from `| ` to ` |`, a deadline
as a value on one line and `|` on the next. Read as one stream of cells, then rows."""

from __future__ import annotations

import re

from reminder.importers.common import COLUMNS

# A rejected recommendation carries this placeholder instead of actions.
NO_ACTIONS = re.compile(r"^\|?\s*Key Actions? not added\.?\s*\|?$", re.IGNORECASE)
# The resource centre ends a comments cell with the label of its history link.
_HISTORY_LABEL = re.compile(r"(?:^|\n)\s*History\s*$")


def is_cell_stream(lines: list[tuple[int, str]]) -> bool:
    """True when the table's cells are split over lines (a `|` alone, or a cell that only
    ends with `|`), rather than one `| a | b | c |` row per line."""
    return any(line == "|" or (line.endswith("|") and line.count("|") == 1) for _, line in lines)


def cell_stream(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """(first line, text) of each cell: the text between two `|`, joined over lines."""
    cells: list[tuple[int, str]] = []
    parts: list[str] = []
    first = 0
    for number, line in lines:
        for index, piece in enumerate(line.split("|")):
            if index > 0:
                cells.append((first, "\n".join(parts).strip()))
                parts, first = [], 0
            if piece.strip():
                parts.append(piece.strip())
                first = first or number
    if parts:
        cells.append((first, "\n".join(parts).strip()))
    return cells


def header_columns(cells: list[tuple[int, str]]) -> tuple[list[str], int]:
    """The leading cells that are column headings -> (field names, cells used). The action
    column comes first even when its heading was the `Key Actions` line above the table."""
    names: list[str] = []
    used = len(cells)
    for index, (_, text) in enumerate(cells):
        if not text and not names:
            continue
        name = COLUMNS.get(" ".join(text.lower().split()))
        if not name:
            used = index
            break
        names.append(name)
    if names and "action" not in names:
        names.insert(0, "action")
    return names, used


def rows_of(cells: list[tuple[int, str]], width: int) -> list[list[tuple[int, str]]]:
    """Group cells into rows of `width`; empty cells between rows (`|` then `|`) are skipped,
    since an action cell is never empty."""
    rows: list[list[tuple[int, str]]] = []
    row: list[tuple[int, str]] = []
    for line, text in cells:
        if not row and not text:
            continue
        row.append((line, text))
        if len(row) == width:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    return rows


def drop_history_label(comments: str) -> str:
    return _HISTORY_LABEL.sub("", comments).strip()
