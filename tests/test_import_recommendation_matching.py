"""A re-import matches stored recommendations within an evaluation by their number when the
file gives one, else by text, then by place, so a recommendation inserted, removed or moved
never hands its key actions' statuses, desk updates and reminder history to another (issue 12
item 5, one level up; docs/architecture.md, "Importers"). SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from reminder.importers.directory import read_directory
from reminder.importers.load import load_directory
from reminder.importers.matching import match_recommendations, number_key
from reminder.importers.summary import summary_lines
from reminder.models import Recommendation
from tests.conftest import FIXTURES
from tests.test_import_matching import T0, T1, desk_update, load, state

HEADER = "Evaluation,Recommendation number,Recommendation,Key action,Responsible,Deadline,Status\n"
# (number, text, action texts); every action text is unique across recommendations.
WATER = ("1", "Improve water", ["Map the wells", "Train the committees"])
STAFF = ("2", "Train staff", ["Hire a coordinator"])
FUNDS = ("3", "Raise funds", ["Publish the appeal"])
NEW = ("4", "Share the data", ["Open the portal"])

Rec = tuple[str | None, str, list[str]]


def tracker(tmp_path: Path, recs: list[Rec]) -> Path:
    path = tmp_path / "tracker.csv"
    lines = [
        f'Water evaluation,{number or ""},"{text}","{action}",UN Women,2027/12,Not initiated\n'
        for number, text, actions in recs
        for action in actions
    ]
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def unnumbered(*recs: Rec) -> list[Rec]:
    return [(None, text, actions) for _, text, actions in recs]


def first_import(session: Session, tmp_path: Path, recs: list[Rec]) -> dict[str, int]:
    """Import `recs`, then record a desk update on every action: its text as its comment."""
    load_directory(session, read_directory(FIXTURES / "agencies.csv"), T0)
    session.commit()
    load(session, tracker(tmp_path, recs), T0)
    for _, _, actions in recs:
        for action in actions:
            desk_update(session, state(session, action)[0], f"Done: {action}")
    return recommendation_ids(session)


def recommendation_ids(session: Session) -> dict[str, int]:
    session.expire_all()
    return {r.text: r.id for r in session.scalars(select(Recommendation))}


def places(session: Session) -> list[tuple[str | None, str]]:
    session.expire_all()
    query = select(Recommendation.number, Recommendation.text).order_by(Recommendation.position)
    return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def assert_actions_kept(session: Session, recs: list[Rec]) -> None:
    """Each stored action still has its own desk update, and is under its recommendation."""
    session.expire_all()
    for _, text, actions in recs:
        rec = session.scalars(select(Recommendation).where(Recommendation.text == text)).one()
        assert [a.text for a in rec.key_actions] == actions
        for action in actions:
            assert state(session, action)[1:3] == ("completed", f"Done: {action}")


# (stored, file, found, missing): "n:text" is a numbered recommendation, "text" one without.
MATCHES = [
    ("1:a 2:b 3:c", "1:a 2:b 3:c", [0, 1, 2], []),  # the same file
    ("1:a 2:b 3:c", "4:n 1:a 2:b 3:c", [None, 0, 1, 2], []),  # inserted above
    ("1:a 2:b 3:c", "1:a 3:c", [0, 2], [1]),  # removed: missing, not handed to 3
    ("1:a 2:b 3:c", "2:b 1:a 3:c", [1, 0, 2], []),  # swapped
    ("1:a 2:b", "4:n 2:B. 1:x", [None, 1, 0], []),  # a text edited: found by its number
    ("1:a 2:b 3:c", "1:a 2:b 4:c", [0, 1, 2], []),  # renumbered, same text: the same one
    ("1:a 2:b", "1:n 2:a 3:b", [None, 0, 1], []),  # a new first one, the rest renumbered
    ("1:a 2:b 3:c", "1:a 2:b 4:x", [0, 1, None], [2]),  # another number and text: a new one
    ("1.:a 2:b", "1:a Rec.2:b", [0, 1], []),  # numbers compared normalised
    ("a b c", "n a b c", [None, 0, 1, 2], []),  # no numbers: by text
    ("a b c", "c a B.", [2, 0, 1], []),  # by text, normalised
    ("a b c", "a x c", [0, 1, 2], []),  # reworded in place: the place's recommendation
    ("a b", "1:a 2:x", [0, 1], []),  # numbered now: by text, then by place
    ("1:a 2:b", "a x", [0, 1], []),  # numbers dropped: by text, then by place
    ("a a b", "n a a b", [None, 0, 1, 2], []),  # identical texts keep their order
    ("a b", "", [], [0, 1]),
    ("", "1:a b", [None, None], []),
]


def parse(recs: str) -> list[tuple[str | None, str]]:
    pairs = [item.rsplit(":", 1) if ":" in item else [None, item] for item in recs.split()]
    return [(n.replace("Rec.", "Rec. ") if n else n, f"{t} recommendation") for n, t in pairs]


@pytest.mark.parametrize(("stored", "file", "found", "missing"), MATCHES)
def test_match_recommendations(
    stored: str, file: str, found: list[int | None], missing: list[int]
) -> None:
    matched = match_recommendations(parse(stored), parse(file))
    assert (matched.found, matched.missing) == (found, missing)


@pytest.mark.parametrize("number", ["", "  ", "."])
def test_an_empty_number_is_no_number(number: str) -> None:
    assert number_key(number) == ""
    assert number_key(" Rec. 1.2. ") == number_key("1.2") != number_key("12")


def test_a_recommendation_inserted_above(session: Session, tmp_path: Path) -> None:
    ids = first_import(session, tmp_path, [WATER, STAFF])
    summary = load(session, tracker(tmp_path, [NEW, WATER, STAFF]), T1)
    assert {t: recommendation_ids(session)[t] for t in ids} == ids
    assert places(session) == [
        ("4", "Share the data"),
        ("1", "Improve water"),
        ("2", "Train staff"),
    ]
    assert_actions_kept(session, [WATER, STAFF])
    assert state(session, "Open the portal")[1:3] == ("not_initiated", None)
    assert dict(summary.recommendations) == {"created": 1, "updated": 2}
    assert summary.key_actions["created"] == 1
    assert "not in file (kept)" not in summary.key_actions
    again = load(session, tracker(tmp_path, [NEW, WATER, STAFF]), T1.replace(day=15))
    assert dict(again.recommendations) == {"unchanged": 3}


def test_a_recommendation_removed_is_kept_and_named(session: Session, tmp_path: Path) -> None:
    ids = first_import(session, tmp_path, [WATER, STAFF, FUNDS])
    summary = load(session, tracker(tmp_path, [WATER, FUNDS]), T1)
    assert recommendation_ids(session) == ids
    # Not in the file: kept with its actions and their history, after the file's.
    assert places(session) == [("1", "Improve water"), ("3", "Raise funds"), ("2", "Train staff")]
    assert_actions_kept(session, [WATER, STAFF, FUNDS])
    assert summary.recommendations["not in file (kept)"] == 1
    assert summary.missing_recommendations == [
        {
            "id": ids["Train staff"],
            "evaluation": "Water evaluation",
            "recommendation": "2",
            "text": "Train staff",
        }
    ]
    assert summary.as_dict()["missing_recommendations"] == summary.missing_recommendations
    printed = "\n".join(summary_lines(summary.as_dict(), dry_run=False))
    assert (
        "recommendation not in the file, kept as it was with its key actions: "
        "Water evaluation, recommendation 2: Train staff" in printed
    )
    assert "Hire a coordinator" not in printed  # its actions are not listed one by one


def test_two_recommendations_swapped(session: Session, tmp_path: Path) -> None:
    ids = first_import(session, tmp_path, [WATER, STAFF, FUNDS])
    summary = load(session, tracker(tmp_path, [FUNDS, STAFF, WATER]), T1)
    assert recommendation_ids(session) == ids
    assert places(session) == [("3", "Raise funds"), ("2", "Train staff"), ("1", "Improve water")]
    assert_actions_kept(session, [WATER, STAFF, FUNDS])
    assert dict(summary.recommendations) == {"updated": 2, "unchanged": 1}


def test_a_lightly_edited_recommendation_keeps_its_number(session: Session, tmp_path: Path) -> None:
    ids = first_import(session, tmp_path, [WATER, STAFF])
    edited = ("2", "Train all staff.", STAFF[2])
    load(session, tracker(tmp_path, [NEW, edited, WATER]), T1)
    after = recommendation_ids(session)
    assert after["Train all staff."] == ids["Train staff"]
    assert after["Improve water"] == ids["Improve water"]
    assert_actions_kept(session, [WATER, (None, "Train all staff.", STAFF[2])])


def test_recommendations_without_numbers(session: Session, tmp_path: Path) -> None:
    ids = first_import(session, tmp_path, unnumbered(WATER, STAFF, FUNDS))
    # Inserted above and two swapped: by text.
    load(session, tracker(tmp_path, unnumbered(NEW, STAFF, WATER, FUNDS)), T1)
    after = recommendation_ids(session)
    assert {t: after[t] for t in ids} == ids
    assert after["Share the data"] not in ids.values()
    # Reworded in place: no text matches, so it keeps the recommendation at its place.
    reworded = (None, "Raise more funds", FUNDS[2])
    load(session, tracker(tmp_path, [*unnumbered(NEW, STAFF, WATER), reworded]), T1)
    assert recommendation_ids(session)["Raise more funds"] == ids["Raise funds"]
    assert [text for _, text in places(session)] == [
        "Share the data", "Train staff", "Improve water", "Raise more funds",
    ]  # fmt: skip
    assert_actions_kept(session, [*unnumbered(STAFF, WATER), reworded])
