"""Migrations: an empty database upgrades to head, and the models match the migrations."""

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, select, text

from reminder import migrate
from reminder.db import make_engine, make_session_factory, require_current_schema
from reminder.importers import read_file
from reminder.importers.directory import read_directory
from reminder.importers.load import load_batch, load_directory, load_resolver
from reminder.models import Base, KeyAction

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NOW = datetime(2027, 1, 15, 6, tzinfo=UTC)


def test_head_matches_the_models(engine: Engine) -> None:
    assert migrate.current_revision(engine) == migrate.head_revision()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_head_constant_is_the_newest_migration() -> None:
    # Every command checks the schema against migrate.HEAD without loading Alembic: a new
    # migration file must raise it, or every command would refuse the upgraded database.
    assert migrate.scripts_head() == migrate.HEAD


def test_a_never_migrated_database_has_no_revision(tmp_path: Path) -> None:
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    assert migrate.current_revision(empty) is None
    empty.dispose()


def test_upgrade_is_idempotent(engine: Engine) -> None:
    before, after = migrate.upgrade(engine)
    assert before == after == migrate.head_revision()


def test_0005_moves_stored_messages_and_keeps_the_log(engine: Engine) -> None:
    """Messages queued before the upgrade keep their exact bytes, both ways, and recreating
    the ledger table on SQLite does not cascade-delete the reminder log."""
    with make_session_factory(engine)() as session:
        path = EXAMPLES / "fergana-valley-management-response.txt"
        load_directory(session, read_directory(EXAMPLES / "directory.csv"), NOW)
        load_batch(session, read_file(path, load_resolver(session)), NOW)
        session.commit()
        action_id = session.scalars(select(KeyAction.id)).first()
    migrate.downgrade(engine, "0004")
    message = "Subject: s\r\n\r\nbody\r\n"
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO deliveries (id, recipient, digest_day, message_id, subject,"
                    " locale, counts, payload, status, attempts, maybe_delivered, created_at,"
                    " updated_at) VALUES (7, 'a@example.org', '2027-01-15', '<m@x>', 's', 'en',"
                    " '{}', :payload, 'pending', 0, false, :now, :now)"
                ),
                {"payload": message, "now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO reminder_log (delivery_id, key_action_id, recipient, reason,"
                    " digest_day) VALUES (7, :action, 'a@example.org', 'overdue', '2027-01-15')"
                ),
                {"action": action_id},
            )
        migrate.upgrade(engine)
        with engine.connect() as connection:
            moved = connection.execute(text("SELECT delivery_id, payload FROM delivery_messages"))
            assert moved.all() == [(7, message)]
            log = connection.execute(text("SELECT count(*) FROM reminder_log"))
            assert log.scalar_one() == 1
        migrate.downgrade(engine, "0004")
        with engine.connect() as connection:
            back = connection.execute(text("SELECT payload FROM deliveries WHERE id = 7"))
            assert back.scalar_one() == message
            log = connection.execute(text("SELECT count(*) FROM reminder_log"))
            assert log.scalar_one() == 1
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM reminder_log"))
            connection.execute(text("DELETE FROM deliveries"))
        migrate.upgrade(engine)


def test_alembic_speaks_only_when_it_migrates(
    engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    migrate.upgrade(engine)  # already at head: the daemon's start with auto_migrate
    require_current_schema(engine)  # every command's check
    assert [r.getMessage() for r in caplog.records if r.name.startswith("alembic")] == []
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    migrate.upgrade(empty)
    empty.dispose()
    assert any("Running upgrade" in r.getMessage() for r in caplog.records)
