"""Settings: defaults, the TOML file, the environment, and errors that name the key."""

import re
from pathlib import Path

import pytest

from reminder.config import Settings, load_settings
from reminder.errors import ConfigError
from reminder.secret_settings import smtp_password
from tests.conftest import ROOT


def test_defaults() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite:///reminder.sqlite"
    assert settings.policy.due_soon_days == [30, 7, 1]
    assert settings.transport == "outbox"


def test_environment_beats_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "reminder.toml"
    config.write_text(
        'timezone = "Asia/Bishkek"\nfrom = "a@example.org"\n[policy]\nstale_after_days = 60\n'
    )
    monkeypatch.setenv("REMINDER_CONFIG", str(config))
    settings = load_settings()
    assert (settings.timezone, settings.sender, settings.policy.stale_after_days) == (
        "Asia/Bishkek",
        "a@example.org",
        60,
    )
    monkeypatch.setenv("REMINDER_TIMEZONE", "Europe/Berlin")
    monkeypatch.setenv("REMINDER_POLICY__STALE_AFTER_DAYS", "30")
    settings = load_settings()
    assert (settings.timezone, settings.policy.stale_after_days) == ("Europe/Berlin", 30)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('timezone = "Nowhere/Land"\n', "timezone (REMINDER_TIMEZONE)"),
        ("smtp_port = 0\n", "smtp_port (REMINDER_SMTP_PORT)"),
        ('transport = "pigeon"\n', "transport (REMINDER_TRANSPORT)"),
        ("unknown_key = 1\n", "unknown_key (REMINDER_UNKNOWN_KEY): Extra inputs"),
        (
            "[policy]\ndue_soon_days = [-1]\n",
            "policy.due_soon_days (REMINDER_POLICY__DUE_SOON_DAYS)",
        ),
        ('workdays = ["funday"]\n', "workdays (REMINDER_WORKDAYS)"),
        ("timezone = \n", "not valid TOML"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, toml: str, message: str) -> None:
    config = tmp_path / "reminder.toml"
    config.write_text(toml)
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    assert message in str(caught.value)


def test_missing_config_file_blames_where_it_was_named(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match=r"^--config: no such file: /nonexistent/reminder\.toml$"):
        load_settings("/nonexistent/reminder.toml")
    monkeypatch.setenv("REMINDER_CONFIG", "/nonexistent/env.toml")
    with pytest.raises(
        ConfigError, match=r"^REMINDER_CONFIG: no such file: /nonexistent/env\.toml$"
    ):
        load_settings()


def test_password_file_and_secret_masking(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("s3cret\n")
    settings = load_settings(smtp_password_file=secret)
    assert smtp_password(settings) == "s3cret"
    settings = load_settings(smtp_password="hunter2")
    assert "hunter2" not in repr(settings) and smtp_password(settings) == "hunter2"


def _documented_keys(text: str) -> set[str]:
    """Keys set in the file or shown commented out (`# key = value`), with their section."""
    keys, section = set(), ""
    for line in text.splitlines():
        header = re.match(r"^\[(\w+)\]", line)
        if header:
            section = header.group(1) + "."
        key = re.match(r"^#?\s*([a-z_]+)\s*=", line)
        if key:
            keys.add(section + key.group(1))
    return keys


def test_example_config_documents_every_setting_with_its_default() -> None:
    example = ROOT / "config" / "reminder.example.toml"
    expected = set()
    for name, field in Settings.model_fields.items():
        if name == "policy":
            expected |= {f"policy.{sub}" for sub in field.annotation.model_fields}  # type: ignore[union-attr]
        else:
            expected.add("from" if name == "sender" else name)
    assert _documented_keys(example.read_text("utf-8")) == expected
    # Every value the example sets is the default, so copying it changes nothing.
    assert load_settings(example) == load_settings()
