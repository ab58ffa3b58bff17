"""One recommendation's key-action table, in whichever of the three shapes the text layouts
use: flat rows (action, responsible, deadline, status and comments run together), one
`| a | b | c |` row per line, or cells split over lines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial

from reminder.importers import cells as cell_layout
from reminder.importers.common import STAMP, SourceFile, is_stamp_line
from reminder.importers.records import ActionRecord, Guess
from reminder.importers.rows import (
    DEFAULT_CELL_ORDER,
    cell_header,
    find_flat_row,
    split_action_and_responsible,
    split_cells,
    split_number,
    strip_numbering,
    strip_trailing_number,
)
from reminder.responsible import Resolver, repeats_action
from reminder.statuses import split_justification

_TABLE_HEADER = re.compile(r"^(Key Actions?\s+)?Responsible\s+(Deadline|Due\s*Date)\b", re.I)
# "KAZ:" or "Component 2:" alone on a line: a label that starts the next action's text.
_PREFIX = re.compile(r"^[\w()'’.\- ]{1,30}:$")
_NEXT_NUMBER = re.compile(r"^\d{1,2}(?:\.\d{1,3})+\.?\s")


@dataclass
class ActionTable:
    source: SourceFile
    resolver: Resolver
    columns: list[str] = field(default_factory=lambda: list(DEFAULT_CELL_ORDER))
    actions: list[ActionRecord] = field(default_factory=list)
    guesses: list[Guess] = field(default_factory=list)
    pending: list[tuple[int, str]] = field(default_factory=list)  # the next action's text

    def read(self, lines: list[tuple[int, str]]) -> list[ActionRecord]:
        lines = [(n, line) for n, line in lines if not cell_layout.NO_ACTIONS.match(line)]
        if cell_layout.is_cell_stream(lines):
            self.read_cells(cell_layout.cell_stream(lines))
        else:
            for number, line in lines:
                self.source.attempt(partial(self.line, number, line))
            if self.pending:  # recorded, not raised: the actions read so far still count
                self.source.record(
                    self.source.error(
                        self.pending[0][0],
                        "key action",
                        "action text without responsible, deadline and status",
                    )
                )
        for action in self.actions:
            # A flat row's "[Justification: ..." runs on into the comment lines after it.
            rest, justification = split_justification(action.comments)
            if justification and not rest:
                action.comments = justification
        return self.actions

    # -- cells split over lines -------------------------------------------------------------
    def read_cells(self, stream: list[tuple[int, str]]) -> None:
        names, used = cell_layout.header_columns(stream)
        if "status" in names:
            self.columns = names
            stream = stream[used:]
        for row in cell_layout.rows_of(stream, len(self.columns)):
            self.source.attempt(partial(self.cell_row, row[0][0], [text for _, text in row]))

    # -- line by line ---------------------------------------------------------------------
    def line(self, number: int, line: str) -> None:
        if _TABLE_HEADER.match(line):
            return
        cells = split_cells(line)
        if cells is not None:
            header = cell_header(cells)
            if header:
                self.columns = header
            else:
                self.cell_row(number, cells)
            return
        if is_stamp_line(line):
            self.stamp(number, line)
            return
        # After an action, a line is a new row only if it has a deadline before its status;
        # otherwise it is more comments (which may well say "completed" or name parties).
        in_comments = bool(self.actions) and not self.pending
        row = find_flat_row(line, need_deadline=in_comments)
        if row is None and in_comments:
            # ... unless a known party ends the text right before the status word.
            loose = find_flat_row(line)
            if loose and self.resolver.responsible_suffix_start(loose.before):
                row = loose
        if row is None:
            self.continuation(number, line)
            return
        text = " ".join([*(t for _, t in self.pending), row.before]).strip()
        first_line = self.pending[0][0] if self.pending else number
        self.pending = []
        action_text, responsible, guessed = split_action_and_responsible(text, self.resolver)
        guessed = guessed or row.guessed
        if guessed:
            self.guesses.append(Guess(first_line, responsible, guessed))
        self.add(number, action_text, responsible, row.deadline, row.status, row.comments)

    def stamp(self, number: int, line: str) -> None:
        if not self.actions:
            raise self.source.error(
                number, "stamp", "an [Added]/[Last Updated] line before any action"
            )
        action = self.actions[-1]
        action.added_on, action.updated_on = self.source.stamps(number, line)

    def continuation(self, number: int, line: str) -> None:
        """More comments for the last action, or the start of the next action's text (when
        there is no action yet, or the line is a prefix label or the next number)."""
        value = self.source.clean(number, "comments", line)
        starts_action = _PREFIX.match(value) or _NEXT_NUMBER.match(value)
        if self.actions and not self.pending and not starts_action:
            action = self.actions[-1]
            action.comments = f"{action.comments}\n{value}".strip()
        else:
            self.pending.append((number, value))

    def cell_row(self, number: int, cells: list[str]) -> None:
        if len(cells) > len(self.columns):
            raise self.source.error(
                number,
                "key action",
                f"{len(cells)} cells, expected at most "
                f"{len(self.columns)} ({', '.join(self.columns)})",
            )
        values = dict(zip(self.columns, cells, strict=False))
        if not values.get("action"):
            raise self.source.error(number, "key action", "the action cell is empty")
        # A cell split over lines is one sentence; a multi-line comment keeps its lines.
        action = strip_trailing_number(" ".join(values["action"].split()))
        responsible = strip_numbering(values.get("responsible", ""))
        comments = cell_layout.drop_history_label(values.get("comments", ""))
        added, updated = self.source.stamps(number, comments)
        comments = STAMP.sub("", comments).strip()
        self.add(
            number,
            action,
            responsible,
            values.get("deadline", ""),
            values.get("status", ""),
            comments,
        )
        self.actions[-1].added_on, self.actions[-1].updated_on = added, updated
        if repeats_action(self.actions[-1].text, self.actions[-1].responsible_text):
            self.guesses.append(
                Guess(number, responsible[:80], "the responsible cell repeats the action text")
            )

    def add(
        self, number: int, text: str, responsible: str, deadline: str, status: str, comments: str
    ) -> None:
        action_number, text = split_number(self.source.clean(number, "key action", text))
        if not text:
            raise self.source.error(number, "key action", "no action text before the responsible")
        status_label, justification = split_justification(status)
        code, label = self.source.status(number, status_label)
        comments = "\n".join(part for part in (justification, comments.strip()) if part)
        self.actions.append(
            ActionRecord(
                line=number,
                text=text,
                number=action_number,
                responsible_text=" ".join(
                    self.source.clean(number, "responsible", responsible).split()
                ),
                deadline=self.source.deadline(number, " ".join(deadline.split())),
                status=code,
                status_label=label,
                comments=self.source.clean(number, "comments", comments),
            )
        )
