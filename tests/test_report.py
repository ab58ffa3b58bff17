"""The office's report on a hand-checked portfolio (tests/report_portfolio.py): every figure in
JSON, text and XLSX, on SQLite and PostgreSQL, and the command line around it."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from reminder.cli import main
from reminder.db import make_session_factory
from reminder.report import Report, build_report
from reminder.report.formats import render_report
from reminder.report.trend import month_ends
from reminder.report.workbook import escape_formula
from tests.report_portfolio import AS_OF, SINCE, build_portfolio

UTC_ZONE = ZoneInfo("UTC")


def counts(total, completed, initiated, not_initiated, nla, open_, overdue, rate, share):  # type: ignore[no-untyped-def]
    return {"total": total, "completed": completed, "initiated": initiated,
            "not_initiated": not_initiated, "no_longer_applicable": nla, "open": open_,
            "overdue": overdue, "implementation_rate": rate, "overdue_share": share}  # fmt: skip


def ageing(a: int, b: int, c: int, d: int) -> dict[str, int]:
    return {"1-30": a, "31-90": b, "91-180": c, "180+": d}


# Worked out by hand from the table in tests/report_portfolio.py.
OVERALL = counts(8, 2, 2, 2, 1, 5, 4, 0.2857, 0.8)  # 2 / (8 - 1); 4 of 5 open are late
BY_PARTY = [
    {"party": "ILO", "name": "International Labour Organization", **counts(2, 0, 1, 1, 0, 2, 2, 0.0, 1.0), "ageing": ageing(0, 1, 0, 1)},
    {"party": "IOM", "name": "International Organization for Migration", **counts(3, 1, 1, 0, 0, 2, 1, 0.3333, 0.5), "ageing": ageing(1, 0, 0, 0)},
    {"party": "UNW", "name": "UN Women", **counts(4, 2, 1, 0, 1, 1, 1, 0.6667, 1.0), "ageing": ageing(0, 0, 0, 1)},
    {"party": None, "name": "No party resolved", **counts(1, 0, 0, 1, 0, 1, 1, 0.0, 1.0), "ageing": ageing(0, 0, 1, 0)},
]  # fmt: skip
BY_EVALUATION = [
    {"evaluation": 2, "name": "Evaluation of gender budgeting", **counts(4, 1, 1, 1, 0, 3, 2, 0.25, 0.6667), "ageing": ageing(0, 0, 1, 1)},
    {"evaluation": 1, "name": "Evaluation of safe migration", **counts(4, 1, 1, 1, 1, 2, 2, 0.3333, 1.0), "ageing": ageing(1, 1, 0, 0)},
]  # fmt: skip
BY_OFFICE = [
    {"office": "Kyrgyzstan (CO)", **counts(4, 1, 1, 1, 1, 2, 2, 0.3333, 1.0), "ageing": ageing(1, 1, 0, 0)},
    {"office": "Tajikistan (CO)", **counts(4, 1, 1, 1, 0, 3, 2, 0.25, 0.6667), "ageing": ageing(0, 0, 1, 1)},
]  # fmt: skip
BY_YEAR = [
    {"year": 2025, **counts(4, 1, 1, 1, 0, 3, 2, 0.25, 0.6667), "ageing": ageing(0, 0, 1, 1)},
    {"year": 2026, **counts(4, 1, 1, 1, 1, 2, 2, 0.3333, 1.0), "ageing": ageing(1, 1, 0, 0)},
]  # fmt: skip
# month, rate, overdue, total, completed: each action counts from when its status is known.
TREND = [
    ("2026-01", 0.0, 0, 3, 0),     # 3, 4, 5
    ("2026-02", 0.0, 0, 4, 0),     # + 2 (no longer applicable)
    ("2026-03", 0.0, 0, 4, 0),
    ("2026-04", 0.0, 0, 4, 0),
    ("2026-05", 0.25, 0, 5, 1),    # + 1, completed
    ("2026-06", 0.2, 0, 6, 1),     # + 8
    ("2026-07", 0.2, 1, 6, 1),     # 5 late from 07-16
    ("2026-08", 0.1667, 1, 7, 1),  # + 7
    ("2026-09", 0.1429, 1, 8, 1),  # + 6 (imported 09-01); 8 due on 09-30 is not late yet
    ("2026-10", 0.1429, 2, 8, 1),  # + 8 late
    ("2026-11", 0.1429, 3, 8, 1),  # + 4 late; 6 due on 11-30 is not
    ("2026-12", 0.2857, 3, 8, 2),  # 6 completed on the desk on 12-20
]  # fmt: skip
RESPONSIVENESS = {
    "reminded_actions": 4,  # 3, 4, 5, 6
    "updated_within_14_days": 0.3333,  # 6 of (4, 5, 6); 3 was reminded 4 days ago
    "updated_within_30_days": 0.5,  # 6 of (4, 6); 5's first reminder is 25 days old
    "median_days_to_completion": 13.1,  # 12-07 08:00 -> 12-20 10:00
    "completed_after_overdue_reminder": 1,
    "silent_focal_points": [
        {"email": "ilya@ilo.example.org", "name": "Ilya Petrov",
         "parties": ["International Labour Organization"], "reminders": 3}
    ],  # the failed fourth digest does not count; Aida had only two
}  # fmt: skip
ESCALATIONS = [
    {"party": "ILO", "name": "International Labour Organization", "actions": 1, "notices": 1},
    {"party": "UNW", "name": "UN Women", "actions": 1, "notices": 1},
]


@pytest.fixture
def report(engine: Engine) -> Report:
    with make_session_factory(engine)() as session:
        build_portfolio(session)
        return build_report(engine, AS_OF, UTC_ZONE, SINCE)


def test_every_figure_in_json(report: Report) -> None:
    data = json.loads(render_report(report, "json"))
    assert data["as_of"] == "2027-01-15" and data["since"] == "2026-12-01"
    assert data["overall"] == OVERALL
    assert data["by_party"] == BY_PARTY
    assert data["by_evaluation"] == BY_EVALUATION
    assert data["by_office"] == BY_OFFICE
    assert data["by_year"] == BY_YEAR
    assert data["ageing"] == ageing(1, 1, 1, 1)
    assert [tuple(p.values()) for p in data["trend"]] == TREND
    assert data["responsiveness"] == RESPONSIVENESS
    assert data["escalations"] == ESCALATIONS


def _text_tables(text: str) -> dict[str, list[list[str]]]:
    """Title -> data rows, cells split on runs of two or more spaces."""
    tables: dict[str, list[list[str]]] = {}
    blocks = text.split("\n\n")
    for block in blocks:
        lines = block.splitlines()
        if len(lines) >= 4 and set(lines[1]) == {"="}:
            tables[lines[0]] = [re.split(r"\s{2,}", line.strip()) for line in lines[4:]]
    return tables


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _count_cells(entry: dict) -> list[str]:  # type: ignore[type-arg]
    keys = [
        "total",
        "completed",
        "initiated",
        "not_initiated",
        "no_longer_applicable",
        "open",
        "overdue",
    ]
    return [str(entry[k]) for k in keys] + [_pct(entry["implementation_rate"]), _pct(entry["overdue_share"])]  # fmt: skip


def test_every_figure_in_text(report: Report) -> None:
    tables = _text_tables(render_report(report, "text").decode())
    assert tables["Implementation, whole portfolio"] == [
        ["all key actions", *_count_cells(OVERALL)]
    ]
    assert tables["Implementation by responsible party"] == [
        *[[e["party"], e["name"], *_count_cells(e)] for e in BY_PARTY[:3]],
        ["No party resolved", *_count_cells(BY_PARTY[3])],  # no code: the cell is blank
        ["A joint action counts once in the total and once for each of its parties here."],
    ]
    assert tables["Implementation by evaluation"] == [
        [e["name"], *_count_cells(e)] for e in BY_EVALUATION
    ]
    assert tables["Implementation by office"] == [
        [e["office"], *_count_cells(e)] for e in BY_OFFICE
    ]
    assert tables["Implementation by evaluation year"] == [
        [str(e["year"]), *_count_cells(e)] for e in BY_YEAR
    ]
    assert tables["Ageing of overdue actions (days overdue)"] == [["1", "1", "1", "1"]]
    assert tables["Trend at the end of each month"] == [
        [m, _pct(r), str(o)] for m, r, o, _, _ in TREND
    ]
    updates = tables["Updates after a reminder, 2026-12-01 to 2027-01-15"]
    assert updates[:2] == [
        ["within 14 days", "1", "3", "33.3%"],
        ["within 30 days", "1", "2", "50.0%"],
    ]
    assert "4 actions were reminded in the period" in updates[2][0]
    assert updates[3] == [
        "Median days from the first overdue reminder to completion: 13.1 (over 1 completed action)."
    ]
    assert tables["Focal points reminded 3+ times with no update since"] == [
        ["Ilya Petrov", "ilya@ilo.example.org", "International Labour Organization", "3"]
    ]
    assert tables["Escalations sent in the period, by party"][:2] == [
        ["ILO", "International Labour Organization", "1", "1"], ["UNW", "UN Women", "1", "1"],
    ]  # fmt: skip


def _sheet(book, name: str) -> list[list[object]]:  # type: ignore[no-untyped-def]
    return [list(row) for row in book[name].iter_rows(min_row=3, values_only=True)]


def _count_values(entry: dict) -> list[object]:  # type: ignore[type-arg]
    keys = ["total", "completed", "initiated", "not_initiated", "no_longer_applicable", "open",
            "overdue", "implementation_rate", "overdue_share"]  # fmt: skip
    return [entry[k] for k in keys]


def test_every_figure_in_xlsx(report: Report) -> None:
    book = load_workbook(io.BytesIO(render_report(report, "xlsx")))
    assert book.sheetnames == ["Overall", "By party", "By evaluation", "By office", "By year",
                               "Ageing", "Trend", "Responsiveness", "Silent focal points",
                               "Escalations"]  # fmt: skip
    assert book["Overall"]["A2"].value == "portfolio"
    assert _sheet(book, "Overall") == [["all key actions", *_count_values(OVERALL)]]
    party_rows = _sheet(book, "By party")
    assert party_rows[:4] == [[e["party"], e["name"], *_count_values(e)] for e in BY_PARTY]
    assert party_rows[4][0].startswith("A joint action counts once")
    assert book["By party"]["J3"].number_format == "0.0%"
    assert _sheet(book, "By evaluation") == [[e["name"], *_count_values(e)] for e in BY_EVALUATION]
    assert _sheet(book, "By office") == [[e["office"], *_count_values(e)] for e in BY_OFFICE]
    assert _sheet(book, "By year") == [[str(e["year"]), *_count_values(e)] for e in BY_YEAR]
    assert _sheet(book, "Ageing") == [[1, 1, 1, 1]]
    assert _sheet(book, "Trend") == [[m, r, o] for m, r, o, _, _ in TREND]
    assert _sheet(book, "Responsiveness")[:2] == [
        ["within 14 days", 1, 3, 0.3333],
        ["within 30 days", 1, 2, 0.5],
    ]
    assert _sheet(book, "Silent focal points") == [
        ["Ilya Petrov", "ilya@ilo.example.org", "International Labour Organization", 3]
    ]
    assert _sheet(book, "Escalations")[:2] == [
        ["ILO", "International Labour Organization", 1, 1],
        ["UNW", "UN Women", 1, 1],
    ]


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),  # a formula stays text
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("UN Women", "UN Women"),  # ordinary text is untouched
    ],
)
def test_formula_like_text_is_escaped(value: str, stored: str) -> None:
    assert escape_formula(value) == stored


def test_month_ends_are_the_last_twelve_finished_months() -> None:
    assert month_ends(AS_OF)[0].isoformat() == "2026-01-31"
    assert month_ends(AS_OF)[-1].isoformat() == "2026-12-31"
    assert (
        month_ends(AS_OF.replace(day=31))[-1].isoformat() == "2027-01-31"
    )  # a month's last day counts


def test_an_empty_portfolio_has_no_rates(engine: Engine) -> None:
    data = build_report(engine, AS_OF, UTC_ZONE).as_dict()
    assert data["overall"]["total"] == 0 and data["overall"]["implementation_rate"] is None
    assert data["by_party"] == [] and data["responsiveness"]["updated_within_14_days"] is None


def test_cli_prints_json_and_writes_files(use_database: str, engine: Engine, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    with make_session_factory(engine)() as session:
        build_portfolio(session)
    assert (
        main(["report", "--as-of", "2027-01-15", "--since", "2026-12-01", "--format", "json"]) == 0
    )
    assert json.loads(capsys.readouterr().out)["overall"] == OVERALL
    out = tmp_path / "report.xlsx"
    assert main(["report", "--as-of", "2027-01-15", "--format", "xlsx", "--out", str(out)]) == 0
    assert "Wrote the xlsx report as of 2027-01-15" in capsys.readouterr().out
    assert load_workbook(out)["Overall"]["B3"].value == 8
    html = tmp_path / "report.html"
    assert main(["report", "--as-of", "2027-01-15", "--format", "html", "--out", str(html)]) == 0
    assert html.read_text().count("<svg") == 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--format", "xlsx"], "Error: --format xlsx writes a workbook: give --out FILE"),
        (["--since", "2027-02-01"], "Error: --since 2027-02-01 is after --as-of 2027-01-15"),
        (
            ["--out", "/no/such/folder/r.txt"],
            "Error: --out /no/such/folder/r.txt: no such folder: /no/such/folder",
        ),
    ],
)
def test_cli_errors_name_the_option(use_database: str, argv: list[str], message: str,
                                    capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    assert main(["report", "--as-of", "2027-01-15", *argv]) == 1
    assert capsys.readouterr().err.strip() == message
