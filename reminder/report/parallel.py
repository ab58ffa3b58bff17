"""The report's parts at once, each on a connection of its own, and on PostgreSQL every part
reading one exported snapshot (docs/architecture.md "The office's report"). Two workers: on
PostgreSQL threads (the server does the work; psycopg releases the GIL while it waits), on
SQLite processes: measured at 1M actions, two threads in one process gained little over one
(9.3 -> 7.4 s, with 75-113k context switches) where two processes took 5.8 s; the contention
is inside SQLite's library, shared by a process's connections (docs/architecture.md)."""

from __future__ import annotations

import atexit
import multiprocessing
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, and_, func, select, text, true
from sqlalchemy.orm import Session

from reminder.db import make_engine
from reminder.models import KeyAction

# Two workers: the machines this runs on have two cores (more workers than cores would only
# interleave the same queries), and a third connection is no burden for either database.
WORKERS = max(1, min(2, os.cpu_count() or 1))
# Below this many key actions the parts run one after the other on one connection: starting
# a worker process costs more (about 0.7 s of CPU) than a small portfolio's whole report.
PARALLEL_FROM = 20_000
_worker: dict[str, Engine] = {}
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


def action_ids(connection: Connection) -> tuple[int, int] | None:
    """The lowest and highest key action id, None when there is no action."""
    low, high = connection.execute(select(func.min(KeyAction.id), func.max(KeyAction.id))).one()
    return None if low is None else (low, high)


def shards(ids: tuple[int, int] | None, count: int) -> list[Shard]:
    """`count` shards of about as many of the key action `ids` each (one when there are few)."""
    if ids is None or ids[1] - ids[0] < count:
        return [EVERY_ACTION]
    low, high = ids
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


def run_parts(
    engine: Engine, snapshot_id: str | None, parts: dict[str, Part], workers: int = WORKERS
) -> dict[str, Any]:
    """Each part's result by name. Parts start in the order given (longest first keeps the
    workers even); the first failure is raised once no part is running."""
    if workers <= 1:
        return {name: _run(engine, snapshot_id, part) for name, part in parts.items()}
    pool: Executor
    if engine.dialect.name == "sqlite":
        url = engine.url.render_as_string(hide_password=False)
        context = multiprocessing.get_context("spawn")  # no fork of a process holding connections
        pool = ProcessPoolExecutor(workers, context, initializer=_start_worker, initargs=(url,))
        run: Callable[[Part], Any] = partial(_run_in_worker, snapshot_id)
    else:
        pool = ThreadPoolExecutor(workers, thread_name_prefix="report")
        run = partial(_run, engine, snapshot_id)
    with pool:
        futures: dict[str, Future[Any]] = {name: pool.submit(run, p) for name, p in parts.items()}
        try:
            return {name: future.result() for name, future in futures.items()}
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise


def _start_worker(url: str) -> None:
    engine = make_engine(url)
    atexit.register(engine.dispose)
    _worker["engine"] = engine


def _run_in_worker(snapshot_id: str | None, part: Part) -> Any:
    return _run(_worker["engine"], snapshot_id, part)


def _run(engine: Engine, snapshot_id: str | None, part: Part) -> Any:
    with engine.connect() as connection:
        if snapshot_id is not None:
            if not _SNAPSHOT_ID.match(snapshot_id):  # it is spliced into the statement
                raise ValueError(f"not a snapshot id: {snapshot_id!r}")
            connection.execution_options(isolation_level="REPEATABLE READ")
            connection.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot_id}'"))
        with Session(bind=connection) as session:
            return part(session)
