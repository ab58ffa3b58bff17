"""`reminder run-once`, `preview` and `history` as a user runs them, with the clock frozen at
the edge (the command reads the clock; everything below takes `as_of`)."""

import json
from pathlib import Path

import pytest
from freezegun import freeze_time

from reminder.cli import main
from reminder.config import load_settings
from reminder.db import make_engine
from reminder.scheduler import Runner
from tests.conftest import EXAMPLES
from tests.smtp_server import smtp_server

# 01:30 on Friday 15 January 2027 in Bishkek, still Thursday in UTC.
FRIDAY_NIGHT_IN_BISHKEK = "2027-01-14T19:30:00+00:00"


@pytest.fixture
def loaded(
    use_database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    monkeypatch.setenv("REMINDER_TIMEZONE", "Asia/Bishkek")
    monkeypatch.setenv("REMINDER_EVALUATION_OFFICE", "evaluation.office@kg.example.org")
    assert main(["directory", "import", str(EXAMPLES / "directory.csv")]) == 0
    assert main(["import", str(EXAMPLES / "fergana-valley-management-response.txt")]) == 0
    capsys.readouterr()
    import os

    return Path(os.environ["REMINDER_OUTBOX_DIR"])


def test_first_run_writes_the_outbox_second_run_writes_nothing(
    loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with freeze_time(FRIDAY_NIGHT_IN_BISHKEK):
        assert main(["run-once", "--dry-run"]) == 0
        out = capsys.readouterr().out
        assert out.startswith("Dry run for 2027-01-15: 7 digest(s) would be sent.")
        assert not loaded.exists()  # a dry run writes nothing

        assert main(["run-once"]) == 0
        out = capsys.readouterr().out
        assert "Run for 2027-01-15: 7 digest(s) planned" in out and "sent 7" in out
        assert len(list(loaded.glob("2027-01-15_*.eml"))) == 7

        assert main(["run-once", "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert (report["planned"], report["sent"], report["ok"]) == (0, 0, True)
        assert len(list(loaded.glob("*.eml"))) == 7

        assert main(["history", "--json"]) == 0
        history = json.loads(capsys.readouterr().out)
        assert len(history) == 7 and {row["status"] for row in history} == {"sent"}

        assert main(["preview", "timur.ismailov@iom.example.org", "--format", "text"]) == 0
        captured = capsys.readouterr()
        assert "already in the ledger: sent" in captured.err
        assert captured.out.startswith("Subject: 1 overdue, 1 due soon, 1 without a deadline")


def test_preview_before_sending_shows_the_digest(
    loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with freeze_time(FRIDAY_NIGHT_IN_BISHKEK):
        assert main(["preview", "nurlan.osmonov@unwomen.example.org", "--format", "eml"]) == 0
    out = capsys.readouterr().out
    assert "Content-Type: multipart/alternative" in out and "Auto-Submitted: auto-generated" in out


def test_preview_of_an_unknown_address_is_an_error(
    loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["preview", "nobody@example.org", "--as-of", "2027-01-15"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "Error: nobody@example.org is not in the directory: no digest goes to it "
        "(see `reminder directory list`)\n"
    )


def test_preview_of_an_away_primary_names_the_alternate_who_receives(
    loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Chynara (IOM) is away until 2027-01-31; Timur stands in for her.
    assert main(["preview", "chynara.asanova@iom.example.org", "--as-of", "2027-01-15"]) == 0
    captured = capsys.readouterr()
    assert (
        "chynara.asanova@iom.example.org is away until 2027-01-31: "
        "timur.ismailov@iom.example.org receives their actions instead" in captured.err
    )
    assert "has nothing due on 2027-01-15" in captured.out
    # Back from 1 February: her own digest again, and no note.
    assert main(["preview", "chynara.asanova@iom.example.org", "--as-of", "2027-02-01"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out.startswith("Subject: ")


def test_nothing_is_sent_on_a_weekend_and_monday_catches_up(
    loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run-once", "--as-of", "2027-01-16"]) == 0
    assert "not a sending day (Saturday is not a workday)" in capsys.readouterr().out
    assert not loaded.exists()
    assert main(["run-once", "--as-of", "2027-01-18"]) == 0
    assert "7 digest(s) planned" in capsys.readouterr().out


def test_holidays_come_from_the_country_calendar(
    loaded: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REMINDER_HOLIDAY_COUNTRY", "KG")
    assert main(["run-once", "--as-of", "2027-03-08"]) == 0  # International Women's Day
    assert "public holiday" in capsys.readouterr().out


def test_permanent_failure_exits_1(
    loaded: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with smtp_server() as (recorder, port):
        recorder.rcpt_replies["aida.bekova@unwomen.example.org"] = "550 5.1.1 Unknown user"
        for name, value in {
            "TRANSPORT": "smtp",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(port),
            "SMTP_TLS": "none",
        }.items():
            monkeypatch.setenv(f"REMINDER_{name}", value)
        assert main(["run-once", "--as-of", "2027-01-15"]) == 1
    out = capsys.readouterr().out
    assert "failed 1" in out and "aida.bekova@unwomen.example.org: RCPT TO" in out
    assert len(recorder.received) == 6


def test_unreachable_relay_stops_the_run_with_exit_1(
    loaded: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.smtp_server import free_port

    for name, value in {
        "TRANSPORT": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(free_port()),
        "SMTP_TLS": "none",
        "SMTP_TIMEOUT": "2",
    }.items():
        monkeypatch.setenv(f"REMINDER_{name}", value)
    assert main(["run-once", "--as-of", "2027-01-15"]) == 1
    captured = capsys.readouterr()
    assert "Error: the run stopped: cannot connect to 127.0.0.1" in captured.err
    assert main(["history", "--json"]) == 0
    assert {row["status"] for row in json.loads(capsys.readouterr().out)} == {"pending"}


def test_a_reader_that_stops_early_gets_no_traceback(loaded: Path) -> None:
    """`reminder actions | head -1`: the pipe closes before the output is written."""
    import os
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "reminder.cli", "actions", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before the command has written anything
    errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == 1
    assert "Traceback" not in errors and "BrokenPipe" not in errors, errors


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_import_leaves_postgresql_with_fresh_statistics(loaded: Path, use_database: str) -> None:
    """The first run after a large import must not be planned from empty statistics."""
    from sqlalchemy import text

    from reminder.db import make_engine

    engine = make_engine(use_database)
    try:
        with engine.connect() as connection:
            analysed = connection.execute(
                text(
                    "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL"
                    " AND schemaname = current_schema()"
                )
            ).scalars()
            assert {"key_actions", "key_action_parties", "parties"} <= set(analysed)
            connection.rollback()
            assert connection.execute(text("SHOW jit")).scalar_one() == "off"
    finally:
        engine.dispose()


def test_status_shows_the_running_daemons_schedule(
    use_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("REMINDER_HEARTBEAT_FILE", str(tmp_path / "heartbeat"))
    assert main(["status", "--json"]) == 0
    mine = json.loads(capsys.readouterr().out)
    assert (mine["schedule"], mine["schedule_from"]) == ("0 8 * * mon-fri", "settings")
    # A daemon started with other settings beats while status runs with these.
    daemon_settings = load_settings(
        database_url=use_database, schedule="30 6 * * *", timezone="Asia/Bishkek",
        heartbeat_file=tmp_path / "heartbeat",
    )  # fmt: skip
    engine = make_engine(use_database)
    with freeze_time("2027-01-15T03:00:00+00:00"):
        Runner(daemon_settings, engine).write_heartbeat()
        engine.dispose()
        assert main(["status", "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert (data["schedule"], data["timezone"], data["schedule_from"]) == (
            "30 6 * * *", "Asia/Bishkek", "daemon",
        )  # fmt: skip
        assert data["next_fire"] == "2027-01-16T06:30:00+06:00"
        assert main(["status"]) == 0
        out = capsys.readouterr().out
    assert (
        "Next scheduled run: 2027-01-16T06:30:00+06:00 ('30 6 * * *' in Asia/Bishkek, "
        "the running daemon's schedule)" in out
    )
