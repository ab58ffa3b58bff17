"""The report's parts at once: a pool of two threads, each part on a connection of its own,
and on PostgreSQL every part reading one exported snapshot (docs/architecture.md "The office's
report"). Parts are SQL: SQLite and psycopg release the GIL while a query runs, so two
queries use two cores."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, and_, func, select, text, true
from sqlalchemy.orm import Session

from reminder.models import KeyAction

# Two workers: the machines this runs on have two cores (more threads than cores would only
# interleave the same queries), and a third connection is no burden for either database.
WORKERS = min(2, os.cpu_count() or 1)
_SNAPSHOT_ID = re.compile(r"^[0-9A-F-]+$")


@dataclass(frozen=True)
class Shard:
    """Key actions with start <= id < stop (None: unbounded on that side). The outer shards
    are open, so actions added while a report is built still fall in exactly one."""

    start: int | None = None
    stop: int | None = None

    def holds(self, action_id: Any) -> ColumnElement[bool]:
        conditions = [action_id >= self.start] if self.start is not None else []
        if self.stop is not None:
            conditions.append(action_id < self.stop)
        return and_(true(), *conditions)


EVERY_ACTION = Shard()


def shards(connection: Connection, count: int) -> list[Shard]:
    """`count` shards of about as many key action ids each (one when there are few)."""
    low, high = connection.execute(select(func.min(KeyAction.id), func.max(KeyAction.id))).one()
    if low is None or high - low < count:
        return [EVERY_ACTION]
    cuts = [low + (high - low + 1) * k // count for k in range(1, count)]
    return [Shard(start, stop) for start, stop in pairwise([None, *cuts, None])]


Part = Callable[[Session], Any]


@contextmanager
def snapshot(engine: Engine) -> Iterator[tuple[Connection, str | None]]:
    """A connection held open while the parts run, and on PostgreSQL the id of its exported
    REPEATABLE READ snapshot, which every part then reads (SQLite has no such export: each
    connection reads its own WAL snapshot from its first query)."""
    with engine.connect() as holder:
        if engine.dialect.name != "postgresql":
            yield holder, None
            return
        holder.execution_options(isolation_level="REPEATABLE READ")
        exported = holder.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        yield holder, str(exported)


def run_parts(engine: Engine, snapshot_id: str | None, parts: dict[str, Part]) -> dict[str, Any]:
    """Each part's result by name. Parts start in the order given (longest first keeps the
    workers even); the first failure is raised once no part is running."""
    with ThreadPoolExecutor(WORKERS, thread_name_prefix="report") as pool:
        futures: dict[str, Future[Any]] = {
            name: pool.submit(_run, engine, snapshot_id, part) for name, part in parts.items()
        }
        try:
            return {name: future.result() for name, future in futures.items()}
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise


def _run(engine: Engine, snapshot_id: str | None, part: Part) -> Any:
    with engine.connect() as connection:
        if snapshot_id is not None:
            if not _SNAPSHOT_ID.match(snapshot_id):  # it is spliced into the statement
                raise ValueError(f"not a snapshot id: {snapshot_id!r}")
            connection.execution_options(isolation_level="REPEATABLE READ")
            connection.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot_id}'"))
        with Session(bind=connection) as session:
            return part(session)
