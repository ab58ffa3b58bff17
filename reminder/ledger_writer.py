"""The sender threads' ledger writer: one thread with its own database connection that records
each message's outcome and claims the next, the requests of every connection waiting at that
moment in one commit (group commit).

Having its own thread and connection, it answers the senders while the run's thread plans,
writes a planned batch to the ledger or renews the lock; the senders only wait for the commit
that covers their own request. Outcomes are handed back to the run's thread (`drain`), which
alone updates the run's report. (docs/architecture.md, "Delivery".)
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from reminder import ledger

_STOP = None  # tells the writer thread that no sender will ask again


@dataclass
class _Request:
    """One sender's turn: record `outcome`, then claim `claim` (either may be None)."""

    outcome: ledger.Outcome | None
    claim: ledger.Queued | None
    claimed: bool = False
    done: threading.Event = field(default_factory=threading.Event)


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
        self.failure: BaseException | None = None  # the writer's own error, for the run
        self.committed = threading.Event()  # set after every commit: the run's thread waits on it
        # SQLite has one writer at a time. The run's thread holds this while it writes a
        # planned batch, so the writer wakes the moment that batch is committed; waiting on
        # SQLite's busy handler instead, it would sleep and poll (up to 100 ms a time).
        # PostgreSQL writes both at once.
        sqlite = engine.dialect.name == "sqlite"
        self._one_writer: AbstractContextManager[Any] = (
            threading.Lock() if sqlite else nullcontext()
        )
        self._requests: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._outcomes: queue.SimpleQueue[tuple[ledger.Outcome, str]] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name="ledger-writer", daemon=True)
        self._thread.start()

    def turn(self, outcome: ledger.Outcome | None, claim: ledger.Queued | None) -> bool:
        """Record `outcome` and claim `claim` in one commit; whether the claim was won (False
        if another run took the row, the run is stopping, or the writer failed)."""
        request = _Request(outcome, claim)
        self._requests.put(request)
        request.done.wait()
        return request.claimed

    def writing(self) -> AbstractContextManager[Any]:
        """Hold around another write transaction on the same database (the run's thread)."""
        return self._one_writer

    def drain(self) -> list[tuple[ledger.Outcome, str]]:
        """The outcomes recorded since the last call, with their final states."""
        recorded = []
        while True:
            try:
                recorded.append(self._outcomes.get_nowait())
            except queue.Empty:
                return recorded

    def close(self) -> None:
        """After the last sender has stopped: end the thread and its connection."""
        self._requests.put(_STOP)
        self._thread.join()

    def _serve(self) -> None:
        """Answer requests until told to stop. Every request is answered, even after a
        failure (then without touching the database), so no sender waits forever."""
        connection = self._connect()
        try:
            while True:
                batch = [self._requests.get()]
                while True:  # everything else waiting now goes into the same commit
                    try:
                        batch.append(self._requests.get_nowait())
                    except queue.Empty:
                        break
                requests = [request for request in batch if request is not None]
                try:
                    if connection is not None and self.failure is None:
                        with self._one_writer:
                            self._answer(connection, requests)
                except Exception as exc:
                    self.failure = exc  # the run's thread raises it; nothing more is claimed
                    with suppress(Exception):
                        if connection is not None:
                            connection.rollback()
                finally:
                    for request in requests:
                        request.done.set()
                    self.committed.set()
                if _STOP in batch:
                    return
        finally:
            if connection is not None:
                connection.close()

    def _connect(self) -> Connection | None:
        try:
            return self.engine.connect()
        except Exception as exc:
            self.failure = exc
            return None

    def _answer(self, connection: Connection, requests: list[_Request]) -> None:
        now = self.clock()
        outcomes = [request.outcome for request in requests if request.outcome is not None]
        states = ledger.record_many(connection, outcomes, now, self.max_age)
        for request in requests:
            if request.claim is not None and self.may_claim():
                request.claimed = ledger.claim(connection, request.claim, now)
        connection.commit()
        for recorded in zip(outcomes, states, strict=True):
            self._outcomes.put(recorded)
