"""The management-response text layout that tracking systems export (see shared/samples):
`: ` header lines, then per recommendation `Recommendation:`, `Management Response:`,
`Description:`, category and tag lines, and a `Key Actions` table of flat or `|` rows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from reminder.errors import SourceError
from reminder.importers.common import clean, deadline_of, is_stamp_line, stamp_dates, status_of
from reminder.importers.records import (
    ActionRecord,
    EvaluationRecord,
    Guess,
    RecommendationRecord,
)
from reminder.importers.rows import (
    DEFAULT_CELL_ORDER,
    cell_header,
    find_flat_row,
    split_action_and_responsible,
    split_cells,
    split_number,
)
from reminder.responsible import Resolver

_FIELD = re.compile(r"^(?P<key>[A-Z][A-Za-z&/()\- ]{1,48}?)\s*:\s*(?P<value>.*)$")
_PERIOD = re.compile(r"^(?P<period>\d{4}\s*[-–]\s*\d{4})\s*,?\s*(?P<office>.*)$")
_KEYED_HEADER = re.compile(
    r"^(?P<key>Source ID|ID|Evaluation ID|URL|Source)\s*:\s*(?P<v>\S.*)$", re.IGNORECASE
)
_KEY_ACTIONS = re.compile(r"^Key Actions?\s*:?\s*$", re.IGNORECASE)
KNOWN_TAGS = frozenset(
    {
        "thematic area",
        "operating principles",
        "organizational priorities",
        "organisational priorities",
        "uneg criteria",
        "sdg",
        "gender marker",
    }
)
_TABLE_HEADER = re.compile(r"^(Key Actions?\s+)?Responsible\s+(Deadline|Due\s*Date)\b", re.I)


def detect(text: str) -> bool:
    return bool(re.search(r"^\s*Recommendation\s*:", text, re.MULTILINE))


@dataclass
class _Parser:
    path: Path
    resolver: Resolver
    guesses: list[Guess] = field(default_factory=list)
    recommendations: list[RecommendationRecord] = field(default_factory=list)
    header: list[tuple[int, str]] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    state_lines: list[str] = field(default_factory=list)
    # Current recommendation field being continued, and the key-action table state.
    current_field: str | None = None
    in_actions: bool = False
    columns: list[str] = field(default_factory=lambda: list(DEFAULT_CELL_ORDER))
    pending_text: list[str] = field(default_factory=list)
    pending_line: int = 0

    def error(self, line: int, name: str, message: str) -> SourceError:
        return SourceError(str(self.path), line, name, message)

    # -- preamble: header lines and the overall response ---------------------------------
    def preamble(self, number: int, line: str) -> None:
        if line.startswith(":"):
            value = clean(self.path, number, "header", line[1:])
            if self.summary:
                self.state_lines.append(value)
            elif value:
                self.header.append((number, value))
        elif line.strip().lower() != "management response" or self.header:
            self.summary.append(clean(self.path, number, "summary", line))

    # -- recommendations ----------------------------------------------------------------
    def recommendation_line(self, number: int, line: str) -> None:
        rec = self.recommendations[-1]
        match = _FIELD.match(line)
        key = match.group("key").strip().lower() if match else None
        value = clean(self.path, number, key or "text", match.group("value") if match else line)
        if key == "management response":
            rec.management_response = value
            self.current_field = "management_response"
        elif key == "description":
            rec.description = value
            self.current_field = "description"
        elif key and "category" in key:
            rec.category = value or None
            self.current_field = None
        elif match and key and (key in KNOWN_TAGS or (len(key.split()) <= 4 and rec.description)):
            rec.tags.append(f"{match.group('key').strip()}: {value}")
            self.current_field = None
        elif self.current_field:
            previous = getattr(rec, self.current_field)
            setattr(rec, self.current_field, f"{previous}\n{value}".strip())
        else:
            raise self.error(number, "recommendation", f"unexpected line {line[:60]!r}")

    # -- the key-action table -----------------------------------------------------------
    def action_line(self, number: int, line: str) -> None:
        rec = self.recommendations[-1]
        if _TABLE_HEADER.match(line):
            return
        cells = split_cells(line)
        if cells is not None:
            header = cell_header(cells)
            if header:
                self.columns = header
                return
            self.cell_row(number, cells)
            return
        if is_stamp_line(line):
            if not rec.actions:
                raise self.error(
                    number, "stamp", "an [Added]/[Last Updated] line before any action"
                )
            action = rec.actions[-1]
            action.added_on, action.updated_on = stamp_dates(self.path, number, line)
            return
        row = find_flat_row(line)
        if row is None:
            self.continuation(number, line)
            return
        text = " ".join([*self.pending_text, row.before]).strip()
        first_line = self.pending_line or number
        self.pending_text = []
        self.pending_line = 0
        action_text, responsible, guessed = split_action_and_responsible(text, self.resolver)
        guessed = guessed or row.guessed
        if guessed:
            self.guesses.append(Guess(first_line, responsible, guessed))
        self.add_action(number, action_text, responsible, row.deadline, row.status, row.comments)

    def continuation(self, number: int, line: str) -> None:
        """A line that is not a row: more comments for the last action, or the start of the
        next action's text when this table has no action yet."""
        rec = self.recommendations[-1]
        value = clean(self.path, number, "comments", line)
        if rec.actions and not self.pending_text:
            action = rec.actions[-1]
            action.comments = f"{action.comments}\n{value}".strip()
        else:
            self.pending_text.append(value)
            self.pending_line = self.pending_line or number

    def cell_row(self, number: int, cells: list[str]) -> None:
        if len(cells) > len(self.columns):
            raise self.error(
                number,
                "key action",
                f"{len(cells)} cells, expected at most "
                f"{len(self.columns)} ({', '.join(self.columns)})",
            )
        values = dict(zip(self.columns, cells, strict=False))
        if not values.get("action"):
            raise self.error(number, "key action", "the action cell is empty")
        self.add_action(
            number,
            values["action"],
            values.get("responsible", ""),
            values.get("deadline", ""),
            values.get("status", ""),
            values.get("comments", ""),
        )

    def add_action(
        self, number: int, text: str, responsible: str, deadline: str, status: str, comments: str
    ) -> None:
        action_number, text = split_number(clean(self.path, number, "key action", text))
        if not text:
            raise self.error(number, "key action", "no action text before the responsible party")
        code, label = status_of(self.path, number, status)
        self.recommendations[-1].actions.append(
            ActionRecord(
                line=number,
                text=text,
                number=action_number,
                responsible_text=clean(self.path, number, "responsible", responsible),
                deadline=deadline_of(self.path, number, deadline),
                status=code,
                status_label=label,
                comments=clean(self.path, number, "comments", comments),
            )
        )

    # -- the whole file -----------------------------------------------------------------
    def feed(self, number: int, raw: str) -> None:
        line = raw.strip()
        if not line:
            return
        match = re.match(r"^Recommendation\s*:\s*(.*)$", line, re.IGNORECASE)
        if match:
            self.finish_table(number)
            text = clean(self.path, number, "recommendation", match.group(1))
            if not text:
                raise self.error(number, "recommendation", "the recommendation text is empty")
            self.recommendations.append(RecommendationRecord(line=number, text=text))
            self.current_field, self.in_actions = "text", False
            self.columns = list(DEFAULT_CELL_ORDER)
        elif not self.recommendations:
            self.preamble(number, line)
        elif _KEY_ACTIONS.match(line):
            self.in_actions, self.current_field = True, None
        elif self.in_actions:
            self.action_line(number, line)
        else:
            self.recommendation_line(number, line)

    def finish_table(self, number: int) -> None:
        if self.pending_text:
            raise self.error(
                self.pending_line,
                "key action",
                "action text without responsible, deadline and status",
            )

    def evaluation(self) -> EvaluationRecord:
        line = self.header[0][0] if self.header else 1
        office = period = source_id = source_url = None
        values: list[str] = []
        for _, value in self.header:
            keyed = _KEYED_HEADER.match(value)
            period_match = _PERIOD.match(value)
            if (keyed and keyed.group("key").lower() in ("url", "source")) or value.startswith(
                "http"
            ):
                source_url = keyed.group("v") if keyed else value
            elif keyed:
                source_id = keyed.group("v").strip()
            elif period_match and period is None:
                period = re.sub(r"\s+", "", period_match.group("period"))
                office = period_match.group("office").strip() or None
            else:
                values.append(value)
        if not values:
            raise self.error(line, "title", "no evaluation title in the `: ` header lines")
        title = max(values, key=len)
        office = office or (values[0] if values[0] != title else None)
        return EvaluationRecord(
            line=line,
            title=title,
            office=office,
            period=period,
            source_id=source_id,
            source_url=source_url,
            response_state=" ".join(self.state_lines) or None,
            summary="\n".join(self.summary),
            recommendations=self.recommendations,
        )


def parse(path: Path, text: str, resolver: Resolver) -> tuple[list[EvaluationRecord], list[Guess]]:
    parser = _Parser(path, resolver)
    lines = text.split("\n")
    for number, raw in enumerate(lines, start=1):
        parser.feed(number, raw)
    parser.finish_table(len(lines))
    if not parser.recommendations:
        raise SourceError(str(path), None, "recommendation", "no `Recommendation:` line found")
    return [parser.evaluation()], parser.guesses
