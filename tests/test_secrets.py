"""Secrets never reach the output: planted passwords (SMTP, and inside the database URL) are
looked for in every command's text, JSON and error output; `_FILE` secrets are read by
`config check`, which names the setting when one is unreadable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from reminder.cli import main
from reminder.config import load_settings
from reminder.errors import ConfigError
from reminder.secret_settings import mask_url_passwords, public_settings
from tests.conftest import EXAMPLES
from tests.smtp_server import smtp_server

SMTP_SECRET = "planted-smtp-Secret-4711"
DB_SECRET = "planted-db-Secret-0815"

# Every command a person can run without it running forever (the daemon is the one left out),
# in text and JSON where it has both.
COMMANDS = [
    ["db", "upgrade"],
    ["directory", "import", str(EXAMPLES / "directory.csv")],
    ["directory", "import", str(EXAMPLES / "directory.csv"), "--json"],
    ["import", str(EXAMPLES / "fergana-valley-management-response.txt")],
    ["import", str(EXAMPLES / "fergana-valley-management-response.txt"), "--json"],
    ["import", "no-such-file.csv"],
    ["directory", "list"],
    ["directory", "list", "--json"],
    ["actions", "--as-of", "2027-01-15"],
    ["actions", "--as-of", "2027-01-15", "--json"],
    ["run-once", "--as-of", "2027-01-15", "--dry-run"],
    ["run-once", "--as-of", "2027-01-15", "--json"],
    ["run-once", "--as-of", "2027-01-15"],
    ["status"],
    ["status", "--json"],
    ["health"],
    ["preview", "aida.bekova@unwomen.example.org", "--as-of", "2027-01-15"],
    ["preview", "aida.bekova@unwomen.example.org", "--as-of", "2027-01-16", "--format", "eml"],
    ["history"],
    ["history", "--json"],
    ["templates", "check"],
    ["config", "check"],
    ["config", "check", "--json"],
]


def run_all(capsys: pytest.CaptureFixture[str]) -> str:
    seen = []
    for argv in COMMANDS:
        main(argv)
        out, err = capsys.readouterr()
        seen.append(f"$ reminder {' '.join(argv)}\n{out}{err}")
    return "\n".join(seen)


def with_password(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return url  # SQLite has no password; the unreachable-server test below covers errors
    return parsed.set(password=DB_SECRET).render_as_string(hide_password=False)


def test_no_command_prints_a_planted_secret(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with smtp_server(refuse_login=True) as (recorder, port):
        monkeypatch.setenv("REMINDER_DATABASE_URL", with_password(database_url))
        monkeypatch.setenv("REMINDER_OUTBOX_DIR", str(tmp_path / "outbox"))
        monkeypatch.setenv("REMINDER_TRANSPORT", "smtp")
        monkeypatch.setenv("REMINDER_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("REMINDER_SMTP_PORT", str(port))
        monkeypatch.setenv("REMINDER_SMTP_TLS", "none")
        monkeypatch.setenv("REMINDER_SMTP_USERNAME", "reminder")
        monkeypatch.setenv("REMINDER_SMTP_PASSWORD", SMTP_SECRET)
        monkeypatch.setenv("REMINDER_HEARTBEAT_FILE", str(tmp_path / "heartbeat"))
        output = run_all(capsys)
    assert "refused the login" in output  # the run reached the relay and failed there
    assert "Configuration is valid." in output
    assert SMTP_SECRET not in output
    assert DB_SECRET not in output
    assert SMTP_SECRET not in json.dumps([str(m) for m in recorder.received])


def test_errors_about_an_unreachable_database_mask_its_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REMINDER_DATABASE_URL", f"postgresql://u:{DB_SECRET}@127.0.0.1:1/x")
    for argv in (["actions"], ["history", "--json"], ["config", "check"], ["db", "upgrade"]):
        main(argv)
        out, err = capsys.readouterr()
        assert DB_SECRET not in out + err, argv
    main(["actions"])
    assert (
        "Error: cannot use the database postgresql+psycopg://u:***@127.0.0.1:1/x"
        in capsys.readouterr().err
    )


def test_config_check_masks_passwords_inside_urls(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REMINDER_DATABASE_URL", f"postgresql://u:{DB_SECRET}@db.example.org/r")
    assert main(["config", "check", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["database_url"] == "postgresql://u:**********@db.example.org/r"
    assert main(["config", "check"]) == 0
    out = capsys.readouterr().out
    assert "database_url = 'postgresql://u:**********@db.example.org/r'" in out
    assert DB_SECRET not in out


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("postgresql://u:p%40ss@h:5432/d", "postgresql://u:**********@h:5432/d"),
        ("postgresql://h:5432/d", "postgresql://h:5432/d"),  # no password: nothing to hide
        ("sqlite:///reminder.sqlite", "sqlite:///reminder.sqlite"),
        (
            "see https://a:b@h/x and smtp://c:d@m",
            "see https://a:**********@h/x and smtp://c:**********@m",
        ),
    ],
)
def test_mask_url_passwords(value: str, masked: str) -> None:
    assert mask_url_passwords(value) == masked


def test_the_database_url_can_come_from_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "database_url"
    secret.write_text(f"postgresql://u:{DB_SECRET}@db.example.org/r\n")
    settings = load_settings(database_url_file=secret)
    assert settings.database_url == f"postgresql://u:{DB_SECRET}@db.example.org/r"
    assert DB_SECRET not in json.dumps(public_settings(settings))
    monkeypatch.setenv("REMINDER_DATABASE_URL_FILE", str(tmp_path / "missing"))
    assert main(["config", "check"]) == 1
    err = capsys.readouterr().err
    assert "Error: database_url_file (REMINDER_DATABASE_URL_FILE): cannot read" in err
    assert "No such file or directory" in err
    with pytest.raises(ConfigError, match="not both"):
        load_settings(database_url_file=secret, database_url="sqlite:///x.sqlite")


def test_config_check_reads_the_smtp_password_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REMINDER_SMTP_PASSWORD_FILE", str(tmp_path / "nowhere"))
    assert main(["config", "check"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: smtp_password_file (REMINDER_SMTP_PASSWORD_FILE): cannot read")
    (tmp_path / "nowhere").write_text(SMTP_SECRET)
    assert main(["config", "check", "--json"]) == 0
    out = capsys.readouterr().out
    assert SMTP_SECRET not in out
