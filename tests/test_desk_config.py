"""Desk settings fail fast and name the key; `reminder export` from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from reminder.cli import main
from reminder.config import load_settings
from reminder.errors import ConfigError
from reminder.secret_settings import secret_key


def test_a_base_url_without_a_key_is_refused_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"secret_key \(REMINDER_SECRET_KEY\)"):
        load_settings(web_base_url="https://desk.example.org")


def test_config_check_says_which_key_is_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REMINDER_WEB_BASE_URL", "https://desk.example.org")
    assert main(["config", "check"]) == 1
    assert (
        "Error: invalid configuration: secret_key (REMINDER_SECRET_KEY)" in capsys.readouterr().err
    )


def test_config_check_masks_the_key_and_refuses_a_short_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REMINDER_WEB_BASE_URL", "https://desk.example.org")
    monkeypatch.setenv("REMINDER_SECRET_KEY", "s" * 40)
    assert main(["config", "check"]) == 0
    out = capsys.readouterr().out
    assert "s" * 40 not in out and "secret_key = '**********'" in out
    monkeypatch.setenv("REMINDER_SECRET_KEY", "short")
    assert main(["config", "check"]) == 1
    assert "at least 32 characters" in capsys.readouterr().err


def test_the_key_can_come_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "key"
    path.write_text("f" * 64 + "\n")
    assert secret_key(load_settings(web_base_url="http://x.test", secret_key_file=path)) == "f" * 64
    with pytest.raises(ConfigError, match="secret_key_file"):
        secret_key(load_settings(web_base_url="http://x.test", secret_key_file=tmp_path / "none"))


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("web_base_url", "desk.example.org", "web_base_url (REMINDER_WEB_BASE_URL)"),
        ("office_members", ["not an address"], "office_members (REMINDER_OFFICE_MEMBERS)"),
        ("reply_to", "nobody", "reply_to (REMINDER_REPLY_TO)"),
        ("links_valid_days", 0, "links_valid_days (REMINDER_LINKS_VALID_DAYS)"),
    ],
)
def test_bad_desk_settings_name_their_key(key: str, value: object, words: str) -> None:
    with pytest.raises(ConfigError, match=words.replace("(", r"\(").replace(")", r"\)")):
        load_settings(**{key: value})


def test_export_from_the_command_line(
    use_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out.csv"
    assert main(["export", str(target)]) == 0
    assert "Exported 0 key action(s)" in capsys.readouterr().out
    assert target.read_text("utf-8-sig").startswith("Evaluation ID,")
    assert main(["export", str(tmp_path / "out.txt")]) == 1
    assert "Error: --format" in capsys.readouterr().err
