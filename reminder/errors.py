"""The project's own exception tree: every failure a user can cause is one of these."""

from __future__ import annotations


class ReminderError(Exception):
    """Base of every error the command line turns into `Error: ...` and exit code 1."""


class ConfigError(ReminderError):
    """A setting is missing or has a value we cannot use; the message names the key."""


class SchemaError(ReminderError):
    """The database is not at the schema version this code expects."""


class SourceError(ReminderError):
    """An input file cannot be read; points at the file, the line and the field."""

    def __init__(self, file: str, line: int | None, field: str, message: str) -> None:
        self.file = file
        self.line = line
        self.field = field
        self.message = message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {field}: {message}")


class TemplateError(ReminderError):
    """A template is missing, does not parse, or uses a value that does not exist."""


class DeliveryError(ReminderError):
    """A message could not be handed over; `permanent` says whether retrying can help."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        systemic: bool = False,
        maybe_delivered: bool = False,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        # Systemic failures (connect, TLS, AUTH, MAIL FROM) stop the whole batch.
        self.systemic = systemic
        # The relay may have the message already (the connection died after DATA).
        self.maybe_delivered = maybe_delivered


class LockLostError(ReminderError):
    """The run's lock lapsed and another run took it: this run must stop sending."""
