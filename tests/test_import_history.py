"""Imports keep the status history (action_updates) and never undo a newer desk update
(issue 12 item 5), in both orders, with and without [Last Updated] stamps."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from reminder.importers.directory import read_directory
from reminder.importers.load import FileSummary, import_file, load_directory
from reminder.models import ActionUpdate, KeyAction
from tests.conftest import FIXTURES

T0 = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
HEADER = "Evaluation,Key action,Responsible,Deadline,Status,Comments,Last updated\n"


def tracker(tmp_path: Path, status: str, comments: str = "", stamp: str = "") -> Path:
    path = tmp_path / "tracker.csv"
    path.write_text(
        HEADER + f"Water evaluation,Train the committees,UN Women,2027/06,{status},"
        f"{comments},{stamp}\n",
        encoding="utf-8",
    )
    return path


def load(session: Session, path: Path, now: datetime) -> FileSummary:
    summary = import_file(session, path, now)
    session.commit()
    return summary


def desk_update(
    session: Session, at: datetime, status: str, comment: str, who: str = "Aida Bekova"
) -> None:
    """What the status desk does: append a `web` row and set the action's current status and
    comments in the same transaction."""
    action = session.scalars(select(KeyAction)).one()
    session.add(
        ActionUpdate(
            key_action_id=action.id,
            recorded_at=at,
            source="web",
            actor="aida@unwomen.example.org",
            actor_name=who,
            old_status=action.status,
            new_status=status,
            comment=comment,
        )
    )
    action.status, action.status_label, action.comments = status, status.title(), comment
    action.status_changed_at = at
    session.commit()


def history(
    session: Session,
) -> list[tuple[str, str, datetime, str | None, str | None, str | None]]:
    rows = session.scalars(select(ActionUpdate).order_by(ActionUpdate.id))
    return [(u.source, u.actor, u.recorded_at, u.old_status, u.new_status, u.comment) for u in rows]


def current(session: Session) -> tuple[str, str | None]:
    session.expire_all()
    action = session.scalars(select(KeyAction)).one()
    return action.status, action.comments


def setup(session: Session) -> None:
    load_directory(session, read_directory(FIXTURES / "agencies.csv"), T0)
    session.commit()


def test_an_import_records_creation_and_each_change(session: Session, tmp_path: Path) -> None:
    setup(session)
    load(session, tracker(tmp_path, "Not initiated"), T0)
    load(session, tracker(tmp_path, "Not initiated"), T0.replace(day=11))  # nothing changed
    load(session, tracker(tmp_path, "Initiated", "Started", "2027-01-20"), T0.replace(day=21))
    assert history(session) == [
        ("import", "tracker.csv", T0, None, "not_initiated", None),
        (
            "import",
            "tracker.csv",
            datetime(2027, 1, 20, tzinfo=UTC),  # the row's [Last Updated] stamp
            "not_initiated",
            "initiated",
            "Started",
        ),
    ]


def test_an_older_file_keeps_the_newer_desk_update(session: Session, tmp_path: Path) -> None:
    setup(session)
    load(session, tracker(tmp_path, "Not initiated", "", "2027-01-05"), T0)
    desk_update(session, datetime(2027, 2, 1, 14, 0, tzinfo=UTC), "completed", "Done in January")
    # The tracker was edited on 20 January, before the desk update: the desk update stays.
    summary = load(
        session,
        tracker(tmp_path, "Initiated", "Half done", "2027-01-20"),
        T0.replace(month=2, day=3),
    )
    assert current(session) == ("completed", "Done in January")
    assert summary.kept_desk_updates == [{"line": 2, "date": "2027-02-01", "by": "Aida Bekova"}]
    assert [row[0] for row in history(session)] == ["import", "web"]  # nothing undone


def test_a_newer_file_wins_over_an_older_desk_update(session: Session, tmp_path: Path) -> None:
    setup(session)
    load(session, tracker(tmp_path, "Not initiated", "", "2027-01-05"), T0)
    desk_update(session, datetime(2027, 2, 1, 14, 0, tzinfo=UTC), "completed", "Done in January")
    summary = load(
        session,
        tracker(tmp_path, "Initiated", "Reopened", "2027-02-15"),
        T0.replace(month=2, day=16),
    )
    assert current(session) == ("initiated", "Reopened")
    assert summary.kept_desk_updates == []
    assert history(session)[-1] == (
        "import",
        "tracker.csv",
        datetime(2027, 2, 15, tzinfo=UTC),
        "completed",
        "initiated",
        "Reopened",
    )


def test_without_stamps_a_reread_old_file_keeps_the_desk_update(
    session: Session, tmp_path: Path
) -> None:
    setup(session)
    load(session, tracker(tmp_path, "Not initiated"), T0)
    desk_update(session, datetime(2027, 1, 12, tzinfo=UTC), "completed", "Done")
    summary = load(session, tracker(tmp_path, "Not initiated"), T0.replace(day=13))
    assert current(session) == ("completed", "Done")
    assert summary.kept_desk_updates == [{"line": 2, "date": "2027-01-12", "by": "Aida Bekova"}]


def test_without_stamps_a_tracker_edited_since_the_last_import_wins(
    session: Session, tmp_path: Path
) -> None:
    setup(session)
    load(session, tracker(tmp_path, "Not initiated"), T0)
    desk_update(session, datetime(2027, 1, 12, tzinfo=UTC), "completed", "Done")
    later = T0.replace(day=20)
    summary = load(session, tracker(tmp_path, "No longer applicable", "Programme closed"), later)
    assert current(session) == ("no_longer_applicable", "Programme closed")
    assert summary.kept_desk_updates == []
    assert history(session)[-1] == (
        "import",
        "tracker.csv",
        later,
        "completed",
        "no_longer_applicable",
        "Programme closed",
    )


def test_a_desk_update_before_the_previous_import_does_not_block_it(
    session: Session, tmp_path: Path
) -> None:
    setup(session)
    load(session, tracker(tmp_path, "Not initiated"), T0)
    desk_update(session, datetime(2027, 1, 12, tzinfo=UTC), "initiated", "Started")
    load(session, tracker(tmp_path, "Completed", "Closed"), T0.replace(day=14))
    load(session, tracker(tmp_path, "Completed", "Closed"), T0.replace(day=15))
    assert current(session) == ("completed", "Closed")
    assert date(2027, 1, 14) == history(session)[-1][2].date()
