"""The senders' ledger writer: each message's outcome recorded and the next claimed in one
commit, on a database connection of its own, the requests of every connection waiting at that
moment in the same commit (group commit). Whichever sender thread comes first commits for all
that are waiting (it leads); the others find their request answered. So with one connection
(the outbox) a sender commits for itself without a thread hop, and with several they share.

The senders never wait for the run's thread (it plans, writes a planned batch, renews the
lock); outcomes are handed back to it (`drain`), and it alone updates the run's report.
On SQLite, which has one writer at a time, the run's thread takes turns with the senders
(`writing`, `answer_waiting`), and checkpoints the WAL itself (`checkpoint`,
`checkpoint_due`) so that no commit the senders wait for does. (docs/architecture.md,
"Delivery" and "Decisions".)
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from reminder import db, ledger

# How soon the run's thread tries again a checkpoint that a planner's snapshot held back.
CHECKPOINT_RETRY = 0.25
# Sender turns (about three WAL pages each) after which the run's thread checkpoints again
# while it only waits for the senders (the last batch planned, a slow relay still sending).
CHECKPOINT_TURNS = 300


@dataclass
class _Request:
    """One sender's turn: record `outcome`, then claim `claim` (either may be None)."""

    outcome: ledger.Outcome | None
    claim: ledger.Queued | None
    claimed: bool = False
    done: bool = False  # answered, by whichever thread led the commit


class LedgerWriter:
    """`turn(outcome, claim)` from any sender thread; `drain()`, `close()` from the run's."""

    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], datetime],
        max_age: timedelta,
        may_claim: Callable[[], bool],
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.max_age = max_age
        self.may_claim = may_claim
        self.failure: Exception | None = None  # the writer's own error, for the run's thread
        self.committed = threading.Event()  # set after every commit: the run's thread waits on it
        # SQLite has one writer at a time. The run's thread holds this while it writes a
        # planned batch, so a sender goes on the moment that batch is committed; waiting on
        # SQLite's busy handler instead, it would sleep and poll (up to 100 ms a time).
        # PostgreSQL writes both at once.
        self._sqlite = engine.dialect.name == "sqlite"
        self._one_writer: AbstractContextManager[Any] = (
            threading.Lock() if self._sqlite else nullcontext()
        )
        self.held_back = False  # the last checkpoint could not copy all of the WAL
        self._checkpointed_at = 0.0
        self._turns_since_checkpoint = 0
        # A database in a file (in memory there is no WAL, and one connection per thread).
        self._by_hand = self._sqlite and db.sqlite_file(engine.url) is not None
        if self._by_hand:
            db.checkpoint_by_hand(engine, True)  # see checkpoint()
        self._leading = threading.Lock()  # one commit at a time on the one connection
        self._connection: Connection | None = None
        self._statements = ledger.SenderStatements(engine.dialect)
        self._requests: queue.SimpleQueue[_Request] = queue.SimpleQueue()
        self._outcomes: queue.SimpleQueue[tuple[ledger.Outcome, str]] = queue.SimpleQueue()

    def turn(self, outcome: ledger.Outcome | None, claim: ledger.Queued | None) -> bool:
        """Record `outcome` and claim `claim` in one commit; whether the claim was won (False
        if another run took the row, the run is stopping, or the writer failed)."""
        request = _Request(outcome, claim)
        self._requests.put(request)
        with self._leading:
            if not request.done:  # not answered by the commit that led before us
                self._commit_waiting()
        return request.claimed

    @property
    def exclusive(self) -> bool:
        """Whether the run's thread and the senders take turns to write (SQLite)."""
        return self._sqlite

    def writing(self) -> AbstractContextManager[Any]:
        """Hold around another write transaction on the same database (the run's thread)."""
        return self._one_writer

    def answer_waiting(self) -> None:
        """From the run's thread, between two of its writes: commit the requests that queued
        up meanwhile, so the senders go first. (A released lock goes to whoever asks first,
        most often the thread that just released it.)"""
        if self._requests.empty():
            return
        with self._leading:
            if not self._requests.empty():  # else a sender led the commit meanwhile
                self._commit_waiting()

    def checkpoint(self) -> None:
        """From the run's thread after it wrote a planned batch (SQLite): copy the WAL into
        the database beside the senders' commits, then, if that copied all of it, the few
        pages they added meanwhile in the writer's turn, so that the next commit can start the
        WAL over.

        Left to SQLite, the copy and its two syncs ran inside whichever commit took the WAL
        past 1,000 pages: the batch's own (25 of its ~80 ms, with every sender waiting) or a
        sender's claim, which held up the others the same way."""
        if not self._by_hand:
            return
        self._checkpointed_at = time.monotonic()
        self._turns_since_checkpoint = 0
        self.held_back = not db.checkpoint(self.engine)
        if self.held_back:
            return  # a planner's snapshot held pages back: try again soon (checkpoint_due)
        with self._one_writer:
            db.checkpoint(self.engine)

    def checkpoint_due(self) -> None:
        """From the run's thread while it waits: finish a checkpoint that a snapshot held
        back (at most every CHECKPOINT_RETRY seconds), or checkpoint again after
        CHECKPOINT_TURNS of the senders' commits."""
        if not self._by_hand:
            return
        retry = self.held_back and time.monotonic() - self._checkpointed_at >= CHECKPOINT_RETRY
        if retry or self._turns_since_checkpoint >= CHECKPOINT_TURNS:
            self.checkpoint()

    def drain(self) -> list[tuple[ledger.Outcome, str]]:
        """The outcomes recorded since the last call, with their final states."""
        recorded = []
        while True:
            try:
                recorded.append(self._outcomes.get_nowait())
            except queue.Empty:
                return recorded

    def close(self) -> None:
        """After the last sender has stopped: give the connection back, and the WAL back to
        SQLite's own checkpoints."""
        with self._leading:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
        if self._by_hand:
            db.checkpoint_by_hand(self.engine, False)

    def _commit_waiting(self) -> None:
        """Answer every request waiting now in one commit. Every request is answered, after
        a failure too (then without touching the database), so no sender waits forever."""
        with self._one_writer:  # taken first: what arrives meanwhile joins this commit
            batch = []
            while True:
                try:
                    batch.append(self._requests.get_nowait())
                except queue.Empty:
                    break
            try:
                if self.failure is None:
                    self._answer(batch)
            except Exception as exc:
                self.failure = exc  # the run's thread raises it; nothing more is claimed
                for request in batch:  # a claim is won only once committed: send nothing
                    request.claimed = False
                with suppress(Exception):
                    if self._connection is not None:
                        self._connection.rollback()
            finally:
                for request in batch:
                    request.done = True
                self.committed.set()

    def _answer(self, requests: list[_Request]) -> None:
        if self._connection is None:
            self._connection = self.engine.connect()
        connection = self._connection
        now = self.clock()
        outcomes = [request.outcome for request in requests if request.outcome is not None]
        connection.begin()
        cursor = connection.connection.cursor()  # the statements run on the driver's cursor
        try:
            states = self._statements.record_many(cursor, outcomes, now, self.max_age)
            for request in requests:
                if request.claim is not None and self.may_claim():
                    request.claimed = self._statements.claim(cursor, request.claim, now)
        finally:
            cursor.close()
        connection.commit()
        self._turns_since_checkpoint += len(requests)
        for recorded in zip(outcomes, states, strict=True):
            self._outcomes.put(recorded)
