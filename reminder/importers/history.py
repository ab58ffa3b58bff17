"""Imports and the status history (table action_updates): an import appends a row when it
creates an action or changes its status or comments, and never undoes a newer update made on
the status desk (`web`) or by the office (`office`).

`desk_update_wins` is the one rule; the desk's code may rely on it (docs/architecture.md,
"Domain rules": "an older file never silently undoes a newer desk update")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import PurePath
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reminder.bulk import insert_tuples
from reminder.models import ActionUpdate, table

DESK_SOURCES = ("web", "office")
IMPORT_SOURCE = "import"


@dataclass(frozen=True)
class DeskUpdate:
    """The newest desk or office update of one action, and what the imports last brought
    for it (when, status, comments), to tell a re-read old file from a newer one."""

    recorded_at: datetime
    actor: str
    actor_name: str | None
    last_import_at: datetime | None = None
    imported_status: str | None = None
    imported_comments: str | None = None


def row_time(updated_on: date | None, imported_at: datetime) -> datetime:
    """When a file's row took effect: its [Last Updated] day (start of day, UTC), else the
    time of the import."""
    return datetime.combine(updated_on, time(), UTC) if updated_on else imported_at


def desk_update_wins(
    desk: DeskUpdate | None, updated_on: date | None, status: str, comments: str | None
) -> bool:
    """True when a stored desk/office update is newer than the file's row, so the row's status
    and comments must not replace it.

    With a [Last Updated] stamp: the desk update is on or after that day (the stamp has no
    time of day, so the same day counts as older). Without one, the row dates from the
    file's import: a row that still says what the previous import brought is that old data,
    and loses to a desk update made since; a row that says something new was edited in the
    tracker since that import, and wins."""
    if desk is None:
        return False
    if updated_on is not None:
        return desk.recorded_at.date() >= updated_on
    if desk.last_import_at is None:
        return True  # imported before the history began: keep what a person said
    same_data = (status, comments or "") == (desk.imported_status, desk.imported_comments or "")
    return same_data and desk.recorded_at > desk.last_import_at


def newest_desk_updates(session: Session, action_ids: Sequence[int]) -> dict[int, DeskUpdate]:
    """For each of `action_ids` that has one, its newest desk/office update."""
    if not action_ids:
        return {}
    newest = (
        select(ActionUpdate.key_action_id, func.max(ActionUpdate.recorded_at).label("at"))
        .where(ActionUpdate.key_action_id.in_(action_ids))
        .where(ActionUpdate.source.in_(DESK_SOURCES))
        .group_by(ActionUpdate.key_action_id)
        .subquery()
    )
    rows = session.execute(
        select(
            ActionUpdate.key_action_id,
            ActionUpdate.recorded_at,
            ActionUpdate.actor,
            ActionUpdate.actor_name,
        )
        .join(
            newest,
            (newest.c.key_action_id == ActionUpdate.key_action_id)
            & (newest.c.at == ActionUpdate.recorded_at),
        )
        .where(ActionUpdate.source.in_(DESK_SOURCES))
    ).all()
    if not rows:
        return {}
    imported = _imported_state(session, [row[0] for row in rows])
    return {
        action_id: DeskUpdate(at, actor, name, *imported.get(action_id, (None, None, None)))
        for action_id, at, actor, name in rows
    }


def _imported_state(
    session: Session, action_ids: list[int]
) -> dict[int, tuple[datetime, str | None, str | None]]:
    """Per action: when the imports last wrote, and the status and comments they last brought
    (replayed from the import rows: None means "unchanged", except on the creating row)."""
    state: dict[int, tuple[datetime, str | None, str | None]] = {}
    query = (
        select(
            ActionUpdate.key_action_id,
            ActionUpdate.recorded_at,
            ActionUpdate.old_status,
            ActionUpdate.new_status,
            ActionUpdate.comment,
        )
        .where(ActionUpdate.key_action_id.in_(action_ids))
        .where(ActionUpdate.source == IMPORT_SOURCE)
        .order_by(ActionUpdate.id)
    )
    for action_id, at, old, new, comment in session.execute(query):
        _, status, comments = state.get(action_id, (at, None, None))
        created = old is None
        state[action_id] = (
            at,
            new if new is not None else status,
            comment if comment is not None or created else comments,
        )
    return state


# The columns of an import's history rows, in the order `import_update` gives them.
IMPORT_COLUMNS = ("key_action_id", "recorded_at", "source", "actor", "old_status", "new_status",
                  "comment")  # fmt: skip


def import_actor(file: str) -> str:
    """Who an import row says wrote it: the file's name."""
    return PurePath(file).name[:320]


def import_update(
    action_id: int, actor: str, at: datetime, old: str | None, new: str | None, comment: str | None
) -> tuple[Any, ...]:
    """One action_updates row for an import, as IMPORT_COLUMNS (a tuple: an import writes one
    per new action, 100,000 at a time)."""
    return (action_id, at, IMPORT_SOURCE, actor, old, new, comment)


def changed_comment(old: str | None, new: str | None) -> str | None:
    """The comment an import row records: None when unchanged, "" when emptied."""
    return None if (old or "") == (new or "") else (new or "")


def append_import_updates(session: Session, rows: Sequence[tuple[Any, ...]]) -> None:
    insert_tuples(session, table(ActionUpdate), IMPORT_COLUMNS, rows)
