"""A re-import matches stored key actions to the file's rows by their text within the
recommendation, then by position for the rows left over, so a row inserted, deleted or moved
never hands one action's status, comments, desk updates and reminder history to another
(issue 12 item 5; docs/architecture.md, "Importers"). SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from reminder.importers.directory import read_directory
from reminder.importers.load import FileSummary, import_file, load_directory
from reminder.importers.matching import match
from reminder.importers.summary import summary_lines
from reminder.models import ActionUpdate, KeyAction
from tests.conftest import FIXTURES

T0 = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
DESK_AT = datetime(2027, 1, 12, 15, 0, tzinfo=UTC)
T1 = datetime(2027, 1, 14, 9, 0, tzinfo=UTC)
HEADER = "Evaluation,Recommendation,Key action,Responsible,Deadline,Status,Comments\n"
# Each action has its own deadline, so a test sees the whole row travel with its text.
ROWS = {
    "Map the services": "2027/03",
    "Train the committees": "2027/06",
    "Publish the report": "2027/09",
    "Hire a coordinator": "2027/12",
}


def tracker(tmp_path: Path, texts: list[str]) -> Path:
    path = tmp_path / "tracker.csv"
    lines = [
        f'Water evaluation,Improve water,"{text}",UN Women,'
        f"{ROWS.get(text.strip().rstrip('.').capitalize(), '2028/01')},Not initiated,\n"
        for text in texts
    ]
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def load(session: Session, path: Path, now: datetime) -> FileSummary:
    summary = import_file(session, path, now)
    session.commit()
    return summary


def ids_by_text(session: Session) -> dict[str, int]:
    session.expire_all()
    return {a.text: a.id for a in session.scalars(select(KeyAction))}


def desk_update(session: Session, action_id: int, comment: str) -> None:
    """What the status desk does: a `web` row and the action's new current status."""
    action = session.get(KeyAction, action_id)
    assert action is not None
    session.add(
        ActionUpdate(
            key_action_id=action_id,
            recorded_at=DESK_AT,
            source="web",
            actor="aida@unwomen.example.org",
            actor_name="Aida Bekova",
            old_status=action.status,
            new_status="completed",
            comment=comment,
        )
    )
    action.status, action.status_label, action.comments = "completed", "Completed", comment
    action.status_changed_at = DESK_AT
    session.commit()


def state(session: Session, text: str) -> tuple[int, str, str | None, str, list[str]]:
    """An action's id, status, comments, deadline and the sources of its history."""
    session.expire_all()
    action = session.scalars(select(KeyAction).where(KeyAction.text == text)).one()
    sources = session.scalars(
        select(ActionUpdate.source)
        .where(ActionUpdate.key_action_id == action.id)
        .order_by(ActionUpdate.id)
    ).all()
    return action.id, action.status, action.comments, action.deadline_label, list(sources)


def positions(session: Session) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(KeyAction.text).order_by(KeyAction.position)))


def first_import(session: Session, tmp_path: Path, texts: list[str]) -> dict[str, int]:
    load_directory(session, read_directory(FIXTURES / "agencies.csv"), T0)
    session.commit()
    load(session, tracker(tmp_path, texts), T0)
    return ids_by_text(session)


ABC = ["Map the services", "Train the committees", "Publish the report"]


# (stored, file, found, missing): texts by letter; indexes into the stored texts.
MATCHES = [
    ("A B C", "A B C", [0, 1, 2], []),  # the same file: each row its own action
    ("A B C", "N A B C", [None, 0, 1, 2], []),  # a row inserted above: new, the rest follow
    ("A B C", "A C", [0, 2], [1]),  # a row deleted: missing, not handed to C
    ("A B C", "C A B", [2, 0, 1], []),  # reordered: each follows its text
    ("A B C", "A b. C", [0, 1, 2], []),  # case and punctuation ignored
    ("A B C", "A X C", [0, 1, 2], []),  # reworded in place: keeps the place's action
    ("A B C", "N A X C", [None, 0, None, 2], [1]),  # reworded and moved: new, the old missing
    ("A A B", "N A A B", [None, 0, 1, 2], []),  # identical texts keep their order
    ("A B", "", [], [0, 1]),  # nothing left: all missing, in stored order
    ("", "A B", [None, None], []),  # a first import: all new
]


@pytest.mark.parametrize(("stored", "file", "found", "missing"), MATCHES)
def test_match(stored: str, file: str, found: list[int | None], missing: list[int]) -> None:
    def texts(letters: str) -> list[str]:
        return [f"{letter} action" for letter in letters.split()]

    matched = match(texts(stored), texts(file))
    assert (matched.found, matched.missing) == (found, missing)


def test_a_row_inserted_above_shifts_nothing(session: Session, tmp_path: Path) -> None:
    ids = first_import(session, tmp_path, ABC)
    desk_update(session, ids["Train the committees"], "Trained in December")
    summary = load(session, tracker(tmp_path, ["Hire a coordinator", *ABC]), T1)
    assert state(session, "Train the committees") == (
        ids["Train the committees"], "completed", "Trained in December", "2027/06",
        ["import", "web"],
    )  # fmt: skip
    hired = state(session, "Hire a coordinator")
    assert hired[1:] == ("not_initiated", None, "2027/12", ["import"])  # new, no desk history
    assert hired[0] not in ids.values()
    # Every stored action keeps its id, so what refers to it by id (desk updates, the
    # reminder log, the delivery ledger's history) stays with its text.
    assert {t: ids_by_text(session)[t] for t in ABC} == ids
    assert positions(session) == ["Hire a coordinator", *ABC]
    assert dict(summary.key_actions) == {"created": 1, "updated": 3}
    assert summary.kept_desk_updates == [{"line": 4, "date": "2027-01-12", "by": "Aida Bekova"}]


def test_a_row_deleted_keeps_the_action_and_reports_it(session: Session, tmp_path: Path) -> None:
    ids = first_import(session, tmp_path, ABC)
    desk_update(session, ids["Train the committees"], "Trained in December")
    desk_update(session, ids["Publish the report"], "Published")
    summary = load(session, tracker(tmp_path, ["Map the services", "Publish the report"]), T1)
    assert state(session, "Publish the report") == (
        ids["Publish the report"], "completed", "Published", "2027/09", ["import", "web"],
    )  # fmt: skip
    # Not in the file: kept as it was, with its history, after the file's actions.
    assert state(session, "Train the committees") == (
        ids["Train the committees"], "completed", "Trained in December", "2027/06",
        ["import", "web"],
    )  # fmt: skip
    assert positions(session) == ["Map the services", "Publish the report", "Train the committees"]
    assert summary.key_actions["not in file (kept)"] == 1
    assert summary.missing_actions == [
        {
            "id": ids["Train the committees"],
            "evaluation": "Water evaluation",
            "recommendation": "1",
            "text": "Train the committees",
        }
    ]
    printed = "\n".join(summary_lines(summary.as_dict(), dry_run=False))
    assert (
        "not in the file, kept as they were: Water evaluation, recommendation 1: "
        "Train the committees" in printed
    )


def test_rows_reordered_keep_their_actions(session: Session, tmp_path: Path) -> None:
    ids = first_import(session, tmp_path, ABC)
    desk_update(session, ids["Map the services"], "Mapped")
    summary = load(session, tracker(tmp_path, list(reversed(ABC))), T1)
    assert ids_by_text(session) == ids
    assert state(session, "Map the services")[1:4] == ("completed", "Mapped", "2027/03")
    assert state(session, "Publish the report")[1:4] == ("not_initiated", None, "2027/09")
    assert positions(session) == list(reversed(ABC))
    assert summary.key_actions["updated"] == 2  # two moved; the middle one stayed
    again = load(session, tracker(tmp_path, list(reversed(ABC))), T1.replace(day=15))
    assert dict(again.key_actions) == {"unchanged": 3}


def test_a_text_edited_in_place_keeps_its_id(session: Session, tmp_path: Path) -> None:
    ids = first_import(session, tmp_path, ABC)
    desk_update(session, ids["Train the committees"], "Trained in December")
    desk_update(session, ids["Publish the report"], "Published")
    # Case, spacing and punctuation only, with a row inserted above: matched by text.
    lightly = ["Hire a coordinator", "Map the services", "train  the committees.", ABC[2]]
    load(session, tracker(tmp_path, lightly), T1)
    assert state(session, "train  the committees.")[:3] == (
        ids["Train the committees"], "completed", "Trained in December",
    )  # fmt: skip
    # Reworded in place: no text matches, so the row left over keeps the id at its position.
    reworded = [*lightly[:3], "Publish the final report"]
    load(session, tracker(tmp_path, reworded), T1.replace(day=15))
    assert state(session, "Publish the final report")[:3] == (
        ids["Publish the report"], "completed", "Published",
    )  # fmt: skip


def test_two_identical_texts_keep_their_order(session: Session, tmp_path: Path) -> None:
    twice = ["Map the services", "Map the services", "Publish the report"]
    first_import(session, tmp_path, twice)
    session.expire_all()
    first, second = session.scalars(
        select(KeyAction.id)
        .where(KeyAction.text == "Map the services")
        .order_by(KeyAction.position)
    ).all()
    desk_update(session, second, "Second mapping done")
    load(session, tracker(tmp_path, ["Hire a coordinator", *twice]), T1)
    session.expire_all()
    rows = session.execute(
        select(KeyAction.id, KeyAction.status, KeyAction.comments)
        .where(KeyAction.text == "Map the services")
        .order_by(KeyAction.position)
    ).all()
    assert [tuple(r) for r in rows] == [
        (first, "not_initiated", None),
        (second, "completed", "Second mapping done"),
    ]
    web = session.scalars(select(ActionUpdate.key_action_id).where(ActionUpdate.source == "web"))
    assert list(web) == [second]
