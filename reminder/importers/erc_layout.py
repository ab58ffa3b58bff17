"""The evaluation resource centre text layout: `N. Recommendation:`, stamped management
responses, and per key action its text, a stamp line, then `responsible deadline status comments`.
"""

from __future__ import annotations

import re
from pathlib import Path

from reminder.errors import SourceError
from reminder.importers.common import (
    STAMP,
    clean,
    deadline_of,
    is_stamp_line,
    stamp_dates,
    status_of,
)
from reminder.importers.records import ActionRecord, EvaluationRecord, RecommendationRecord
from reminder.importers.rows import find_flat_row, split_number

_RECOMMENDATION = re.compile(r"^(?P<n>\d+(?:\.\d+)*)\.?\s*Recommendation\s*:\s*(?P<text>.*)$", re.I)
_RESPONSE = re.compile(r"^Management Response\s*:\s*(?P<rest>.*)$", re.IGNORECASE)
_KEY_ACTIONS = re.compile(r"^Key Actions?\s*:?\s*$", re.IGNORECASE)
_TABLE_HEADER = re.compile(r"^Key Action\s+Responsible\b", re.IGNORECASE)
_HEADER_FIELD = re.compile(
    r"^:?\s*(?P<key>Title|Evaluation|Evaluation Title|Office|Commissioning Unit|Period|"
    r"Source|URL|ID|Evaluation ID|Source ID|Management Response State)\s*:\s*(?P<value>.*)$",
    re.IGNORECASE,
)
_ACTION_START = re.compile(r"^\d{1,2}(?:\.\d{1,3})+\.?\s")


def detect(text: str) -> bool:
    return bool(re.search(r"^\s*\d+\.?\s*Recommendation\s*:", text, re.MULTILINE))


def _header(path: Path, lines: list[tuple[int, str]]) -> EvaluationRecord:
    fields: dict[str, str] = {}
    plain: list[tuple[int, str]] = []
    for number, line in lines:
        match = _HEADER_FIELD.match(line)
        if match:
            key = match.group("key").lower()
            key = {
                "evaluation": "title",
                "evaluation title": "title",
                "commissioning unit": "office",
                "url": "source",
                "evaluation id": "id",
                "source id": "id",
                "management response state": "state",
            }.get(key, key)
            fields[key] = clean(path, number, key, match.group("value"))
        else:
            plain.append((number, clean(path, number, "header", line.lstrip(": "))))
    title = fields.get("title") or (plain[0][1] if plain else "")
    if not title:
        raise SourceError(str(path), 1, "title", "no evaluation title before the recommendations")
    return EvaluationRecord(
        line=lines[0][0] if lines else 1,
        title=title,
        office=fields.get("office"),
        period=fields.get("period"),
        source_id=fields.get("id"),
        source_url=fields.get("source"),
        response_state=fields.get("state"),
        summary="\n".join(value for _, value in plain[1:] if not fields.get("title")),
    )


def parse(path: Path, text: str) -> list[EvaluationRecord]:
    lines = [(n, line.strip()) for n, line in enumerate(text.split("\n"), 1) if line.strip()]
    first = next((i for i, (_, line) in enumerate(lines) if _RECOMMENDATION.match(line)), None)
    if first is None:
        raise SourceError(str(path), None, "recommendation", "no `N. Recommendation:` line found")
    evaluation = _header(path, lines[:first])
    rec: RecommendationRecord | None = None
    field = ""
    buffer: list[tuple[int, str]] = []  # lines since the last row: next action's text
    stamps: tuple[int, str] | None = None

    def flush_comments() -> None:
        # Lines after a row that no stamp followed are that row's comments, continued.
        nonlocal buffer
        if stamps is not None:
            raise SourceError(
                str(path),
                stamps[0],
                "key action",
                "no `responsible deadline status` line after this stamp line",
            )
        if rec and rec.actions and buffer:
            action = rec.actions[-1]
            extra = "\n".join(clean(path, n, "comments", line) for n, line in buffer)
            action.comments = f"{action.comments}\n{extra}".strip()
        elif buffer:
            raise SourceError(
                str(path),
                buffer[0][0],
                "key action",
                "action text without a responsible, deadline and status line",
            )
        buffer = []

    for number, line in lines[first:]:
        match = _RECOMMENDATION.match(line)
        if match:
            flush_comments()
            rec = RecommendationRecord(
                line=number,
                number=match.group("n"),
                text=clean(path, number, "recommendation", match.group("text")),
            )
            evaluation.recommendations.append(rec)
            field, stamps = "text", None
            continue
        assert rec is not None
        response = _RESPONSE.match(line)
        if field != "actions" and response:
            rec.added_on, rec.updated_on = stamp_dates(path, number, response.group("rest"))
            rec.management_response = clean(
                path, number, "management response", STAMP.sub("", response.group("rest"))
            )
            field = "management_response"
        elif field != "actions" and _KEY_ACTIONS.match(line):
            field = "actions"
        elif field != "actions":
            value = clean(path, number, field, line)
            setattr(rec, field, f"{getattr(rec, field)}\n{value}".strip())
        elif _TABLE_HEADER.match(line):
            continue
        elif is_stamp_line(line):
            if not buffer or stamps is not None:
                raise SourceError(
                    str(path), number, "key action", "a stamp line with no action text"
                )
            stamps = (number, line)
        elif stamps is not None:
            row = find_flat_row(line)
            if row is None:
                raise SourceError(
                    str(path),
                    number,
                    "key action",
                    "expected `responsible "
                    f"deadline status comments` after the stamp line, found {line[:50]!r}",
                )
            text_line = buffer[0][0]
            action_number, action_text = split_number(" ".join(text for _, text in buffer))
            added, updated = stamp_dates(path, stamps[0], stamps[1])
            code, label = status_of(path, number, row.status)
            rec.actions.append(
                ActionRecord(
                    line=text_line,
                    number=action_number,
                    text=clean(path, text_line, "key action", action_text),
                    responsible_text=clean(path, number, "responsible", row.before),
                    deadline=deadline_of(path, number, row.deadline),
                    status=code,
                    status_label=label,
                    comments=clean(path, number, "comments", row.comments),
                    added_on=added,
                    updated_on=updated,
                )
            )
            buffer, stamps = [], None
        else:
            if buffer and _ACTION_START.match(line) and rec.actions:
                flush_comments()
            buffer.append((number, line))
    flush_comments()
    return [evaluation]
