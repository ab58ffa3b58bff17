"""Sending ledger rows: claimed in batches, handed to a small pool of transports (one
connection each, reused), outcomes written back per batch.

A Dispatcher sends each batch as soon as it is planned, while the next one is being planned
(the relay's round trips overlap the CPU work); what is still waiting at the end, retries
from earlier runs included, goes out in `deliver`. All database work stays on the caller's
thread; the pool's threads only talk to transports."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from reminder import ledger
from reminder.config import Settings
from reminder.delivery import Envelope, Transport
from reminder.errors import DeliveryError

BATCH = 200


class TransportPool:
    """N worker threads, each with its own transport; a systemic failure stops them all."""

    def __init__(self, settings: Settings, factory: Callable[[Settings], Transport]) -> None:
        self.settings = settings
        self.factory = factory
        # Connections are an SMTP matter. The outbox writes fast enough from one thread (more
        # only competed with planning for the CPU); the console prints whole messages, which
        # one at a time keeps readable.
        self.size = settings.smtp_connections if settings.transport == "smtp" else 1
        self.executor = ThreadPoolExecutor(self.size, thread_name_prefix="send")
        self.local = threading.local()
        self.transports: list[Transport] = []
        self.lock = threading.Lock()
        self.systemic: DeliveryError | None = None

    def _transport(self) -> Transport:
        transport = getattr(self.local, "transport", None)
        if transport is None:
            transport = self.local.transport = self.factory(self.settings)
            with self.lock:
                self.transports.append(transport)
        return transport

    def _stopped(self, should_stop: Callable[[], bool]) -> bool:
        return self.systemic is not None or should_stop()

    def _send(
        self,
        row: ledger.Claimed,
        envelope: Envelope,
        following: Envelope | None,
        should_stop: Callable[[], bool],
    ) -> ledger.Outcome:
        if self._stopped(should_stop):
            reason = str(self.systemic) if self.systemic is not None else None
            return ledger.Outcome(row, "released", reason)
        try:
            self._transport().send(envelope, following)
        except DeliveryError as exc:
            if exc.systemic:
                self.systemic = self.systemic or exc
                return ledger.Outcome(row, "released", str(exc))
            return ledger.Outcome(
                row,
                "failed" if exc.permanent else "deferred",
                str(exc),
                maybe_delivered=exc.maybe_delivered,
            )
        return ledger.Outcome(row, "sent")

    def _send_in_turn(
        self, rows: Sequence[ledger.Claimed], sender: str, should_stop: Callable[[], bool]
    ) -> list[ledger.Outcome]:
        """One thread's share, in order on its connection; each message is sent knowing the
        next, so an SMTP transport can pipeline from one message to the next."""
        envelopes = [
            Envelope(
                sender,
                row.recipient,
                row.message_id,
                row.digest_day.isoformat(),
                row.payload.encode("ascii"),
            )
            for row in rows
        ]
        outcomes = []
        for index, (row, envelope) in enumerate(zip(rows, envelopes, strict=True)):
            following = envelopes[index + 1] if index + 1 < len(rows) else None
            if following is not None and self._stopped(should_stop):
                following = None
            outcomes.append(self._send(row, envelope, following, should_stop))
        return outcomes

    def submit(
        self, rows: Sequence[ledger.Claimed], sender: str, should_stop: Callable[[], bool]
    ) -> list[Future[list[ledger.Outcome]]]:
        """Deal the rows out to the threads, one share each."""
        shares = [rows[start :: self.size] for start in range(self.size)]
        return [
            self.executor.submit(self._send_in_turn, share, sender, should_stop)
            for share in shares
            if share
        ]

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        for transport in self.transports:
            transport.close()


OnBatch = Callable[[list[ledger.Outcome], list[str]], None]


@dataclass
class Dispatcher:
    """Claims rows, hands them to the pool, and records each batch's outcomes once they are
    in, keeping at most `in_flight` batches out at a time (memory stays bounded)."""

    session: Session
    settings: Settings
    clock: Callable[[], datetime]
    pool: TransportPool
    on_batch: OnBatch
    should_stop: Callable[[], bool]
    keepalive: Callable[[], None]
    in_flight: int = 2
    _out: deque[list[Future[list[ledger.Outcome]]]] = field(default_factory=deque)

    @property
    def stopped(self) -> bool:
        return self.pool.systemic is not None or self.should_stop()

    def send(self, ids: Sequence[int]) -> None:
        """Claim and start sending these rows; returns once at most `in_flight` batches are out."""
        for start in range(0, len(ids), BATCH):
            if self.stopped:
                return  # the rows stay pending for the next run
            self.keepalive()
            rows = ledger.claim(self.session, ids[start : start + BATCH], self.clock())
            self._out.append(self.pool.submit(rows, self.settings.sender_address, self.should_stop))
            self._record_done(wait_for=len(self._out) - self.in_flight)

    def drain(self) -> None:
        self._record_done(wait_for=len(self._out))

    def _record_done(self, wait_for: int) -> None:
        """Record finished batches, in order, waiting for the oldest `wait_for` of them."""
        max_age = timedelta(hours=self.settings.retry_max_age_hours)
        while self._out and (wait_for > 0 or all(f.done() for f in self._out[0])):
            outcomes = [o for future in self._out.popleft() for o in future.result()]
            wait_for -= 1
            states = ledger.record(self.session, outcomes, self.clock(), max_age)
            self.on_batch(outcomes, states)


def deliver(dispatcher: Dispatcher) -> DeliveryError | None:
    """Send everything still waiting; returns the systemic failure that stopped sending."""
    dispatcher.drain()
    waiting = ledger.due_for_sending(dispatcher.session, dispatcher.clock())
    dispatcher.send(waiting)
    dispatcher.drain()
    return dispatcher.pool.systemic
