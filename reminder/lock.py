"""Single flight: one run at a time across processes and hosts.

On PostgreSQL a session advisory lock, released by the server if the holder's connection
dies; keyed by the schema, since advisory locks are database-wide and two deployments may
share a database in separate schemas. On SQLite a lock row in the same database file with
an expiry, renewed while the run goes on, so a crashed holder's lock lapses by itself within
LEASE; a holder on this host whose process is gone is taken over at once. A graceful stop
deletes the row.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from reminder.errors import LockLostError
from reminder.models import RunLock

ADVISORY_KEY = 0x726D6E64  # "rmnd": the first of the two-key form, the schema's hash second
_SCHEMA_KEY = "hashtext(current_schema())"
LEASE = timedelta(seconds=60)
RENEW_EVERY = timedelta(seconds=15)
LOCK_NAME = "run"


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _holder_is_gone(holder: str) -> bool:
    """A holder on this host whose process no longer exists (killed, crashed)."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


class RunLockHandle:
    """acquire() -> bool, renew() while running, release() at the end."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.clock = clock
        self.holder = holder_name()
        self._connection: Connection | None = None
        self._renewed: datetime | None = None
        self.postgres = engine.dialect.name == "postgresql"

    def acquire(self) -> bool:
        return self._acquire_advisory() if self.postgres else self._acquire_row()

    def _acquire_advisory(self) -> bool:
        connection = self.engine.connect()
        got = connection.execute(
            text(f"SELECT pg_try_advisory_lock(:k, {_SCHEMA_KEY})"), {"k": ADVISORY_KEY}
        )
        if got.scalar():
            connection.commit()
            self._connection = connection
            return True
        connection.rollback()
        connection.close()
        return False

    def _acquire_row(self) -> bool:
        now = self.clock()
        with self.engine.begin() as connection:
            current = connection.execute(
                select(RunLock.holder).where(RunLock.name == LOCK_NAME)
            ).scalar()
            lapsed = RunLock.expires_at < now
            if current is not None and _holder_is_gone(current):
                lapsed = RunLock.holder == current
            # Take over a lapsed lock (its holder crashed) ...
            taken = connection.execute(
                update(RunLock)
                .where(RunLock.name == LOCK_NAME, lapsed)
                .values(holder=self.holder, acquired_at=now, expires_at=now + LEASE)
            )
        if taken.rowcount != 1:
            # ... or create it; the primary key lets exactly one of two racing processes win.
            try:
                with self.engine.begin() as connection:
                    connection.execute(
                        insert(RunLock).values(
                            name=LOCK_NAME,
                            holder=self.holder,
                            acquired_at=now,
                            expires_at=now + LEASE,
                        )
                    )
            except IntegrityError:
                return False
        self._renewed = now
        return True

    def renew(self) -> None:
        """Extend the SQLite lease; cheap to call often (it writes at most every RENEW_EVERY)."""
        now = self.clock()
        if self.postgres or self._renewed is None or now - self._renewed < RENEW_EVERY:
            return
        with self.engine.begin() as connection:
            renewed = connection.execute(
                update(RunLock)
                .where(RunLock.name == LOCK_NAME, RunLock.holder == self.holder)
                .values(expires_at=now + LEASE)
            ).rowcount
        if renewed != 1:
            # The lease lapsed and another run took it: going on could send twice.
            raise LockLostError("the run lock lapsed and another run holds it; this run stops")
        self._renewed = now

    def release(self) -> None:
        if self._connection is not None:
            self._connection.execute(
                text(f"SELECT pg_advisory_unlock(:k, {_SCHEMA_KEY})"), {"k": ADVISORY_KEY}
            )
            self._connection.commit()
            self._connection.close()
            self._connection = None
            return
        if self._renewed is not None:
            with self.engine.begin() as connection:
                connection.execute(
                    delete(RunLock).where(RunLock.name == LOCK_NAME, RunLock.holder == self.holder)
                )
            self._renewed = None


def lock_state(engine: Engine, now: datetime) -> dict[str, Any] | None:
    """Who holds the lock, if anyone (for `reminder status` and the lock-held message)."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            row = connection.execute(
                text(
                    "SELECT a.client_addr, a.application_name, a.backend_start FROM pg_locks l "
                    "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
                    "AND l.granted AND l.objsubid = 2 AND l.classid::bigint = :k "
                    f"AND l.objid::bigint = ({_SCHEMA_KEY}::bigint & 4294967295) "
                    "AND l.database = (SELECT oid FROM pg_database "
                    "WHERE datname = current_database())"
                ),
                {"k": ADVISORY_KEY},
            ).first()
            return (
                {"holder": f"PostgreSQL session from {row[0] or 'local'}", "since": row[2]}
                if row
                else None
            )
        row = connection.execute(select(RunLock).where(RunLock.name == LOCK_NAME)).first()
        if row is None or row.expires_at < now:
            return None
        return {"holder": row.holder, "since": row.acquired_at, "expires_at": row.expires_at}
