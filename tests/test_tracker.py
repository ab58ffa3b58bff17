"""CSV and XLSX trackers: header aliases, delimiters, BOM, and refused inputs."""

import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from reminder.errors import SourceError
from reminder.importers import read_file
from reminder.responsible import Resolver

NONE = Resolver({})


def write(tmp_path: Path, text: str, name: str = "tracker.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_csv_with_aliases_semicolons_and_bom(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Evaluation;Recommendation;Action;Responsible unit;DueDate;Status;Comments\n"
        "Eval A;Plan better;Draft plan;UN Women;2022/03;Initiated;ok\n"
        "Eval A;Plan better;Share plan;IOM;Q3 2022;Not initiated;\n"
        'Eval A;Report;"Write the\nreport";ILO;;Ongoing;\n',
        bom=True,
    )
    batch = read_file(path, NONE)
    [evaluation] = batch.evaluations
    assert evaluation.title == "Eval A"
    first, second = evaluation.recommendations
    assert [a.text for a in first.actions] == ["Draft plan", "Share plan"]
    assert first.actions[0].deadline.due == date(2022, 3, 31)
    assert second.actions[0].text == "Write the\nreport"
    assert second.actions[0].deadline.precision == "none"


def test_csv_without_evaluation_column_uses_the_file_name(tmp_path: Path) -> None:
    path = write(
        tmp_path, "Key action,Responsible,Deadline,Status\nDo it,UN Women,2022,Completed\n"
    )
    [evaluation] = read_file(path, NONE).evaluations
    assert evaluation.title == "tracker"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Key action,Deadline,Status\nDo it,2022,Completed\n",
            "tracker.csv:1: responsible: missing required column 'responsible'",
        ),
        (
            "Key action,Responsible,Deadline,Status\nDo it,UNW,2022/13,Completed\n",
            "tracker.csv:2: deadline: month 13 is not between 1 and 12",
        ),
        (
            "Key action,Responsible,Deadline,Status\nDo it,UNW,2022,Done-ish\n",
            "tracker.csv:2: status: unknown status 'Done-ish'",
        ),
        (
            'Key action,Responsible,Deadline,Status\n"a\nb",UNW,2022,Completed\nx,UNW,2022,Bad\n',
            "tracker.csv:4: status: unknown status 'Bad'",
        ),
        ("Key action,Responsible,Deadline,Status\n", "tracker.csv: file: the tracker has a header"),
        (
            "Key action,Responsible,Deadline,Status,Comments\nDo,UNW,2022,Completed,bell\x07\n",
            "tracker.csv:2: comments: contains the control character",
        ),
    ],
)
def test_bad_csv_names_file_line_and_field(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SourceError) as caught:
        read_file(write(tmp_path, text), NONE)
    assert message in str(caught.value)


def test_empty_and_binary_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="empty"):
        read_file(write(tmp_path, "  \n"), NONE)
    binary = tmp_path / "mr.txt"
    binary.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(SourceError, match=re.escape("mr.txt: file: this is a binary file")):
        read_file(binary, NONE)


def test_xlsx_tracker(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(
        [
            "Evaluation",
            "Recommendation",
            "Key action",
            "Responsible",
            "Due date",
            "Status",
            "Comments",
            "Last updated",
        ]
    )
    sheet.append(
        [
            "Eval X",
            "R1",
            "Act",
            "UN Women",
            datetime(2022, 3, 15),
            "Initiated",
            None,
            datetime(2022, 1, 2),
        ]
    )
    sheet.append(["Eval X", "R1", "Act 2", "IOM", "Q1 2023", "Completed", "done", None])
    path = tmp_path / "tracker.xlsx"
    workbook.save(path)
    batch = read_file(path, NONE)
    assert batch.file_format == "xlsx"
    first, second = batch.evaluations[0].recommendations[0].actions
    assert (first.deadline.due, first.deadline.precision) == (date(2022, 3, 15), "day")
    assert first.updated_on == date(2022, 1, 2)
    assert (second.deadline.precision, second.comments) == ("quarter", "done")


def test_broken_xlsx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tracker.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(
        SourceError, match=re.escape("tracker.xlsx: file: not a readable XLSX workbook")
    ):
        read_file(path, NONE)
