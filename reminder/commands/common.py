"""What every command shares: the App (settings, a database on demand, today) and the small
argument and wording helpers."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, TypeAlias

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from reminder import clock
from reminder.config import Settings
from reminder.db import make_engine, make_session_factory, require_current_schema

if TYPE_CHECKING:
    # The collection of sub-commands each command module adds its own to.
    Commands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]


@dataclass
class App:
    """What every command needs: settings, and a database on demand."""

    settings: Settings
    _engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.settings.database_url)
        return self._engine

    def session(self) -> Session:
        """A session on a database whose schema is current (or a clear error)."""
        require_current_schema(self.engine)
        return make_session_factory(self.engine)()

    def today(self) -> date:
        return clock.local_today(self.settings.zone)


def iso_date(value: str) -> date:
    """An argparse type: a date written 2026-03-31."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-03-31") from None


def counts(counter: dict[str, int], noun: str) -> str:
    """`key actions: 3 created, 1 updated`, or `key actions: none`."""
    parts = [f"{count} {key}" for key, count in counter.items() if count]
    return f"{noun}: " + (", ".join(parts) if parts else "none")
