"""The management-response text layout: the real sample, flat rows, `|` cells, and odd cases."""

from datetime import date
from pathlib import Path

import pytest

from reminder.errors import SourceError
from reminder.importers import read_file
from reminder.responsible import Resolver
from tests.conftest import SAMPLE

AGENCIES = Resolver.from_parties([("UNW", "UN Women", []), ("IOM", "IOM", []), ("ILO", "ILO", [])])

HEAD = """Management Response

: Kyrgyzstan
: 2020 - 2023 , Bishkek (CO)
: Evaluation of the women's leadership programme
: Kyrgyzstan

Overall the agencies accept the evaluation.

: Approved
Recommendation: Do better planning.
Management Response: Agreed.
Description: Plans were late.
Management Response Category: Accepted
Key Actions
"""


def read(tmp_path: Path, body: str, resolver: Resolver = AGENCIES):  # type: ignore[no-untyped-def]
    path = tmp_path / "mr.txt"
    path.write_text(HEAD + body, encoding="utf-8")
    return read_file(path, resolver)


def test_the_real_sample_reads_faithfully() -> None:
    batch = read_file(SAMPLE, AGENCIES)
    [evaluation] = batch.evaluations
    assert evaluation.title.startswith("GPI Evaluation of the joint PBF funded project")
    assert (evaluation.office, evaluation.period) == ("Kyrgyzstan (CO)", "2018-2022")
    assert evaluation.response_state == "Approved"
    assert len(evaluation.recommendations) == 6
    actions = [a for rec in evaluation.recommendations for a in rec.actions]
    assert len(actions) == 6
    first = actions[0]
    assert first.text.endswith("revising new projects involving capacity development.")
    assert first.responsible_text == "UN Women, IOM and ILO"
    assert (first.deadline.due, first.deadline.label, first.deadline.precision) == (
        date(2022, 3, 31),
        "2022/03",
        "month",
    )
    assert {a.status for a in actions} == {"completed"}
    rec = evaluation.recommendations[0]
    assert rec.category == "Accepted"
    assert "UNEG Criteria: Impact" in rec.tags
    assert batch.guesses == []  # every split rested on a known party


def test_flat_rows_with_comments_numbering_and_several_actions(tmp_path: Path) -> None:
    batch = read(
        tmp_path,
        "Responsible Deadline Status Comments\n"
        "1.1. Draft the plan. UN Women 2022/03 Initiated Draft shared with IOM.\n"
        "1.2. Share the plan with partners IOM and ILO Q3 2022 Not Initiated\n",
    )
    first, second = batch.evaluations[0].recommendations[0].actions
    assert (first.number, first.text, first.comments) == (
        "1.1",
        "Draft the plan.",
        "Draft shared with IOM.",
    )
    assert (second.number, second.responsible_text, second.deadline.precision) == (
        "1.2",
        "IOM and ILO",
        "quarter",
    )
    assert second.status == "not_initiated" and second.comments == ""


def test_multi_line_comments_join_the_last_action(tmp_path: Path) -> None:
    batch = read(
        tmp_path,
        "Do the thing UN Women 2022/03 Initiated First line.\nSecond line of the comment.\n",
    )
    [action] = batch.evaluations[0].recommendations[0].actions
    assert action.comments == "First line.\nSecond line of the comment."


def test_cell_rows_separated_by_pipes(tmp_path: Path) -> None:
    batch = read(
        tmp_path,
        "Key Action | Responsible | Deadline | Status | Comments\n"
        "| Hold the workshop | UN PBF secretariat and UN Women | 15/03/2022 | Over due | |\n"
        "| Publish the report | SRO | No due date | No deadline established | Waiting |\n"
        "more about the wait\n",
    )
    first, second = batch.evaluations[0].recommendations[0].actions
    assert first.responsible_text == "UN PBF secretariat and UN Women"
    assert (first.deadline.due, first.status, first.status_label) == (
        date(2022, 3, 15),
        "open",
        "Over due",
    )
    assert (second.deadline.precision, second.comments) == ("none", "Waiting\nmore about the wait")
    assert batch.guesses == []  # cells need no guessing


def test_unknown_responsible_is_split_by_a_guess_that_is_reported(tmp_path: Path) -> None:
    batch = read(
        tmp_path,
        "Draft the plan with partners Country Representative, Programme "
        "Specialist 2022/03 Initiated\nShare findings with stakeholders SRO 2022 Completed\n",
    )
    first, second = batch.evaluations[0].recommendations[0].actions
    assert first.text == "Draft the plan with partners"
    assert first.responsible_text == "Country Representative, Programme Specialist"
    assert second.responsible_text == "SRO"
    assert [g.line for g in batch.guesses] == [16, 17]
    assert "capitalised" in batch.guesses[0].reason


def test_unknown_names_before_known_parties_split_at_the_sentence(tmp_path: Path) -> None:
    batch = read(
        tmp_path, "Consult the project board. UN PBF secretariat and UN Women 2022/03 Initiated\n"
    )
    [action] = batch.evaluations[0].recommendations[0].actions
    assert (action.text, action.responsible_text) == (
        "Consult the project board.",
        "UN PBF secretariat and UN Women",
    )
    assert len(batch.guesses) == 1


def test_empty_management_response_and_stamps(tmp_path: Path) -> None:
    path = tmp_path / "mr.txt"
    path.write_text(
        HEAD.replace("Management Response: Agreed.", "Management Response:")
        + "Act now UN Women 2022/03 Initiated\n"
        "[Added: 2021/01/05] [Last Updated: 2021/06/30]\n",
        encoding="utf-8",
    )
    [rec] = read_file(path, AGENCIES).evaluations[0].recommendations
    assert rec.management_response == ""
    assert (rec.actions[0].added_on, rec.actions[0].updated_on) == (
        date(2021, 1, 5),
        date(2021, 6, 30),
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Act now UN Women 2022/13 Initiated\n", "mr.txt:16: deadline: month 13 is not"),
        ("| Act | UN Women | 2022/03 | Delayed |\n", "mr.txt:16: status: unknown status 'Delayed'"),
        (
            "| Act | UN \x07Women | 2022/03 | Initiated |\n",
            "mr.txt:16: responsible: contains the control character",
        ),
        ("| Act | UN Women | 2022/03 | Initiated | a | b |\n", "mr.txt:16: key action: 6 cells"),
        ("Just some words with no status\n", "mr.txt:16: key action: action text without"),
    ],
)
def test_bad_rows_name_file_line_and_field(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(SourceError) as caught:
        read(tmp_path, body)
    assert str(caught.value).endswith(message) or message in str(caught.value)
    assert str(caught.value).startswith(str(tmp_path / "mr.txt"))


def test_unknown_name_joined_to_a_known_party_in_a_flat_row_is_kept(tmp_path: Path) -> None:
    """Issue 11 rule bug (c): "UN PBF secretariat" was dropped from the responsible text."""
    batch = read(
        tmp_path,
        "Consult with the partners UN PBF secretariat and UN Women 2027 Over due\n",
    )
    [action] = batch.evaluations[0].recommendations[0].actions
    assert (action.text, action.responsible_text) == (
        "Consult with the partners",
        "UN PBF secretariat and UN Women",
    )
    resolution = AGENCIES.resolve(action.responsible_text)
    assert (resolution.codes, resolution.unresolved) == (("UNW",), ("UN PBF secretariat",))
    assert (action.deadline.due, action.status, action.status_label) == (
        date(2027, 12, 31),
        "open",
        "Over due",
    )
    [guess] = batch.guesses
    assert guess.responsible_text == "UN PBF secretariat and UN Women"


def test_every_bad_row_of_a_text_file_is_reported_at_once(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        read(
            tmp_path,
            "Act now UN Women 2022/13 Initiated\n"
            "| Act | UN Women | 2022/03 | Delayed |\n"
            "| Act | UN Women | 2022/03 | Initiated |\n"
            "Recommendation: Second.\n"
            "Key Actions\n"
            "Just some words with no status\n",
        )
    path = tmp_path / "mr.txt"
    assert str(caught.value).split("\n") == [
        f"{path}:16: deadline: month 13 is not between 1 and 12",
        f"{path}:17: status: unknown status 'Delayed' (use Not initiated, Initiated, Completed, "
        "No longer applicable, Overdue, Ongoing or Pending)",
        f"{path}:21: key action: action text without responsible, deadline and status",
    ]


def test_after_an_action_a_row_without_deadline_needs_a_known_party(tmp_path: Path) -> None:
    batch = read(
        tmp_path,
        "Draft the plan UN Women 2022/03 Initiated\n"
        "The partners said the survey was Completed in May.\n"
        "Hold the closing meeting UN Women Completed\n",
    )
    first, second = batch.evaluations[0].recommendations[0].actions
    assert first.comments == "The partners said the survey was Completed in May."
    assert (second.text, second.responsible_text, second.status) == (
        "Hold the closing meeting",
        "UN Women",
        "completed",
    )
    assert second.deadline.precision == "none"
