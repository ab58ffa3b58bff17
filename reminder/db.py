"""Engine and sessions from settings.database_url (SQLite by default, or PostgreSQL): SQLite's
pragmas and who checkpoints its WAL during a run, the schema check, statistics."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from reminder.errors import ConfigError, ReminderError, SchemaError
from reminder.secret_settings import mask_url_passwords

SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def sqlite_file(url: str | URL) -> Path | None:
    """The file of a SQLite URL, or None (another database, in memory, or a `file:` URI)."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return None if database.startswith("file:") else Path(database)


def _create_private_file(path: Path) -> None:
    """Create the SQLite file with owner-only permissions before SQLite creates it 0644."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL syncs at checkpoints, not at every commit: a commit still survives the
    # process being killed (kill -9); only an OS crash or power loss can lose the last ones.
    # The ledger commits once per message (README "Delivery guarantees"), 3 ms each with FULL.
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A WAL that grew (a run's first batches, while the planners still read) is cut back to
    # this once it starts over, rather than keeping its largest size on disk.
    cursor.execute("PRAGMA journal_size_limit=67108864")
    cursor.close()


# SQLite's default: a commit that leaves the WAL over 1,000 pages checkpoints it.
AUTOCHECKPOINT_PAGES = 1000
_checkpointed_by_hand: set[Engine] = set()  # see checkpoint_by_hand


def _checkpointing_on_checkout(engine: Engine, dbapi_connection: Any, record: Any, _: Any) -> None:
    wanted = 0 if engine in _checkpointed_by_hand else AUTOCHECKPOINT_PAGES
    if record.info.get("wal_autocheckpoint", AUTOCHECKPOINT_PAGES) != wanted:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA wal_autocheckpoint={wanted}")
        cursor.close()
        record.info["wal_autocheckpoint"] = wanted


def checkpoint_by_hand(engine: Engine, by_hand: bool) -> None:
    """SQLite: whether this process's commits leave the WAL to `checkpoint` (a run, while it
    writes) or checkpoint it themselves, as SQLite does by default. Takes effect at each
    connection's next checkout."""
    if by_hand:
        _checkpointed_by_hand.add(engine)
    else:
        _checkpointed_by_hand.discard(engine)


def checkpoint(engine: Engine) -> bool:
    """Copy the WAL into the database (PASSIVE: beside readers and writers), on a connection
    of its own; whether all of it was copied (a reader's older snapshot can hold some back).
    With synchronous=NORMAL this also syncs both files."""
    with engine.connect() as connection:
        _, written, copied = connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    return bool(written == copied)


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets foreign keys, WAL and a busy timeout."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"database_url (REMINDER_DATABASE_URL): not a database URL: {mask_url_passwords(url)!r}"
        ) from None
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS:
        raise ConfigError(
            f"database_url (REMINDER_DATABASE_URL): {parsed.get_backend_name()!r} databases are "
            "not supported; only sqlite and postgresql are supported"
        )
    if parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url)
        path = sqlite_file(url)
        if path is not None:
            # At the first connection, not here: a command that finds no database must not
            # leave an empty file behind.
            event.listen(engine, "do_connect", lambda *_: _create_private_file(path))
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "checkout", lambda *args: _checkpointing_on_checkout(engine, *args))
        return engine
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except Exception as exc:  # a missing driver or a malformed URL
        raise ConfigError(
            f"database_url (REMINDER_DATABASE_URL): {mask_url_passwords(str(exc))}"
        ) from None
    event.listen(engine, "connect", _postgresql_session)
    return engine


def _postgresql_session(dbapi_connection: Any, _record: Any) -> None:
    # The planner's queries are many and short; JIT compiling each cost more (about 60 ms a
    # batch at a million actions) than it saved. Set outside a transaction so it sticks.
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    dbapi_connection.execute("SET jit = off")
    dbapi_connection.autocommit = autocommit


# What an import changes; the run's queries are planned from these tables' statistics.
_IMPORTED_TABLES = (
    "evaluations",
    "recommendations",
    "key_actions",
    "key_action_parties",
    "parties",
    "focal_points",
)


def analyze(session: Session, tables: Sequence[str] = _IMPORTED_TABLES) -> None:
    """On PostgreSQL, ANALYZE `tables` (by default those an import writes) in the session's
    transaction, which sees its own rows; elsewhere nothing.

    Besides planning the next queries well, this matters while a table grows inside one
    session: PostgreSQL plans each foreign-key check once per session and keeps the plan, so
    a check planned while the parent table looked empty scans it on every later row. Fresh
    statistics invalidate those plans."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE " + ", ".join(tables)))


def refresh_statistics(session: Session) -> None:
    """After an import, on PostgreSQL: ANALYZE what it changed. Autovacuum gets there in the
    end, but a run straight after a large first import would otherwise be planned from
    empty statistics (measured at a million actions: 76 s per batch instead of 0.3 s)."""
    analyze(session)
    session.commit()


def engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def connect_error_context(url: str) -> Iterator[None]:
    """Turn 'cannot reach the database' into a clear ReminderError."""
    try:
        yield
    except OperationalError as exc:
        safe = make_url(url).render_as_string(hide_password=True)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise ReminderError(f"cannot use the database {safe}: {reason}") from None


def require_current_schema(engine: Engine) -> None:
    """Fail with a clear message unless the database is at the newest migration."""
    from reminder.migrate import current_revision, head_revision

    safe = engine.url.render_as_string(hide_password=True)
    path = sqlite_file(engine.url)
    if path is not None and not path.exists():  # looking would create it
        raise SchemaError(f"the database {safe} is not set up; run `reminder db upgrade`")
    with connect_error_context(str(engine.url)):
        current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if current is None:
        tables = inspect(engine).get_table_names()
        hint = " (it has tables but no version stamp)" if tables else ""
        raise SchemaError(f"the database {safe} is not set up{hint}; run `reminder db upgrade`")
    raise SchemaError(
        f"the database {safe} is at schema {current}, this version needs {head}; "
        "run `reminder db upgrade`"
    )
