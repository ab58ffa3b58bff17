"""Shared set-up for the status desk tests: the example portfolio loaded, desk settings, and
a fixed clock (the example data is dated around 2027-01-15)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reminder.config import Settings, load_settings
from reminder.importers import read_file
from reminder.importers.directory import read_directory
from reminder.importers.load import load_batch, load_directory, load_resolver
from reminder.models import KeyAction, Party
from tests.conftest import EXAMPLES

NOW = datetime(2027, 1, 15, 3, 0, tzinfo=UTC)  # 09:00 in Bishkek, a Friday
KEY = "k" * 40
OTHER_KEY = "o" * 40
BASE_URL = "http://desk.test"
AIDA = "aida.bekova@unwomen.example.org"  # UN Women's primary
TIMUR = "timur.ismailov@iom.example.org"  # IOM's alternate, standing in for Chynara
CHYNARA = "chynara.asanova@iom.example.org"  # IOM's primary, away until 2027-01-31
MARAT = "marat.dzhumabaev@ilo.example.org"  # ILO's primary
OFFICE = "evaluation.office@kg.example.org"


def desk_settings(database_url: str, tmp_path: Path, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "outbox_dir": tmp_path / "outbox",
        "timezone": "Asia/Bishkek",
        "evaluation_office": OFFICE,
        "sender": "M&E reminders <reminders@kg.example.org>",
        "web_base_url": BASE_URL,
        "secret_key": KEY,
        "office_members": [OFFICE],
    }
    values.update(extra)
    return load_settings(**values)


def load_examples(session: Session) -> None:
    load_directory(session, read_directory(EXAMPLES / "directory.csv"), NOW)
    path = EXAMPLES / "fergana-valley-management-response.txt"
    load_batch(session, read_file(path, load_resolver(session)), NOW)
    session.commit()


def actions_of(session: Session, code: str, open_only: bool = True) -> list[int]:
    query = select(KeyAction.id).where(KeyAction.parties.any(Party.code == code))
    if open_only:
        query = query.where(KeyAction.status.not_in(("completed", "no_longer_applicable")))
    return list(session.scalars(query.order_by(KeyAction.id)))


def only_of(session: Session, code: str, others: tuple[str, ...]) -> int:
    """An open action of `code` that none of `others` shares."""
    shared = {a for other in others for a in actions_of(session, other)}
    return next(a for a in actions_of(session, code) if a not in shared)
