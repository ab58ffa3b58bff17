"""The secret settings: values kept in files (`*_FILE`, Docker and Kubernetes secrets), the
SMTP password and the desk's signing key, and the settings masked for printing. Secrets are
read when they are needed, each failure naming its setting, and never printed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reminder.errors import ConfigError

if TYPE_CHECKING:
    from reminder.config import Settings


def read_secret_file(path: Path, setting: str) -> str:
    """A secret kept in a file (Docker/Kubernetes secrets); an unreadable one names its setting."""
    name = f"{setting} (REMINDER_{setting.upper()})"
    try:
        value = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ConfigError(f"{name}: cannot read {path}: {reason}") from None
    if not value:
        raise ConfigError(f"{name}: {path} is empty")
    return value


def smtp_password(settings: Settings) -> str | None:
    """The SMTP password from the setting or the file it names (for Docker/Kubernetes secrets)."""
    if settings.smtp_password is not None:
        return settings.smtp_password.get_secret_value()
    if settings.smtp_password_file is not None:
        return read_secret_file(settings.smtp_password_file, "smtp_password_file")
    return None


def secret_key(settings: Settings) -> str:
    """The key that signs desk links and sessions, from the setting or the file it names.
    A short key is refused: links are the only thing between the web and the data."""
    if settings.secret_key is not None:
        key = settings.secret_key.get_secret_value()
        where = "secret_key (REMINDER_SECRET_KEY)"
    elif settings.secret_key_file is not None:
        where = "secret_key_file (REMINDER_SECRET_KEY_FILE)"
        try:
            key = settings.secret_key_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    else:
        raise ConfigError(
            "secret_key (REMINDER_SECRET_KEY) or secret_key_file (REMINDER_SECRET_KEY_FILE) "
            "is required for the status desk"
        )
    if len(key) < 32:
        raise ConfigError(f"{where}: use at least 32 characters (e.g. `openssl rand -hex 32`)")
    return key


def check_secret_files(settings: Settings) -> None:
    """Read every `*_FILE` secret the service would use, so `config check` fails now, naming
    the setting, rather than the first run at the first message. (The database URL's file is
    read when the settings are loaded.)"""
    if settings.smtp_password_file is not None:
        smtp_password(settings)


MASK = "**********"
# user:password@ in any URL: the password part, up to the last @ before the host.
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)[^@\s]*@")


def mask_url_passwords(value: str) -> str:
    return _URL_PASSWORD.sub(lambda m: m.group("head") + MASK + "@", value)


def public_settings(settings: Settings) -> dict[str, Any]:
    """The effective settings for printing: passwords masked, in URLs too."""
    data = settings.model_dump(mode="json")
    if data.get("smtp_password"):
        data["smtp_password"] = MASK
    return _masked(data)


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_url_passwords(value)
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value
