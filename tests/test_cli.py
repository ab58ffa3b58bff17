"""The command line as a user meets it: exit codes, messages, JSON, help and the README."""

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reminder.cli import build_parser, main
from reminder.commands import GROUPS
from tests.conftest import EXAMPLES, ROOT, SAMPLE

MR = EXAMPLES / "fergana-valley-management-response.txt"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.usefixtures("use_database")
def test_import_then_list_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "directory", "import", str(EXAMPLES / "directory.csv"))[0] == 0
    code, out, _ = run(capsys, "import", str(MR))
    assert code == 0 and "key actions: 11 created" in out
    assert "Country Programme Manager — 1 row (line 49)" in out
    code, out, _ = run(capsys, "actions", "--json", "--as-of", "2027-01-15", "--state", "all")
    items = json.loads(out)
    assert len(items) == 11
    first = items[0]
    for key in (
        "id",
        "evaluation",
        "recommendation",
        "text",
        "responsible",
        "responsible_text",
        "unresolved",
        "deadline",
        "deadline_label",
        "deadline_precision",
        "status",
        "state",
        "days_overdue",
    ):
        assert key in first
    assert (first["deadline"], first["state"], first["days_overdue"]) == (
        "2026-11-30",
        "overdue",
        46,
    )
    states = {item["state"] for item in items}
    assert states == {"overdue", "due-soon", "no-deadline", "open", "closed"}
    code, out, _ = run(
        capsys, "actions", "--json", "--as-of", "2027-01-15", "--state", "overdue", "--party", "ILO"
    )
    assert [item["text"][:10] for item in json.loads(out)] == ["Revise the"]


@pytest.mark.usefixtures("use_database")
def test_bad_file_is_rejected_whole_with_exit_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text(MR.read_text("utf-8").replace("| IOM | 2027-01-22 |", "| IOM | 2027/13 |"))
    code, _, err = run(capsys, "import", str(bad))
    assert code == 1
    assert err.strip() == f"Error: {bad}:23: deadline: month 13 is not between 1 and 12"
    code, out, _ = run(capsys, "actions", "--json", "--state", "all")
    assert json.loads(out) == []  # nothing was written


@pytest.mark.usefixtures("use_database")
def test_dry_run_writes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "import", "--dry-run", str(SAMPLE))
    assert code == 0 and out.startswith("Would import")
    assert json.loads(run(capsys, "actions", "--json", "--state", "all")[1]) == []


def test_commands_need_an_upgraded_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REMINDER_DATABASE_URL", f"sqlite:///{tmp_path / 'new.sqlite'}")
    code, _, err = run(capsys, "actions")
    assert code == 1 and "is not set up; run `reminder db upgrade`" in err
    assert not (tmp_path / "new.sqlite").exists()  # looking left no empty database behind
    assert run(capsys, "db", "upgrade")[0] == 0
    assert (tmp_path / "new.sqlite").stat().st_mode & 0o077 == 0  # owner-only file
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0 and "already at the newest schema" in out


def test_wrong_setting_fails_naming_the_key(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REMINDER_TIMEZONE", "Mars/Olympus")
    code, _, err = run(capsys, "actions")
    assert code == 1 and "timezone (REMINDER_TIMEZONE): Value error, unknown time zone" in err


def test_missing_config_file_is_blamed_on_the_option(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REMINDER_CONFIG", "elsewhere.toml")  # the option wins over it
    code, _, err = run(capsys, "--config", "nosuch.toml", "actions")
    assert (code, err) == (1, "Error: --config: no such file: nosuch.toml\n")


@pytest.mark.parametrize("url", ["mysql://user@localhost/reminder", "oracle://u@h/db"])
def test_unsupported_database_scheme_is_named(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("REMINDER_DATABASE_URL", url)
    code, _, err = run(capsys, "actions")
    assert code == 1
    assert "only sqlite and postgresql are supported" in err and "REMINDER_DATABASE_URL" in err


def test_usage_errors_exit_2_with_usage(capsys: pytest.CaptureFixture[str]) -> None:
    # argparse's convention, documented in the README: 2 is a mistyped command, 1 a failure.
    with pytest.raises(SystemExit) as stopped:
        main(["actions", "--state", "late"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: reminder actions") and "invalid choice: 'late'" in err


@pytest.mark.usefixtures("use_database")
def test_unknown_party_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "actions", "--party", "NOPE")
    assert code == 1 and "no party with code 'NOPE'" in err


def _commands(parser=None, prefix=()):  # type: ignore[no-untyped-def]
    """Every leaf command as a tuple of words, with its parser."""
    import argparse

    parser = parser or build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*prefix, name))
            return
    yield prefix, parser


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    commands = list(_commands())
    assert len(commands) >= 6
    for words, parser in commands:
        assert parser.description or parser.format_help(), words
        help_text = parser.format_help()
        assert "usage: reminder " + " ".join(words) in help_text
        assert re.search(r"reminder " + r"\s+".join(map(re.escape, words)) + r"\b", readme), (
            f"`reminder {' '.join(words)}` is not documented in README.md"
        )


def test_each_group_registers_the_commands_its_table_names() -> None:
    # cli imports only the named command's group; a command missing from GROUPS would still
    # run (every group loads for an unknown word) but load everything, so hold them equal.
    for names in GROUPS.values():
        parser = build_parser(names[0])
        [subcommands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        assert tuple(subcommands.choices) == names


def test_a_command_loads_only_its_own_group() -> None:
    # The run's spawned workers import reminder.cli as their main module: it must load no
    # command; and `run-once` must not load the importers.
    probe = (
        "import sys; from reminder.cli import _command_word, build_parser;"
        "bare = sorted(m for m in sys.modules if m.startswith('reminder.'));"
        "build_parser(_command_word(['--config', 'x.toml', 'run-once', '--as-of', '2027-01-15']));"
        "print(bare, 'reminder.importers' in sys.modules, 'reminder.commands.runs' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["['reminder.cli']", "False", "True"]


BAD_INPUTS = [
    # file name, content, expected error: each is rejected whole and nothing is written
    ("bad-date.csv", "Key action,Responsible,Deadline,Status\nA,UNW,2022/03,Completed\nB,UNW,2022/13,Completed\n",
     "bad-date.csv:3: deadline: month 13 is not between 1 and 12"),
    ("bad-status.csv", "Key action,Responsible,Deadline,Status\nA,UNW,2022/03,Finished\n",
     "bad-status.csv:2: status: unknown status 'Finished'"),
    ("no-status.csv", "Key action,Responsible,Deadline\nA,UNW,2022/03\n",
     "no-status.csv:1: status: missing required column 'status'"),
    ("binary.txt", b"\x00\x01\x02\x03PNG", "binary.txt: file: this is a binary file, not text"),
    ("empty.txt", "", "empty.txt: file: the file is empty"),
    ("control.csv", "Key action,Responsible,Deadline,Status\nA\x1b[31m,UNW,2022/03,Completed\n",
     "control.csv:2: action: contains the control character '\\x1b'"),
]  # fmt: skip


@pytest.mark.usefixtures("use_database")
@pytest.mark.parametrize(("name", "content", "error"), BAD_INPUTS)
def test_bad_inputs_are_rejected_whole(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                       name: str, content: str | bytes, error: str) -> None:  # fmt: skip
    good = tmp_path / "good.csv"
    good.write_text("Key action,Responsible,Deadline,Status\nKeep me,UNW,2022/03,Initiated\n")
    assert run(capsys, "import", str(good))[0] == 0
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    code, _, err = run(capsys, "import", str(path))
    assert code == 1
    assert err.strip().startswith(f"Error: {path.parent}/{error}")
    stored = json.loads(run(capsys, "actions", "--json", "--state", "all")[1])
    assert [item["text"] for item in stored] == ["Keep me"]  # nothing written, nothing lost


LONG_ACTION = (
    "Establish a joint monitoring framework with the partners, including quarterly field visits "
    "to every cross-border community and a shared register of the agreed follow-up measures"
)


@pytest.mark.usefixtures("use_database")
def test_actions_print_the_full_text_when_not_on_a_terminal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    tracker = tmp_path / "tracker.csv"
    tracker.write_text(f'Key action,Responsible,Deadline,Status\n"{LONG_ACTION}",UNW,,Initiated\n')
    assert run(capsys, "import", str(tracker))[0] == 0
    code, out, _ = run(capsys, "actions")  # captured: stdout is not a terminal
    assert code == 0
    assert out.splitlines()[2].endswith(LONG_ACTION)


def test_tables_fit_the_terminal_only_on_a_terminal() -> None:
    import io

    from reminder.output import print_table

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    print_table(["ID", "TEXT"], [[1, LONG_ACTION]], stream=screen)
    line = screen.getvalue().splitlines()[2]
    assert line.endswith("…") and len(line) <= shutil.get_terminal_size((120, 24)).columns


def test_config_check_never_prints_the_password(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REMINDER_SMTP_PASSWORD", "hunter2")
    for form in ([], ["--json"]):
        code, out, _ = run(capsys, "config", "check", *form)
        assert code == 0 and "hunter2" not in out and "**********" in out
