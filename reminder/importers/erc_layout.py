"""The evaluation resource centre's older text layout: `N. Recommendation:`, stamped
management responses, and per key action its text, a stamp line, then
`responsible deadline status comments`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial

from reminder.importers.common import KEY_ACTIONS, STAMP, SourceFile, is_stamp_line
from reminder.importers.records import ActionRecord, EvaluationRecord, RecommendationRecord
from reminder.importers.rows import find_flat_row, split_number

_RECOMMENDATION = re.compile(r"^(?P<n>\d+(?:\.\d+)*)\.?\s*Recommendation\s*:\s*(?P<text>.*)$", re.I)
_RESPONSE = re.compile(r"^Management Response\s*:\s*(?P<rest>.*)$", re.IGNORECASE)
_TABLE_HEADER = re.compile(r"^Key Action\s+Responsible\b", re.IGNORECASE)
_HEADER_FIELD = re.compile(
    r"^:?\s*(?P<key>Title|Evaluation|Evaluation Title|Office|Commissioning Unit|Period|"
    r"Source|URL|ID|Evaluation ID|Source ID|Management Response State)\s*:\s*(?P<value>.*)$",
    re.IGNORECASE,
)
HEADER_KEYS = {
    "evaluation": "title",
    "evaluation title": "title",
    "commissioning unit": "office",
    "url": "source",
    "evaluation id": "id",
    "source id": "id",
    "management response state": "state",
}
_ACTION_START = re.compile(r"^\d{1,2}(?:\.\d{1,3})+\.?\s")


def detect(text: str) -> bool:
    return bool(re.search(r"^\s*\d+\.?\s*Recommendation\s*:", text, re.MULTILINE))


def header_record(source: SourceFile, lines: list[tuple[int, str]]) -> EvaluationRecord:
    """The evaluation from `Key: value` lines (and plain lines: title, then summary)."""
    fields: dict[str, str] = {}
    plain: list[tuple[int, str]] = []
    for number, line in lines:
        match = _HEADER_FIELD.match(line)
        if match:
            key = HEADER_KEYS.get(match.group("key").lower(), match.group("key").lower())
            fields[key] = source.clean(number, key, match.group("value"))
        else:
            plain.append((number, source.clean(number, "header", line.lstrip(": "))))
    title = fields.get("title") or (plain[0][1] if plain else "")
    if not title:
        raise source.error(1, "title", "no evaluation title before the recommendations")
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


@dataclass
class ResourceCentreText:
    source: SourceFile
    rec: RecommendationRecord | None = None
    section: str = ""
    buffer: list[tuple[int, str]] = field(default_factory=list)  # the next action's text
    stamps: tuple[int, str] | None = None

    def parse(self, text: str) -> list[EvaluationRecord]:
        lines = [(n, line.strip()) for n, line in enumerate(text.split("\n"), 1) if line.strip()]
        first = next((i for i, (_, line) in enumerate(lines) if _RECOMMENDATION.match(line)), None)
        if first is None:
            raise self.source.error(None, "recommendation", "no `N. Recommendation:` line found")
        evaluation = header_record(self.source, lines[:first])
        for number, line in lines[first:]:
            match = _RECOMMENDATION.match(line)
            if match:
                self.source.attempt(self.flush_comments)
                self.rec = RecommendationRecord(
                    line=number,
                    number=match.group("n"),
                    text=self.source.clean(number, "recommendation", match.group("text")),
                )
                evaluation.recommendations.append(self.rec)
                self.section, self.stamps = "text", None
            else:
                self.source.attempt(partial(self.feed, number, line))
        self.source.attempt(self.flush_comments)
        self.source.raise_errors()
        return [evaluation]

    def feed(self, number: int, line: str) -> None:
        assert self.rec is not None
        response = _RESPONSE.match(line)
        if self.section != "actions" and response:
            rest = response.group("rest")
            self.rec.added_on, self.rec.updated_on = self.source.stamps(number, rest)
            self.rec.management_response = self.source.clean(
                number, "management response", STAMP.sub("", rest)
            )
            self.section = "management_response"
        elif self.section != "actions" and KEY_ACTIONS.match(line):
            self.section = "actions"
        elif self.section != "actions":
            value = self.source.clean(number, self.section, line)
            setattr(self.rec, self.section, f"{getattr(self.rec, self.section)}\n{value}".strip())
        elif _TABLE_HEADER.match(line):
            return
        elif is_stamp_line(line):
            if not self.buffer or self.stamps is not None:
                raise self.source.error(number, "key action", "a stamp line with no action text")
            self.stamps = (number, line)
        elif self.stamps is not None:
            self.action_row(number, line)
        else:
            if self.buffer and _ACTION_START.match(line) and self.rec.actions:
                self.flush_comments()
            self.buffer.append((number, line))

    def action_row(self, number: int, line: str) -> None:
        assert self.rec is not None and self.stamps is not None
        buffer, stamps = self.buffer, self.stamps
        self.buffer, self.stamps = [], None
        row = find_flat_row(line)
        if row is None:
            raise self.source.error(
                number,
                "key action",
                "expected `responsible "
                f"deadline status comments` after the stamp line, found {line[:50]!r}",
            )
        text_line = buffer[0][0]
        action_number, action_text = split_number(" ".join(text for _, text in buffer))
        added, updated = self.source.stamps(*stamps)
        code, label = self.source.status(number, row.status)
        self.rec.actions.append(
            ActionRecord(
                line=text_line,
                number=action_number,
                text=self.source.clean(text_line, "key action", action_text),
                responsible_text=self.source.clean(number, "responsible", row.before),
                deadline=self.source.deadline(number, row.deadline),
                status=code,
                status_label=label,
                comments=self.source.clean(number, "comments", row.comments),
                added_on=added,
                updated_on=updated,
            )
        )

    def flush_comments(self) -> None:
        """Lines after a row that no stamp followed are that row's comments, continued."""
        buffer, stamps = self.buffer, self.stamps
        self.buffer, self.stamps = [], None
        if stamps is not None:
            raise self.source.error(
                stamps[0], "key action", "no `responsible deadline status` line after this stamp"
            )
        if self.rec and self.rec.actions and buffer:
            action = self.rec.actions[-1]
            extra = "\n".join(self.source.clean(n, "comments", line) for n, line in buffer)
            action.comments = f"{action.comments}\n{extra}".strip()
        elif buffer:
            raise self.source.error(
                buffer[0][0], "key action", "action text without a responsible, deadline and status"
            )
