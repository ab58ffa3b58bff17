"""Writes one group's key actions in four steps: look up what is stored, diff it against the
file (each row matched to its stored action by matching.match), insert what is new (after
bulk.park freed the places of actions that move), relink responsible parties that changed.
Also appends the import's status history and keeps a newer desk update over an older file
row (history.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from reminder import bulk
from reminder.bulk import insert_rows
from reminder.importers import history, matching
from reminder.importers.records import ActionRecord, EvaluationRecord
from reminder.models import KeyAction, key_action_parties, table
from reminder.responsible import Resolution

ACTION_FIELDS = (
    "number",
    "text",
    "due_date",
    "deadline_precision",
    "deadline_label",
    "status",
    "status_label",
    "comments",
    "responsible_text",
    "unresolved",
    "added_on",
    "updated_on",
)
DESK_FIELDS = ("status", "status_label", "comments")  # what a newer desk update keeps
# What an accepted deadline proposal set: a file still giving the original deadline is older.
DEADLINE_FIELDS = ("due_date", "deadline_precision", "deadline_label")
MISSING_LISTED = 1000  # actions not in the file listed by name per import; all are counted


def action_values(record: ActionRecord, resolution: Resolution) -> dict[str, Any]:
    return {
        "number": record.number,
        "text": record.text,
        "due_date": record.deadline.due,
        "deadline_precision": record.deadline.precision,
        "deadline_label": record.deadline.label,
        "status": record.status,
        "status_label": record.status_label,
        "comments": record.comments or None,
        "responsible_text": record.responsible_text,
        "unresolved": list(resolution.unresolved),
        "added_on": record.added_on,
        "updated_on": record.updated_on,
        "source_line": record.line,
    }


@dataclass
class Stored:
    """What the database holds for the group: action rows by recommendation, in position
    order, their party links, and newer desk updates."""

    rows: dict[int, list[Any]] = field(default_factory=dict)
    links: dict[int, set[int]] = field(default_factory=dict)
    desk: dict[int, history.DeskUpdate] = field(default_factory=dict)


@dataclass
class Diff:
    new: list[dict[str, Any]] = field(default_factory=list)
    new_parties: list[set[int]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    relink: dict[int, set[int]] = field(default_factory=dict)
    parked: list[int] = field(default_factory=list)  # actions that change place
    kept_places: list[dict[str, int]] = field(default_factory=list)  # not in file: id, position
    updates: list[tuple[Any, ...]] = field(default_factory=list)  # history.IMPORT_COLUMNS


@dataclass
class KeyActionWriter:
    session: Session
    file: str
    now: datetime
    resolve: Callable[[ActionRecord], tuple[Resolution, set[int]]]
    counts: Counter[str] = field(default_factory=Counter)
    kept_desk: list[dict[str, Any]] = field(default_factory=list)
    missing: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.actor = history.import_actor(self.file)

    def write(self, records: Sequence[EvaluationRecord], rec_ids: list[list[int]]) -> None:
        wanted = [rec_id for ids in rec_ids for rec_id in ids]
        stored = self.lookup(wanted)
        diff = self.diff(records, rec_ids, stored)
        bulk.park(self.session, KeyAction, diff.parked)
        self.insert(diff, wanted)
        if diff.changed:
            self.session.execute(update(KeyAction), diff.changed)
        if diff.kept_places:
            self.session.execute(update(KeyAction), diff.kept_places)
        self.relink(diff.relink)
        history.append_import_updates(self.session, diff.updates)

    # -- lookup ---------------------------------------------------------------------------
    def lookup(self, rec_ids: list[int]) -> Stored:
        stored = Stored()
        if not rec_ids:
            return stored
        columns = [getattr(KeyAction, name) for name in ACTION_FIELDS]
        query = select(
            KeyAction.id,
            KeyAction.recommendation_id,
            KeyAction.position,
            KeyAction.source_line,
            KeyAction.original_deadline_label,
            *columns,
        ).where(KeyAction.recommendation_id.in_(rec_ids))
        ids = []
        for row in self.session.execute(query):
            stored.rows.setdefault(row.recommendation_id, []).append(row)
            ids.append(row.id)
        for rows in stored.rows.values():
            rows.sort(key=_position)
        if ids:
            links = select(key_action_parties.c.key_action_id, key_action_parties.c.party_id)
            for action_id, party_id in self.session.execute(
                links.where(key_action_parties.c.key_action_id.in_(ids))
            ):
                stored.links.setdefault(action_id, set()).add(party_id)
            stored.desk = history.newest_desk_updates(self.session, ids)
        return stored

    # -- diff -----------------------------------------------------------------------------
    def diff(
        self, records: Sequence[EvaluationRecord], rec_ids: list[list[int]], stored: Stored
    ) -> Diff:
        diff = Diff()
        for place, rec_id, actions in _actions_by_recommendation(records, rec_ids):
            rows = stored.rows.get(rec_id, [])
            matched = matching.match([row.text for row in rows], [a.text for a in actions])
            found = zip(actions, matched.found, strict=True)
            for position, (action, index) in enumerate(found, start=1):
                if index is None:
                    self.diff_new(diff, rec_id, position, action)
                else:
                    self.diff_stored(diff, rows[index], action, stored, position)
            # Not in the file: kept as it was, history and all, after the file's actions.
            for position, index in enumerate(matched.missing, start=len(actions) + 1):
                if rows[index].position != position:
                    diff.parked.append(rows[index].id)
                    diff.kept_places.append({"id": rows[index].id, "position": position})
                self.report_missing(place, rows[index])
        return diff

    def report_missing(self, place: tuple[str, str], row: Any) -> None:
        self.counts["not in file (kept)"] += 1
        if len(self.missing) < MISSING_LISTED:
            evaluation, recommendation = place
            self.missing.append(
                {
                    "id": row.id,
                    "evaluation": evaluation,
                    "recommendation": recommendation,
                    "text": row.text,
                }
            )

    def diff_new(self, diff: Diff, rec_id: int, position: int, action: ActionRecord) -> None:
        resolution, parties = self.resolve(action)
        at = history.row_time(action.updated_on, self.now)
        diff.new.append(
            dict(
                recommendation_id=rec_id,
                position=position,
                status_changed_at=at,
                **action_values(action, resolution),
            )
        )
        diff.new_parties.append(parties)

    def diff_stored(
        self, diff: Diff, row: Any, action: ActionRecord, stored: Stored, position: int
    ) -> None:
        resolution, parties = self.resolve(action)
        values = action_values(action, resolution)
        if _differs(row, values, DESK_FIELDS) and history.desk_update_wins(
            stored.desk.get(row.id), action.updated_on, values["status"], values["comments"]
        ):
            values.update({name: getattr(row, name) for name in DESK_FIELDS})
            self.keep_desk(action, stored.desk[row.id])
        if row.original_deadline_label and values["deadline_label"] == row.original_deadline_label:
            # The office accepted a new deadline; the file still has the one it replaced.
            values.update({name: getattr(row, name) for name in DEADLINE_FIELDS})
        moved = _differs(row, values, ACTION_FIELDS)
        if row.position != position:
            diff.parked.append(row.id)
            values["position"] = position
            moved = True
        if parties != stored.links.get(row.id, set()):
            diff.relink[row.id] = parties
            moved = True
        if moved or row.source_line != action.line:
            changed = dict(id=row.id, **values)
            if row.status != values["status"]:
                changed["status_changed_at"] = self.now
            diff.changed.append(changed)
        if _differs(row, values, DESK_FIELDS):
            new_status = values["status"] if row.status != values["status"] else None
            comment = history.changed_comment(row.comments, values["comments"])
            at = history.row_time(action.updated_on, self.now)
            diff.updates.append(
                history.import_update(row.id, self.actor, at, row.status, new_status, comment)
            )
        self.counts["updated" if moved else "unchanged"] += 1

    def keep_desk(self, action: ActionRecord, desk: history.DeskUpdate) -> None:
        who = desk.actor_name or desk.actor
        self.kept_desk.append(
            {"line": action.line, "date": desk.recorded_at.date().isoformat(), "by": who}
        )

    # -- insert ---------------------------------------------------------------------------
    def insert(self, diff: Diff, rec_ids: list[int]) -> None:
        if not diff.new:
            return
        insert_rows(self.session, table(KeyAction), diff.new)
        query = select(KeyAction.recommendation_id, KeyAction.position, KeyAction.id)
        ids = {
            (rec_id, position): action_id
            for rec_id, position, action_id in self.session.execute(
                query.where(KeyAction.recommendation_id.in_(rec_ids))
            )
        }
        self.counts["created"] += len(diff.new)
        links: list[dict[str, int]] = []
        updates: list[tuple[Any, ...]] = []
        for row, parties in zip(diff.new, diff.new_parties, strict=True):
            action_id = ids[(row["recommendation_id"], row["position"])]
            links.extend({"key_action_id": action_id, "party_id": p} for p in parties)
            updates.append(
                history.import_update(
                    action_id,
                    self.actor,
                    row["status_changed_at"],
                    None,
                    row["status"],
                    row["comments"],
                )
            )
        insert_rows(self.session, key_action_parties, links)
        diff.updates.extend(updates)

    # -- relink ---------------------------------------------------------------------------
    def relink(self, relink: dict[int, set[int]]) -> None:
        if not relink:
            return
        self.session.execute(
            delete(key_action_parties).where(key_action_parties.c.key_action_id.in_(list(relink)))
        )
        rows = [{"key_action_id": a, "party_id": p} for a, ps in relink.items() for p in ps]
        if rows:
            self.session.execute(insert(key_action_parties), rows)


_position = attrgetter("position")


def _differs(stored: Any, values: dict[str, Any], names: Sequence[str]) -> bool:
    return any(getattr(stored, name) != values[name] for name in names)


def _actions_by_recommendation(
    records: Sequence[EvaluationRecord], rec_ids: list[list[int]]
) -> Iterator[tuple[tuple[str, str], int, list[ActionRecord]]]:
    """Per recommendation: its name for people (evaluation, number), its id, its actions."""
    for record, ids in zip(records, rec_ids, strict=True):
        for ordinal, (rec, rec_id) in enumerate(
            zip(record.recommendations, ids, strict=True), start=1
        ):
            yield (record.title, rec.number or str(ordinal)), rec_id, rec.actions
