"""Layouts copied from real management-response pages (issue 13), on fixtures written for the
project: one test per phenomenon, each checking count, text, responsible (raw and codes),
deadline (due day, precision, label), status and comments."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from reminder.importers import read_file
from reminder.importers.records import ActionRecord, ImportBatch
from reminder.importers.writer import link_codes, resolution_for
from reminder.responsible import Resolver
from tests.conftest import FIXTURES

LAYOUTS = FIXTURES / "layouts"
DIRECTORY = Resolver.from_parties(
    [
        ("UNW", "UN Women", []),
        ("IOM", "IOM", []),
        ("ROAP", "UN Women Regional Office for Asia and the Pacific", []),
        ("BRA", "ONU Mujeres Brasil & Cono Sur", []),
        ("DGPU", "Democratic Governance and Peacebuilding Unit (DGPU)", []),
        ("RCO", "RCO", []),
        ("UNCT", "UNCT", []),
        ("MFE", "Ministère de la Femme", []),
        ("EO", "Evaluation Office", []),
    ],
    catch_all="EO",
)


def read(name: str, date_order: str = "dmy") -> ImportBatch:
    return read_file(LAYOUTS / name, DIRECTORY, date_order)


def actions(batch: ImportBatch) -> list[ActionRecord]:
    return [a for e in batch.evaluations for r in e.recommendations for a in r.actions]


def check(
    action: ActionRecord,
    text: str,
    responsible: str,
    codes: list[str],
    deadline: tuple[date | None, str, str],
    status: str,
    comments: str,
) -> None:
    resolution = resolution_for(DIRECTORY, action.responsible_text, action.text)
    assert action.text == text
    assert action.responsible_text == responsible
    assert link_codes(DIRECTORY, resolution) == codes
    assert (action.deadline.due, action.deadline.precision, action.deadline.label) == deadline
    assert action.status == status
    assert action.comments == comments


def test_gate_cells_one_per_line_with_the_header_split_too() -> None:
    batch = read("gate-cells-split-over-lines.txt")
    found = actions(batch)
    assert len(found) == 4
    check(
        found[0],
        "Draft the budget rules with the district councils.",
        "UN Women Regional Office for Asia and the Pacific",  # "and" inside a known name
        ["ROAP"],
        (date(2027, 3, 31), "month", "2027/03"),
        "initiated",
        "Rules drafted with two districts.",
    )
    check(
        found[1],
        "Train the committee treasurers, then audit the first year.",  # cell over two lines
        "RCO + UNCT",  # "+" separates
        ["RCO", "UNCT"],
        (date(2027, 12, 31), "quarter", "Q4 2027"),
        "not_initiated",
        "",
    )
    assert batch.guesses == []


def test_status_with_a_justification_on_the_next_line() -> None:
    found = actions(read("gate-cells-split-over-lines.txt"))
    check(
        found[2],
        "Put the accounts on the district notice boards.",
        "Democratic Governance and Peacebuilding Unit (DGPU)",
        ["DGPU"],
        (date(2027, 6, 15), "day", "15/06/2027"),
        "no_longer_applicable",
        "Justification: the districts publish them already.",
    )
    assert found[2].status_label == "No Longer Applicable"


def test_ongoing_as_a_status_beside_a_real_deadline_is_open() -> None:
    found = actions(read("gate-cells-split-over-lines.txt"))
    check(
        found[3],
        "Report on the accounts every quarter.",
        "UN Women",
        ["UNW"],
        (date(2026, 12, 31), "month", "2026/12"),
        "open",
        "Quarterly since 2025.",
    )


def test_prefix_line_and_long_comments_full_of_names() -> None:
    found = actions(read("gate-prefix-and-long-comments.txt"))
    assert len(found) == 2  # the second action is not swallowed into the first's comments
    check(
        found[0],
        "KAZ: Agree a shared results framework with the national partners.",
        "UN Women",
        ["UNW"],
        (date(2023, 6, 30), "month", "2023/06"),
        "completed",
        "The framework was agreed in May.\n"
        "In the review the Ministry of Labour and the Migration Service and UN Women and IOM "
        "went through every indicator, and Completed the baseline together.\n"
        "A second paragraph: The Deputy Minister and the Head of the Migration Service signed "
        "the minutes. The Regional Director attended.",
    )
    check(
        found[1],
        "KGZ: Hold joint planning meetings with the country teams twice a year.",
        "IOM",
        ["IOM"],
        (date(2024, 12, 31), "month", "2024/12"),
        "initiated",
        "The first meeting was held in Bishkek.",
    )


def test_resource_centre_page_layout() -> None:
    batch = read("erc-page.txt")
    assert batch.file_format == "resource-centre page"
    [evaluation] = batch.evaluations
    assert (evaluation.title, evaluation.office, evaluation.period, evaluation.source_id) == (
        "Evaluación final del programa de autonomía económica",
        "ONU Mujeres Brasil & Cono Sur",
        "2022-2025",
        "12045",
    )
    first, _rejected, _third = evaluation.recommendations
    assert (first.number, first.text, first.management_response) == (
        "1",
        "Ampliar el programa a dos estados más.",
        "Aceptada.",
    )
    assert [a.number for a in first.actions] == ["1.1", "1.3", "1.2"]  # kept in file order
    check(
        first.actions[0],
        "Firmar acuerdos con las secretarías estatales y las contrapartes",  # no "1.1." left
        "ONU Mujeres Brasil & Cono Sur",  # "&" inside a known name
        ["BRA"],
        (date(2026, 12, 31), "month", "diciembre 2026"),
        "initiated",
        "Un acuerdo firmado.",  # the `History` link label is not a comment
    )
    check(
        first.actions[1],
        "Evaluar la ampliación.",
        "ONU Mujeres Brasil & Cono Sur",
        ["BRA"],
        (date(2027, 12, 31), "year", "2027"),
        "completed",
        "",
    )


def test_rejected_recommendation_has_no_actions() -> None:
    [evaluation] = read("erc-page.txt").evaluations
    rejected = evaluation.recommendations[1]
    assert rejected.management_response == "Rechazada: el componente ya terminó."
    assert rejected.actions == []


def test_a_person_then_a_role_and_french_words() -> None:
    [evaluation] = read("erc-page.txt").evaluations
    check(
        evaluation.recommendations[0].actions[2],
        "Contratar a dos coordinadoras.",
        "Aminata Diallo ; Responsable de projet",
        [],  # neither is in the directory: kept, reported, routed to the catch-all
        (date(2027, 3, 31), "month", "mars 2027"),
        "initiated",
        "",
    )
    resolution = DIRECTORY.resolve("Aminata Diallo ; Responsable de projet")
    assert resolution.unresolved == ("Aminata Diallo", "Responsable de projet")


def test_responsible_cell_that_repeats_the_action_resolves_nothing() -> None:
    batch = read("erc-page.txt")
    [evaluation] = batch.evaluations
    [action] = evaluation.recommendations[2].actions
    check(
        action,
        "Escribir una nota de lecciones aprendidas.",
        "Escribir una nota de lecciones aprendidas.",  # kept as the raw text
        [],
        (None, "none", "No due date"),
        "not_initiated",
        "",
    )
    assert [g.reason for g in batch.guesses] == ["the responsible cell repeats the action text"]


def test_flat_rows_known_names_with_and_mangled_text_and_numbering() -> None:
    found = actions(read("gate-flat-responsible.txt"))
    assert len(found) == 4
    check(
        found[0],
        "Strengthen the referral network with the shelters.",
        "UN Women Regional Office for Asia and the Pacific",  # longest known name first
        ["ROAP"],
        (date(2027, 6, 30), "month", "2027/06"),
        "initiated",
        "",
    )
    check(
        found[1],
        "Appuyer le Minist?re de la Femme pour le rapport annuel.",
        "Minist?re de la Femme",  # "?" for a mangled "è"
        ["MFE"],
        (date(2027, 9, 30), "month", "2027/09"),
        "not_initiated",
        "",
    )
    check(
        found[2],
        "Brief the donors on the results",  # the next cell's "2.1." left in neither
        "Country Representative, Programme Specialist",
        [],
        (date(2027, 12, 31), "year", "2027"),
        "open",
        "",
    )


def test_tab_separated_tracker_with_spanish_words() -> None:
    batch = read("tracker-tab-separated.tsv")
    assert batch.file_format == "tsv"
    found = actions(batch)
    assert len(found) == 3
    check(
        found[1],
        "Publicar la guía",
        "RCO + UNCT",
        ["RCO", "UNCT"],
        (date(2026, 12, 31), "month", "diciembre 2026"),
        "initiated",
        "",
    )
    check(
        found[0],
        "Capacitar a las promotoras",
        "ONU Mujeres Brasil & Cono Sur",
        ["BRA"],
        (date(2027, 4, 3), "day", "03/04/2027"),  # day first by default...
        "completed",
        "Hecho en marzo",
    )
    # ...with a warning naming the line, since 03/04 could be either way round.
    assert batch.warnings == [(2, "deadline", "'03/04/2027' read as 2027-04-03 (--date-order)")]


def test_date_order_mdy_reads_month_first() -> None:
    batch = read("tracker-tab-separated.tsv", "mdy")
    found = actions(batch)
    assert found[0].deadline.due == date(2027, 3, 4)
    assert [w[0] for w in batch.warnings] == [2]


def test_date_order_ymd_refuses_year_last_days_naming_the_line() -> None:
    from reminder.errors import SourceError

    with pytest.raises(SourceError) as caught:
        read("tracker-tab-separated.tsv", "ymd")
    assert str(caught.value).endswith(
        ":2: deadline: a day with the year last; --date-order ymd reads only 2027-04-03"
    )


@pytest.mark.parametrize(
    ("name", "encoding", "text", "deadline", "status"),
    [
        (
            "tracker-excel-cp1252.csv",
            "cp1252",
            "Réviser le manuel de procédures",
            (date(2027, 3, 31), "month", "mars 2027"),
            "initiated",
        ),
        (
            "tracker-excel-cp1251.csv",
            "cp1251",
            "Провести обучение для сотрудников",
            (date(2027, 3, 31), "month", "март 2027"),
            "completed",
        ),
    ],
)
def test_excel_encodings_are_detected(
    name: str, encoding: str, text: str, deadline: tuple[date, str, str], status: str
) -> None:
    batch = read(name)
    assert batch.encoding == encoding
    [action] = actions(batch)
    assert action.text == text
    assert (action.deadline.due, action.deadline.precision, action.deadline.label) == deadline
    assert action.status == status


def test_every_error_of_a_file_in_one_pass() -> None:
    from reminder.importers.common import SourceErrors

    path = LAYOUTS / "tracker-several-bad-lines.csv"
    with pytest.raises(SourceErrors) as caught:
        read_file(path, DIRECTORY)
    assert str(caught.value).split("\n") == [
        f"{path}:2: deadline: month 13 is not between 1 and 12",
        f"{path}:3: status: unknown status 'Delayed' (use Not initiated, Initiated, Completed, "
        "No longer applicable, Overdue, Ongoing or Pending)",
        f"{path}:4: action: the key action is empty",
        f"{path}:6: deadline: day 31 does not exist in February 2027",
    ]


def test_errors_are_capped_then_counted(tmp_path: Path) -> None:
    from reminder.importers.common import SourceErrors

    path = tmp_path / "many.csv"
    rows = ["Key action,Responsible,Deadline,Status"] + ["Act,UN Women,2027/13,Initiated"] * 130
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(SourceErrors) as caught:
        read_file(path, DIRECTORY)
    lines = str(caught.value).split("\n")
    assert len(lines) == 101 and lines[-1] == "and 30 more"
    assert lines[0] == f"{path}:2: deadline: month 13 is not between 1 and 12"


def test_stamps_inside_a_split_cell_date_the_action(tmp_path: Path) -> None:
    text = (LAYOUTS / "gate-cells-split-over-lines.txt").read_text("utf-8")
    path = tmp_path / "stamped.txt"
    path.write_text(
        text.replace(
            "Rules drafted with two districts. |",
            "Rules drafted with two districts.\n[Added: 2026/05/02] [Last Updated: 2026/11/30] |",
        ),
        "utf-8",
    )
    first = actions(read_file(path, DIRECTORY))[0]
    assert (first.added_on, first.updated_on) == (date(2026, 5, 2), date(2026, 11, 30))
    assert first.comments == "Rules drafted with two districts."
