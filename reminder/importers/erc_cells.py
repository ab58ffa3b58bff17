"""The evaluation resource centre's newer page layout: header fields as `Field: | value |`,
recommendations headed `Evaluation recommendation N.`, and key-action tables of `|` cells
split over lines, ending each comments cell with the `History` link label."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial

from reminder.importers.actions import ActionTable
from reminder.importers.common import KEY_ACTIONS, SourceFile
from reminder.importers.erc_layout import HEADER_KEYS
from reminder.importers.records import EvaluationRecord, Guess, RecommendationRecord
from reminder.responsible import Resolver

_RECOMMENDATION = re.compile(
    r"^Evaluation recommendation\s+(?P<n>\d+(?:\.\d+)*)\.?\s*(?P<text>.*)$", re.I
)
_FIELD = re.compile(r"^(?P<key>[A-Za-z][\w /()\-]{0,48}?)\s*:\s*\|\s*(?P<value>.*?)\s*\|?\s*$")
_TABLE_START = re.compile(r"^\|?\s*Key Actions?\s*\|", re.IGNORECASE)
RECOMMENDATION_KEYS = {"management response": "management_response", "description": "description"}


def detect(text: str) -> bool:
    return bool(re.search(r"^\s*Evaluation recommendation\s+\d", text, re.M | re.I))


def _unpipe(line: str) -> str:
    return line.strip().strip("|").strip()


@dataclass
class ResourceCentreCells:
    source: SourceFile
    resolver: Resolver
    evaluation: EvaluationRecord = field(default_factory=lambda: EvaluationRecord(1, ""))
    guesses: list[Guess] = field(default_factory=list)
    table: list[tuple[int, str]] | None = None
    section: str = "header"

    def parse(self, text: str) -> list[EvaluationRecord]:
        for number, raw in enumerate(text.split("\n"), start=1):
            if raw.strip():
                self.source.attempt(partial(self.feed, number, raw.strip()))
        self.source.attempt(self.finish_table)
        if not self.evaluation.title:
            self.source.record(self.source.error(1, "title", "no `Evaluation title: | … |` line"))
        self.source.raise_errors()
        return [self.evaluation]

    @property
    def rec(self) -> RecommendationRecord:
        return self.evaluation.recommendations[-1]

    def feed(self, number: int, line: str) -> None:
        start = _RECOMMENDATION.match(line)
        if start:
            self.finish_table()
            rec = RecommendationRecord(
                number,
                self.source.clean(number, "recommendation", _unpipe(start.group("text"))),
                number=start.group("n"),
            )
            self.evaluation.recommendations.append(rec)
            self.section = "text"
        elif self.section == "header":
            self.header_line(number, line)
        elif self.table is not None:
            self.table.append((number, line))
        elif KEY_ACTIONS.match(line) or _TABLE_START.match(line):
            self.table = [] if KEY_ACTIONS.match(line) else [(number, line)]
        else:
            self.recommendation_line(number, line)

    def header_line(self, number: int, line: str) -> None:
        match = _FIELD.match(line)
        if not match:
            raise self.source.error(
                number, "header", f"expected `Field: | value |`, found {line[:50]!r}"
            )
        key = match.group("key").strip().lower()
        key = HEADER_KEYS.get(key, key)
        value = self.source.clean(number, key, match.group("value"))
        if key == "title":
            self.evaluation.title, self.evaluation.line = value, number
        elif key in ("office", "period", "state"):
            setattr(self.evaluation, "response_state" if key == "state" else key, value or None)
        elif key in ("id", "source"):
            setattr(self.evaluation, "source_id" if key == "id" else "source_url", value or None)

    def recommendation_line(self, number: int, line: str) -> None:
        match = _FIELD.match(line)
        key = match.group("key").strip().lower() if match else ""
        if key in RECOMMENDATION_KEYS:
            self.section = RECOMMENDATION_KEYS[key]
            value = match.group("value") if match else ""
        elif key and "category" in key:
            self.rec.category = self.source.clean(
                number, "category", match.group("value") if match else ""
            )
            return
        else:
            value = _unpipe(line)
        value = self.source.clean(number, self.section, value)
        previous = getattr(self.rec, self.section)
        setattr(self.rec, self.section, f"{previous}\n{value}".strip())

    def finish_table(self) -> None:
        if self.table is None:
            return
        table = ActionTable(self.source, self.resolver)
        lines, self.table = self.table, None
        self.rec.actions = table.read(lines)
        self.guesses.extend(table.guesses)
