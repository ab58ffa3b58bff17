"""Settings: the only reader of the environment and of the TOML configuration file.

Precedence, highest first: values passed to `load_settings`, `REMINDER_*` environment
variables, the TOML file named by `REMINDER_CONFIG` (or `--config`), then the defaults below.
Secrets kept in files, and the settings masked for printing, are `secret_settings`' job.
"""

from __future__ import annotations

import os
import re
import tomllib
from contextvars import ContextVar
from email.utils import parseaddr
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from reminder.errors import ConfigError
from reminder.secret_settings import read_secret_file

ENV_PREFIX = "REMINDER_"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Which TOML file the next Settings() reads; set only by load_settings.
_config_file: ContextVar[Path | None] = ContextVar("reminder_config_file", default=None)


class Policy(BaseModel):
    """When an action is put in a digest (docs/architecture.md, "Domain rules")."""

    model_config = ConfigDict(extra="forbid")

    due_soon_days: list[int] = Field(default=[30, 7, 1], description="lead milestones, in days")
    overdue_repeat_days: int = Field(default=7, ge=1, description="repeat overdue every N days")
    escalate_after_days: int = Field(default=30, ge=1, description="copy escalation contacts")
    escalate_office_after_days: int = Field(default=90, ge=1, description="copy the office")
    stale_after_days: int = Field(default=90, ge=1, description="no status change for N days")
    stale_repeat_days: int = Field(default=30, ge=1, description="ask again every N days")
    no_deadline_repeat_days: int = Field(default=30, ge=1, description="remind every N days")
    max_actions_per_digest: int = Field(
        default=200, ge=1, description="list the N most urgent; the rest follow on later days"
    )

    @field_validator("due_soon_days")
    @classmethod
    def _positive_milestones(cls, value: list[int]) -> list[int]:
        if any(day < 0 for day in value):
            raise ValueError("milestones are days before the deadline and cannot be negative")
        return sorted(set(value), reverse=True)


class Settings(BaseSettings):
    """Every setting of the service; `config/reminder.example.toml` documents each one."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    database_url: str = "sqlite:///reminder.sqlite"
    # The URL from a file (a Docker or Kubernetes secret), when it carries a password.
    database_url_file: Path | None = None
    timezone: str = "UTC"
    default_locale: str = "en"

    transport: Literal["outbox", "smtp", "console"] = "outbox"
    outbox_dir: Path = Path("outbox")
    sender: str = Field(
        default="reminder@localhost",
        validation_alias=AliasChoices("from", "REMINDER_FROM", "sender"),
    )
    evaluation_office: str | None = None
    list_id: str = "key-action-reminders.reminder.localhost"
    templates_dir: Path | None = None
    # Message catalogs overriding or adding to the shipped ones: <lang>/LC_MESSAGES/messages.po
    locale_dir: Path | None = None
    # The largest body (text or HTML) a template may render; more is a template error.
    max_message_bytes: int = Field(default=2_000_000, ge=10_000)

    smtp_host: str = "localhost"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_password_file: Path | None = None
    smtp_tls: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_timeout: float = Field(default=30.0, gt=0)
    smtp_connections: int = Field(default=4, ge=1, le=64)

    retry_max_age_hours: int = Field(default=72, ge=1)

    workdays: list[str] = Field(default=["mon", "tue", "wed", "thu", "fri"])
    holiday_country: str | None = None
    schedule: str = "0 8 * * mon-fri"
    retry_interval_minutes: int = Field(default=5, ge=1, le=1440)
    heartbeat_file: Path = Path("reminder.heartbeat")
    log_format: Literal["text", "json"] = "text"
    auto_migrate: bool = False

    # The status desk (`reminder serve`) and the links digests carry to it.
    web_base_url: str | None = None
    secret_key: SecretStr | None = None
    secret_key_file: Path | None = None
    links_valid_days: int = Field(default=45, ge=1, le=366)
    reply_to: str | None = None
    office_members: list[str] = Field(default_factory=list)
    # The monthly report (reminder.report.monthly) goes to evaluation_office and these.
    report_recipients: Annotated[list[str], NoDecode] = Field(default_factory=list)
    report_schedule: str = "0 8 * * *"

    policy: Policy = Field(default_factory=Policy)

    @model_validator(mode="after")
    def _database_url_from_file(self) -> Settings:
        if self.database_url_file is None:
            return self
        if "database_url" in self.model_fields_set:
            raise ValueError(
                "set database_url (REMINDER_DATABASE_URL) or database_url_file "
                "(REMINDER_DATABASE_URL_FILE), not both"
            )
        self.database_url = read_secret_file(self.database_url_file, "database_url_file")
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as Asia/Bishkek)"
            ) from None
        return value

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        from reminder.i18n import is_known_locale

        if not is_known_locale(value):
            raise ValueError(f"unknown locale {value!r} (use en, fr, es, ru, ...)")
        return value

    @field_validator("sender")
    @classmethod
    def _sender_address(cls, value: str) -> str:
        if "@" not in parseaddr(value)[1] or any(c in value for c in "\r\n"):
            raise ValueError(f"{value!r} is not an address like 'Name <name@example.org>'")
        return value

    @field_validator("schedule")
    @classmethod
    def _valid_schedule(cls, value: str) -> str:
        from reminder.schedule import cron_trigger

        try:
            cron_trigger(value, ZoneInfo("UTC"))
        except ValueError as exc:
            raise ValueError(f"not a crontab schedule: {exc}") from None
        return value

    @field_validator("report_schedule")
    @classmethod
    def _valid_report_schedule(cls, value: str) -> str:
        return cls._valid_schedule(value)

    @field_validator("report_recipients", mode="before")
    @classmethod
    def _recipient_list(cls, value: Any) -> Any:
        """A comma-separated string (the environment) or a list (TOML)."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("report_recipients")
    @classmethod
    def _recipient_addresses(cls, value: list[str]) -> list[str]:
        for address in value:
            if "@" not in parseaddr(address)[1] or any(c in address for c in "\r\n"):
                raise ValueError(f"{address!r} is not an address like name@example.org")
        return value

    @field_validator("workdays")
    @classmethod
    def _known_days(cls, value: list[str]) -> list[str]:
        days = [day.strip().lower()[:3] for day in value]
        unknown = [day for day in days if day not in WEEKDAYS]
        if unknown:
            raise ValueError(f"unknown weekday(s) {unknown}; use mon, tue, ... sun")
        return days

    @field_validator("web_base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError(f"{value!r} is not an address like https://desk.example.org")
        return value

    @field_validator("reply_to")
    @classmethod
    def _reply_to(cls, value: str | None) -> str | None:
        if value is not None and (
            "@" not in parseaddr(value)[1] or any(c in value for c in "\r\n")
        ):
            raise ValueError(f"{value!r} is not an address like 'Name <name@example.org>'")
        return value

    @field_validator("office_members")
    @classmethod
    def _members(cls, value: list[str]) -> list[str]:
        members = [parseaddr(v)[1].strip().lower() for v in value]
        bad = [v for v, m in zip(value, members, strict=True) if "@" not in m]
        if bad:
            raise ValueError(f"not email addresses: {bad}")
        return members

    @model_validator(mode="after")
    def _links_need_a_key(self) -> Settings:
        # Links in digests and the desk itself are only as safe as the key that signs them.
        if self.web_base_url and self.secret_key is None and self.secret_key_file is None:
            raise ValueError(
                "secret_key (REMINDER_SECRET_KEY) or secret_key_file (REMINDER_SECRET_KEY_FILE)"
                " is required when web_base_url is set: it signs the links in digests"
            )
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def sender_address(self) -> str:
        """The bare address of `from`, for the SMTP envelope."""
        return parseaddr(self.sender)[1]

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = _config_file.get()
        if config_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)


def env_name(location: tuple[Any, ...]) -> str:
    """The environment variable that sets the setting at `location`."""
    parts = [str(part) for part in location if not isinstance(part, int)]
    if parts == ["sender"] or parts == ["from"]:
        return "REMINDER_FROM"
    return ENV_PREFIX + "__".join(part.upper() for part in parts)


def load_settings(config_file: Path | str | None = None, **overrides: Any) -> Settings:
    """Build Settings, turning every problem into a ConfigError that names the key."""
    # Blame the setting the file came from: the caller's (the command line's --config) or
    # the environment's.
    origin = "--config"
    if config_file is None and os.environ.get("REMINDER_CONFIG"):
        config_file, origin = os.environ["REMINDER_CONFIG"], "REMINDER_CONFIG"
    path = Path(config_file) if config_file else None
    if path is not None:
        if not path.is_file():
            raise ConfigError(f"{origin}: no such file: {path}")
        try:
            tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    token = _config_file.set(path)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            if not error["loc"]:  # a check across settings names them itself
                problems.append(error["msg"].removeprefix("Value error, "))
                continue
            key = ".".join(str(part) for part in error["loc"])
            problems.append(f"{key} ({env_name(error['loc'])}): {error['msg']}")
        source = f" in {path}" if path else ""
        raise ConfigError(f"invalid configuration{source}: " + "; ".join(problems)) from None
    finally:
        _config_file.reset(token)


def reply_to(settings: Settings) -> str | None:
    """Where replies to a digest go: `reply_to`, else the evaluation office."""
    return settings.reply_to or settings.evaluation_office
