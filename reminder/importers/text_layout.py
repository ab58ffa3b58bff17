"""The management-response text layout that tracking systems export (see shared/samples):
`: ` header lines, then per recommendation `Recommendation:`, `Management Response:`,
`Description:`, category and tag lines, and a `Key Actions` table of flat rows, `|` rows, or
`|` cells split over lines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial

from reminder.importers.actions import ActionTable
from reminder.importers.common import KEY_ACTIONS, SourceFile
from reminder.importers.records import EvaluationRecord, Guess, RecommendationRecord
from reminder.responsible import Resolver

_FIELD = re.compile(r"^(?P<key>[A-Z][A-Za-z&/()\- ]{1,48}?)\s*:\s*(?P<value>.*)$")
_PERIOD = re.compile(r"^(?P<period>\d{4}\s*[-–]\s*\d{4})\s*,?\s*(?P<office>.*)$")
_KEYED_HEADER = re.compile(
    r"^(?P<key>Source ID|ID|Evaluation ID|URL|Source)\s*:\s*(?P<v>\S.*)$", re.IGNORECASE
)
_RECOMMENDATION = re.compile(r"^Recommendation\s*:\s*(.*)$", re.IGNORECASE)
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


def detect(text: str) -> bool:
    return bool(re.search(r"^\s*Recommendation\s*:", text, re.MULTILINE))


@dataclass
class ManagementResponseText:
    """Reads the layout line by line; a bad line is recorded and reading goes on."""

    source: SourceFile
    resolver: Resolver
    guesses: list[Guess] = field(default_factory=list)
    recommendations: list[RecommendationRecord] = field(default_factory=list)
    header: list[tuple[int, str]] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    state_lines: list[str] = field(default_factory=list)
    current_field: str | None = None
    table: list[tuple[int, str]] | None = None  # the key-action lines, once `Key Actions`

    def parse(self, text: str) -> list[EvaluationRecord]:
        lines = text.split("\n")
        for number, raw in enumerate(lines, start=1):
            self.source.attempt(partial(self.feed, number, raw.strip()))
        self.finish_table()
        if not self.recommendations:
            raise self.source.error(None, "recommendation", "no `Recommendation:` line found")
        evaluation = self.source.attempt(self.evaluation)
        self.source.raise_errors()
        assert evaluation is not None
        return [evaluation]

    def feed(self, number: int, line: str) -> None:
        if not line:
            return
        match = _RECOMMENDATION.match(line)
        if match:
            self.finish_table()
            text = self.source.clean(number, "recommendation", match.group(1))
            if not text:
                raise self.source.error(number, "recommendation", "the recommendation is empty")
            self.recommendations.append(RecommendationRecord(line=number, text=text))
            self.current_field, self.table = "text", None
        elif not self.recommendations:
            self.preamble(number, line)
        elif self.table is not None:
            self.table.append((number, line))
        elif KEY_ACTIONS.match(line):
            self.table, self.current_field = [], None
        else:
            self.recommendation_line(number, line)

    def finish_table(self) -> None:
        if self.table is None or not self.recommendations:
            return
        table = ActionTable(self.source, self.resolver)
        self.recommendations[-1].actions = table.read(self.table)
        self.guesses.extend(table.guesses)
        self.table = None

    def preamble(self, number: int, line: str) -> None:
        if line.startswith(":"):
            value = self.source.clean(number, "header", line[1:])
            if self.summary:
                self.state_lines.append(value)
            elif value:
                self.header.append((number, value))
        elif line.lower() != "management response" or self.header:
            self.summary.append(self.source.clean(number, "summary", line))

    def recommendation_line(self, number: int, line: str) -> None:
        rec = self.recommendations[-1]
        match = _FIELD.match(line)
        key = match.group("key").strip().lower() if match else None
        value = self.source.clean(number, key or "text", match.group("value") if match else line)
        if key in ("management response", "description"):
            self.current_field = key.replace(" ", "_")
            setattr(rec, self.current_field, value)
        elif key and "category" in key:
            rec.category, self.current_field = value or None, None
        elif match and key and (key in KNOWN_TAGS or (len(key.split()) <= 4 and rec.description)):
            rec.tags.append(f"{match.group('key').strip()}: {value}")
            self.current_field = None
        elif self.current_field:
            previous = getattr(rec, self.current_field)
            setattr(rec, self.current_field, f"{previous}\n{value}".strip())
        else:
            raise self.source.error(number, "recommendation", f"unexpected line {line[:60]!r}")

    def evaluation(self) -> EvaluationRecord:
        line = self.header[0][0] if self.header else 1
        record = EvaluationRecord(line=line, title="")
        values: list[str] = []
        for _, value in self.header:
            keyed = _KEYED_HEADER.match(value)
            period = _PERIOD.match(value)
            if (keyed and keyed.group("key").lower() in ("url", "source")) or value.startswith(
                "http"
            ):
                record.source_url = keyed.group("v") if keyed else value
            elif keyed:
                record.source_id = keyed.group("v").strip()
            elif period and record.period is None:
                record.period = re.sub(r"\s+", "", period.group("period"))
                record.office = period.group("office").strip() or None
            else:
                values.append(value)
        if not values:
            raise self.source.error(line, "title", "no evaluation title in the `: ` header lines")
        record.title = max(values, key=len)
        record.office = record.office or (values[0] if values[0] != record.title else None)
        record.response_state = " ".join(self.state_lines) or None
        record.summary = "\n".join(self.summary)
        record.recommendations = self.recommendations
        return record
