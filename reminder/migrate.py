"""Schema migrations with Alembic, driven from code (no alembic.ini to find on disk).

Every command checks the schema before it starts, so that check does not load Alembic: the
newest revision is the constant HEAD (tests/test_migrations.py holds it to Alembic's own
head) and the database's is read from `alembic_version` with one query. Alembic itself, and the
migration scripts, load only to migrate."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The newest migration's revision: raise it with every new file in migrations/versions.
HEAD = "0009"


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str | None:
    return HEAD


def scripts_head() -> str | None:
    """The head as Alembic reads it from the migration scripts (what HEAD must equal)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The database's revision, None when it has never been migrated."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Upgrade to `revision`; returns (before, after). A database already there is left alone."""
    before = current_revision(engine)
    if revision == "head" and before == head_revision():
        return before, before
    _run(engine, "upgrade", revision)
    return before, current_revision(engine)


def downgrade(engine: Engine, revision: str) -> None:
    _run(engine, "downgrade", revision)


def _run(engine: Engine, action: str, revision: str) -> None:
    """One Alembic command in one transaction. On SQLite, foreign keys are off meanwhile:
    batch migrations recreate a table by dropping the old one, and with foreign keys on that
    drop would cascade-delete every row pointing at it (the reminder log, for one)."""
    from alembic import command

    config = alembic_config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Outside any transaction: SQLite ignores this pragma inside one.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                getattr(command, action)(config, revision)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"migration left dangling references: {broken[:5]}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()
