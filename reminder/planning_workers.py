"""Planning in worker processes: batches of recipients in, batches of planned digests out.

Planning a batch (SQL scan, rules, routing) and composing its messages are CPU work in pure
Python: with more than one batch of recipients they run in worker processes, each with its
own database connection, while the run's process writes the ledger and serves the senders.
The run's process plans the first, smaller batch itself while the workers start. At most
one batch per worker is planned ahead, so memory stays flat.
"""

from __future__ import annotations

import atexit
import gc
import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import date, datetime
from typing import Any

from reminder import ledger
from reminder.compose import compose
from reminder.config import Settings
from reminder.db import make_engine, make_session_factory
from reminder.planning import DigestFinder, RecipientBatch
from reminder.render import Renderer

PLANNING_PROCESSES = max(1, min(2, os.cpu_count() or 1))
_worker: dict[str, Any] = {}

Wait = Callable[["Future[list[ledger.PlannedDigest]]"], None]


def plan_batch(
    finder: DigestFinder, renderer: Renderer, batch: RecipientBatch, now: datetime
) -> list[ledger.PlannedDigest]:
    """The batch's digests, each composed into its message (or its reason for failing)."""
    try:
        digests = finder.digests(batch)
    finally:
        # Hold no read snapshot between batches: on SQLite an old snapshot stops the WAL
        # from being checkpointed while the ledger grows.
        finder.session.rollback()
    return [compose(renderer, finder.settings, digest, now) for digest in digests]


def _start_worker(settings: Settings, as_of: date) -> None:
    gc.set_threshold(100_000, 50, 100)  # see pipeline.fewer_collections
    engine = make_engine(settings.database_url)
    atexit.register(engine.dispose)  # say goodbye to the server rather than just vanish
    session = make_session_factory(engine)()
    _worker.update(renderer=Renderer(settings), finder=DigestFinder(session, settings, as_of))
    session.rollback()


def _plan_in_worker(batch: RecipientBatch, now: datetime) -> list[ledger.PlannedDigest]:
    return plan_batch(_worker["finder"], _worker["renderer"], batch, now)


def planned_batches(
    finder: DigestFinder, settings: Settings, skip: set[str], now: datetime, wait: Wait
) -> Iterator[tuple[int, list[ledger.PlannedDigest]]]:
    """(recipients in the batch, their planned digests), batch after batch, in order. `wait`
    is called with each batch's future before its result is taken (the run serves its
    senders meanwhile)."""
    # Small first batches: one planned here while the workers start, one for each worker.
    batches = finder.recipient_batches(skip, small=1 + PLANNING_PROCESSES)
    first = next(batches, None)
    if first is None:
        return
    renderer = Renderer(settings)
    second = next(batches, None)
    if second is None:  # one batch: no worker processes to start
        yield len(first.emails), plan_batch(finder, renderer, first, now)
        return
    context = multiprocessing.get_context("spawn")  # no fork of a process holding connections
    pool = ProcessPoolExecutor(
        PLANNING_PROCESSES,
        mp_context=context,
        initializer=_start_worker,
        initargs=(settings, finder.as_of),
    )
    try:
        ahead: deque[tuple[int, Future[list[ledger.PlannedDigest]]]] = deque()
        rest = itertools.chain((second,), batches)
        for batch in itertools.islice(rest, PLANNING_PROCESSES):
            ahead.append((len(batch.emails), pool.submit(_plan_in_worker, batch, now)))
        # A worker takes about a second to start (a new interpreter, its imports, the
        # directory, its templates): meanwhile this process plans the first, smaller batch,
        # and the senders start on it (100k actions: the first message 1.9 -> 1.3 s after
        # the start). Each worker's first batch is small too, so the next follow soon.
        yield len(first.emails), plan_batch(finder, renderer, first, now)
        for batch in rest:
            ahead.append((len(batch.emails), pool.submit(_plan_in_worker, batch, now)))
            while len(ahead) > PLANNING_PROCESSES:
                yield _result(ahead.popleft(), wait)
        while ahead:
            yield _result(ahead.popleft(), wait)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _result(
    item: tuple[int, Future[list[ledger.PlannedDigest]]], wait: Wait
) -> tuple[int, list[ledger.PlannedDigest]]:
    size, future = item
    wait(future)
    return size, future.result()
