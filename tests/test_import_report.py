"""What `reminder import` reports: every error of a file at once (nothing written, exit 1, a
list with --json), and a summary that groups names and guesses instead of one line per row."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reminder.cli import main
from reminder.db import make_engine, make_session_factory
from reminder.importers.load import import_file
from reminder.importers.summary import summary_lines
from reminder.models import KeyAction
from tests.conftest import FIXTURES, SAMPLE

NOW = datetime(2027, 1, 10, tzinfo=UTC)
BAD = FIXTURES / "layouts" / "tracker-several-bad-lines.csv"


def stored_actions(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return session.scalar(select(func.count()).select_from(KeyAction)) or 0
    finally:
        engine.dispose()


def test_all_errors_at_once_nothing_written_exit_1(
    capsys: pytest.CaptureFixture[str], use_database: str
) -> None:
    code = main(["import", str(BAD)])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"Error: {BAD}:2: deadline: month 13 is not between 1 and 12",
        f"{BAD}:3: status: unknown status 'Delayed' (use Not initiated, Initiated, Completed, "
        "No longer applicable, Overdue, Ongoing or Pending)",
        f"{BAD}:4: action: the key action is empty",
        f"{BAD}:6: deadline: day 31 does not exist in February 2027",
    ]
    assert stored_actions(use_database) == 0


def test_json_lists_the_errors(capsys: pytest.CaptureFixture[str], use_database: str) -> None:
    code = main(["import", "--json", str(BAD)])
    out, _ = capsys.readouterr()
    assert code == 1
    [report] = json.loads(out)
    assert [(e["line"], e["field"]) for e in report["errors"]] == [
        (2, "deadline"),
        (3, "status"),
        (4, "action"),
        (6, "deadline"),
    ]
    assert report["errors"][0]["message"] == "month 13 is not between 1 and 12"


def test_summary_groups_unresolved_names_and_guesses() -> None:
    summary = {
        "file": "big.csv",
        "file_format": "csv",
        "encoding": "cp1252",
        "evaluations": {"created": 1},
        "recommendations": {"created": 1},
        "key_actions": {"created": 30000},
        "unresolved": [{"line": 3 + 2 * i, "name": "Programme Specialist"} for i in range(1508)]
        + [{"line": 7, "name": "SRO"}],
        "guesses": [
            {
                "line": n,
                "responsible_text": "X",
                "reason": "no known party; split at the sentence end",
            }
            for n in (4, 8)
        ],
        "warnings": [
            {"line": n, "field": "deadline", "message": "'03/04/2027' read as 2027-04-03"}
            for n in (5, 6)
        ],
        "kept_desk_updates": [{"line": 9, "date": "2027-03-02", "by": "Aida Bekova"}],
    }
    assert summary_lines(summary, dry_run=False) == [
        "Imported big.csv (csv, read as cp1252)",
        "  evaluations: 1 created",
        "  recommendations: 1 created",
        "  key actions: 30,000 created",
        "  responsible names not in the directory (routed to the catch-all party):",
        "    Programme Specialist — 1,508 rows (lines 3, 5, 7, 9, 11, …)",
        "    SRO — 1 row (line 7)",
        "  rows where the split between action and responsible was a guess:",
        "    no known party; split at the sentence end — 2 (lines 4, 8)",
        "  warning: '03/04/2027' read as 2027-04-03 (lines 5, 6)",
        "  line 9: kept the newer update of 2027-03-02 by Aida Bekova",
    ]


class Counted:
    """A Progress that remembers what it was told, in place of a terminal bar."""

    def __init__(self) -> None:
        self.done = 0

    def advance(self, n: int = 1) -> None:
        self.done += n

    def grow(self, total: int) -> None:
        pass


def test_progress_counts_rows_read_and_actions_written(session: Session) -> None:
    read, written = Counted(), Counted()
    import_file(session, SAMPLE, NOW, "dmy", (read, written))
    assert written.done == 6  # the sample's six key actions
    assert read.done > 6  # every line of the file was read


def test_date_order_flag_and_the_ambiguity_warning(
    capsys: pytest.CaptureFixture[str], use_database: str
) -> None:
    code = main(
        ["import", "--date-order", "mdy", str(FIXTURES / "layouts" / "tracker-tab-separated.tsv")]
    )
    out, _ = capsys.readouterr()
    assert code == 0
    assert "(tsv)" in out
    assert "  warning: '03/04/2027' read as 2027-03-04 (--date-order) (line 2)" in out.splitlines()
