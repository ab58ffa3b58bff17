"""The report as plain text: each table with its title, columns sized to their content."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reminder.report.figures import Report
from reminder.report.tables import Table, tables


def share(value: float | None) -> str:
    """0.3333 -> '33.3%'; None (nothing to divide by) -> '-'."""
    return "-" if value is None else f"{value * 100:.1f}%"


def _cells(table: Table, row: Sequence[Any]) -> list[str]:
    return [
        share(value) if index in table.shares else ("" if value is None else str(value))
        for index, value in enumerate(row)
    ]


def _table(table: Table) -> list[str]:
    rows = [_cells(table, row) for row in table.rows]
    widths = [len(h) for h in table.headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(values: Sequence[str]) -> str:
        # Numbers right-aligned, names left-aligned, as in a spreadsheet.
        cells = [
            v.rjust(w) if v[:1].isdigit() or v in ("-",) else v.ljust(w)
            for v, w in zip(values, widths, strict=True)
        ]
        return "  ".join(cells).rstrip()

    out = [table.title, "=" * len(table.title), line(list(table.headers))]
    out.append("  ".join("-" * w for w in widths))
    out.extend(line(row) for row in rows)
    if not rows:
        out.append("(none)")
    out.extend(table.notes)
    return out


def render_text(report: Report) -> str:
    head = [
        f"Key-action report as of {report.as_of} (reminders and escalations from {report.since})",
        "",
    ]
    body: list[str] = []
    for table in tables(report):
        body.extend([*_table(table), ""])
    return "\n".join(head + body).rstrip() + "\n"
