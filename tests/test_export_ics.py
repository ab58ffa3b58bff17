"""The portfolio export reads back through `reminder import` unchanged, escapes formula-like
cells, and the calendar feed parses with icalendar on the right days."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from reminder import access, export, ics
from reminder.importers import read_file
from reminder.importers.load import load_batch, load_resolver
from reminder.models import Evaluation, KeyAction, Recommendation
from tests.desk_setup import AIDA, NOW, load_examples


def portfolio(session: Session) -> list[tuple[Any, ...]]:
    session.expire_all()
    rows = session.execute(
        select(Evaluation.identity, Evaluation.title, Evaluation.office, Recommendation.position,
               Recommendation.number, Recommendation.text, KeyAction.position, KeyAction.text,
               KeyAction.responsible_text, KeyAction.due_date, KeyAction.deadline_label,
               KeyAction.status, KeyAction.status_label, KeyAction.comments, KeyAction.updated_on)
        .join(Recommendation, Recommendation.id == KeyAction.recommendation_id)
        .join(Evaluation, Evaluation.id == Recommendation.evaluation_id)
        .order_by(KeyAction.id)
    )  # fmt: skip
    return [tuple(row) for row in rows]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(
    session: Session, tmp_path: Path, file_format: str
) -> None:
    load_examples(session)
    # Comments that a spreadsheet would run, and a desk-style comment with a line break.
    action = session.scalars(select(KeyAction).order_by(KeyAction.id)).first()
    assert action is not None
    action.comments = '=HYPERLINK("http://x")\n[2027-01-15 Aida] - done'
    session.commit()
    before = portfolio(session)
    path = tmp_path / f"portfolio.{file_format}"
    assert export.export(session, path) == len(before)
    summary = load_batch(session, read_file(path, load_resolver(session)), NOW + timedelta(days=1))
    session.commit()
    assert portfolio(session) == before
    assert not summary.as_dict()["key_actions"].get("added")


def test_formula_like_cells_are_escaped(session: Session, tmp_path: Path) -> None:
    load_examples(session)
    action = session.scalars(select(KeyAction).order_by(KeyAction.id)).first()
    assert action is not None
    action.comments = "=1+2"
    action.responsible_text = "@SUM(A1)"
    session.commit()
    export.export(session, tmp_path / "p.csv")
    with (tmp_path / "p.csv").open(encoding="utf-8-sig", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert "'=1+2" in cells and "'@SUM(A1)" in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    export.export(session, tmp_path / "p.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "p.xlsx").worksheets[0]
    formulas = [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    assert "=1+2" in [c.value for row in sheet.iter_rows() for c in row]


def test_an_unknown_format_is_an_error_naming_the_option(session: Session, tmp_path: Path) -> None:
    from reminder.errors import ReminderError

    with pytest.raises(ReminderError, match="--format"):
        export.export(session, tmp_path / "p.ods")
    assert not list(tmp_path.glob("p.ods*"))  # nothing half-written


def test_the_calendar_holds_one_all_day_event_per_dated_action(session: Session) -> None:
    load_examples(session)
    scope = access.scope_of(session, AIDA, NOW.date())
    actions = list(access.open_actions(session, scope))
    feed = Calendar.from_ical(ics.calendar(actions, "http://desk.test/p/token"))
    events = {str(e["uid"]): e for e in feed.walk("VEVENT")}
    dated = [a for a in actions if a.due is not None]
    assert dated and len(events) == len(dated)
    for action in dated:
        event = events[ics.uid_of(action.id)]
        assert event["dtstart"].dt == action.due  # an all-day event on the due day
        assert event["dtend"].dt == action.due + timedelta(days=1)
        assert action.evaluation in str(event["description"])
        assert action.recommendation[:40] in str(event["description"])
        assert "http://desk.test/p/token" in str(event["description"])
    # Stable: the same actions give the same UIDs on the next fetch.
    again = Calendar.from_ical(ics.calendar(actions, "http://desk.test/p/other"))
    assert {str(e["uid"]) for e in again.walk("VEVENT")} == set(events)


def test_the_calendar_speaks_the_language_it_is_given(session: Session) -> None:
    from reminder.i18n import Catalogs

    load_examples(session)
    actions = list(access.open_actions(session, access.scope_of(session, AIDA, NOW.date())))
    french = Catalogs().translations("fr")
    feed = Calendar.from_ical(ics.calendar(actions, "http://desk.test/p/token", french))
    assert str(feed["x-wr-calname"]) == "Actions clés"
    event = next(iter(feed.walk("VEVENT")))
    assert str(event["summary"]).startswith("Échéance : ")
    description = str(event["description"])
    assert "Recommandation " in description and "statut : " in description
    assert "Mettre à jour : http://desk.test/p/token" in description
    # The status speaks French too, whatever label the tracker wrote.
    assert any(name in description for name in ("Non initiée", "Initiée", "Ouverte")), description
    english = Calendar.from_ical(ics.calendar(actions, "http://desk.test/p/token"))
    assert str(english["x-wr-calname"]) == "Key actions"
