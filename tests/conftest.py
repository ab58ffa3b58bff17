"""Shared fixtures: a migrated database on SQLite (always) and PostgreSQL (when
REMINDER_TEST_DATABASE_URL is set, as .ci/run does), settings built directly, example paths."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from reminder import migrate
from reminder.config import Settings, load_settings
from reminder.db import make_engine, make_session_factory
from reminder.models import Base

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SAMPLE = Path(__file__).parent / "fixtures" / "kyrgyzstan-joint-evaluation-management-response.txt"
FIXTURES = Path(__file__).parent / "fixtures"
PG_ENV = "REMINDER_TEST_DATABASE_URL"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No REMINDER_* variable from the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith("REMINDER_") and name != PG_ENV:
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "reminder.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """A private schema in the CI database, migrated once, dropped at the end."""
    base = os.environ.get(PG_ENV)
    if not base:
        yield None
        return
    schema = f"reminder_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    engine = make_engine(rendered)
    migrate.upgrade(engine)
    engine.dispose()
    try:
        yield rendered
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _truncate(url: str) -> None:
    engine = make_engine(url)
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    postgres_url: str | None,
) -> str:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "reminder.sqlite"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    if postgres_url is None:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (set by .ci/run)")
    _truncate(postgres_url)
    return postgres_url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with make_session_factory(engine)() as session:
        yield session


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return load_settings(database_url=database_url, outbox_dir=tmp_path / "outbox")


@pytest.fixture
def use_database(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> str:
    """For command-line tests: point REMINDER_* at the test database and a private outbox."""
    monkeypatch.setenv("REMINDER_DATABASE_URL", database_url)
    monkeypatch.setenv("REMINDER_OUTBOX_DIR", str(tmp_path / "outbox"))
    return database_url
