"""Imports and the status history (table action_updates): an import appends a row when it
creates an action or changes its status or comments, and never undoes a newer update made on
the status desk (`web`) or by the office (`office`).

`desk_update_wins` is the one rule; the desk's code may rely on it (DESIGN.md section 2:
"an older file never silently undoes a newer desk update")."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import PurePath
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reminder.bulk import insert_rows
from reminder.models import ActionUpdate, table

DESK_SOURCES = ("web", "office")
IMPORT_SOURCE = "import"


@dataclass(frozen=True)
class DeskUpdate:
    """The newest desk or office update of one action, and the newest import before it."""

    recorded_at: datetime
    actor: str
    actor_name: str | None
    last_import_at: datetime | None


def row_time(updated_on: date | None, imported_at: datetime) -> datetime:
    """When a file's row took effect: its [Last Updated] day (start of day, UTC), else the
    time of the import."""
    return datetime.combine(updated_on, time(), UTC) if updated_on else imported_at


def desk_update_wins(desk: DeskUpdate | None, updated_on: date | None) -> bool:
    """True when a stored desk/office update is newer than the file's row, so the row's status
    and comments must not replace it: newer than the row's [Last Updated] day when the row has
    one (a row stamped the same day as the desk update is older: the stamp has no time);
    without a stamp, made after the previous import of this action."""
    if desk is None:
        return False
    if updated_on is not None:
        return desk.recorded_at.date() >= updated_on
    return desk.last_import_at is None or desk.recorded_at > desk.last_import_at


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
    imports = dict(
        session.execute(
            select(ActionUpdate.key_action_id, func.max(ActionUpdate.recorded_at))
            .where(ActionUpdate.key_action_id.in_([row[0] for row in rows]))
            .where(ActionUpdate.source == IMPORT_SOURCE)
            .group_by(ActionUpdate.key_action_id)
        )
        .tuples()
        .all()
    )
    return {
        action_id: DeskUpdate(at, actor, name, imports.get(action_id))
        for action_id, at, actor, name in rows
    }


def import_update(
    action_id: int, file: str, at: datetime, old: str | None, new: str | None, comment: str | None
) -> dict[str, Any]:
    """One action_updates row for an import (actor: the file's name)."""
    return {
        "key_action_id": action_id,
        "recorded_at": at,
        "source": IMPORT_SOURCE,
        "actor": PurePath(file).name[:320],
        "old_status": old,
        "new_status": new,
        "comment": comment,
    }


def append_import_updates(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    insert_rows(session, table(ActionUpdate), list(rows))
