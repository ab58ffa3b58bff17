"""What `reminder import` prints: a file's summary (counts, encoding, unresolved names and
guessed splits grouped by name, ambiguous dates, kept desk updates, stored recommendations and
actions the file no longer has) and a file's errors."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from reminder.errors import SourceError
from reminder.importers.common import SourceErrors

FIRST_LINES = 5  # lines shown per grouped name
FIRST_MISSING = 20  # stored actions not in the file, shown by name (--json has more)
SHORT_TEXT = 100


def error_list(exc: SourceError) -> list[dict[str, Any]]:
    """Every error of a file, for --json."""
    errors = exc.errors if isinstance(exc, SourceErrors) else [exc]
    items: list[dict[str, Any]] = [
        {"file": e.file, "line": e.line, "field": e.field, "message": e.message} for e in errors
    ]
    if isinstance(exc, SourceErrors) and exc.more:
        items.append(
            {"file": exc.file, "line": None, "field": None, "message": f"and {exc.more} more"}
        )
    return items


def _lines(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:FIRST_LINES])
    return (
        f"lines {shown}, …"
        if len(numbers) > FIRST_LINES
        else f"line{'s' if len(numbers) > 1 else ''} {shown}"
    )


def grouped(items: list[dict[str, Any]], key: str) -> list[tuple[str, list[int]]]:
    """[(name, [line, ...])], most frequent first: one entry per name, not one per row."""
    lines: dict[str, list[int]] = defaultdict(list)
    for item in items:
        lines[str(item[key])].append(int(item["line"]))
    return sorted(lines.items(), key=lambda entry: (-len(entry[1]), entry[0]))


def _counts(counter: dict[str, int], noun: str) -> str:
    parts = [f"{count:,} {key}" for key, count in counter.items() if count]
    return f"{noun}: " + (", ".join(parts) if parts else "none")


def summary_lines(summary: dict[str, Any], dry_run: bool) -> list[str]:
    prefix = "Would import" if dry_run else "Imported"
    encoding = summary.get("encoding", "utf-8")
    note = (
        "" if encoding.replace("_", "-").lower() in ("utf-8", "ascii") else f", read as {encoding}"
    )
    out = [f"{prefix} {summary['file']} ({summary['file_format']}{note})"]
    out += [
        "  " + _counts(summary[k], k.replace("_", " "))
        for k in ("evaluations", "recommendations", "key_actions")
    ]
    if summary["unresolved"]:
        out.append("  responsible names not in the directory (routed to the catch-all party):")
        for name, numbers in grouped(summary["unresolved"], "name"):
            rows = f"{len(numbers):,} row{'s' if len(numbers) > 1 else ''}"
            out.append(f"    {name} — {rows} ({_lines(numbers)})")
    if summary["guesses"]:
        out.append("  rows where the split between action and responsible was a guess:")
        for reason, numbers in grouped(summary["guesses"], "reason"):
            out.append(f"    {reason} — {len(numbers):,} ({_lines(numbers)})")
    for message, numbers in grouped(summary.get("warnings", []), "message"):
        out.append(f"  warning: {message} ({_lines(numbers)})")
    for kept in summary.get("kept_desk_updates", []):
        out.append(
            f"  line {kept['line']}: kept the newer update of {kept['date']} by {kept['by']}"
        )
    return out + _missing_lines(summary)


def _missing_lines(summary: dict[str, Any]) -> list[str]:
    """Stored recommendations and actions the file no longer has: kept as they were, still
    reminded while open, so the office can close them on the desk or restore their rows."""
    out = []
    for rec in summary.get("missing_recommendations", [])[:FIRST_MISSING]:
        out.append(
            "  recommendation not in the file, kept as it was with its key actions: "
            f"{rec['evaluation']}, recommendation {rec['recommendation']}: {_short(rec['text'])}"
        )
    more = summary["recommendations"].get("not in file (kept)", 0) - len(out)
    if more > 0:
        out.append(f"  … and {more:,} more recommendations not in the file, kept as they were")
    return out + _missing_action_lines(summary)


def _short(text: str) -> str:
    return text if len(text) <= SHORT_TEXT else text[: SHORT_TEXT - 1] + "…"


def _missing_action_lines(summary: dict[str, Any]) -> list[str]:
    missing = summary.get("missing_actions", [])
    out = []
    for action in missing[:FIRST_MISSING]:
        out.append(
            f"  not in the file, kept as they were: {action['evaluation']}, "
            f"recommendation {action['recommendation']}: {_short(action['text'])}"
        )
    more = summary["key_actions"].get("not in file (kept)", 0) - len(out)
    if more > 0:
        out.append(f"  … and {more:,} more key actions not in the file, kept as they were")
    return out
