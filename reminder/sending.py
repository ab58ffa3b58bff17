"""Sending the waiting ledger rows: claimed in batches, handed to a small pool of transports
(one connection each, reused), outcomes written back per batch."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from reminder import ledger
from reminder.config import Settings
from reminder.delivery import Envelope, Transport, make_transport
from reminder.errors import DeliveryError

BATCH = 200


class TransportPool:
    """N worker threads, each with its own transport; a systemic failure stops them all."""

    def __init__(self, settings: Settings, factory: Callable[[Settings], Transport]) -> None:
        self.settings = settings
        self.factory = factory
        # The console prints whole messages: one at a time keeps them readable.
        self.size = 1 if settings.transport == "console" else settings.smtp_connections
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

    def _send(
        self, row: ledger.Claimed, sender: str, should_stop: Callable[[], bool]
    ) -> ledger.Outcome:
        if self.systemic is not None or should_stop():
            reason = str(self.systemic) if self.systemic is not None else None
            return ledger.Outcome(row, "released", reason)
        envelope = Envelope(
            sender,
            row.recipient,
            row.message_id,
            row.digest_day.isoformat(),
            row.payload.encode("ascii"),
        )
        try:
            self._transport().send(envelope)
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

    def send_all(
        self, rows: Sequence[ledger.Claimed], sender: str, should_stop: Callable[[], bool]
    ) -> list[ledger.Outcome]:
        return list(self.executor.map(lambda row: self._send(row, sender, should_stop), rows))

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        for transport in self.transports:
            transport.close()


def deliver(
    session: Session,
    settings: Settings,
    clock: Callable[[], datetime],
    *,
    on_batch: Callable[[list[ledger.Outcome], list[str]], None],
    should_stop: Callable[[], bool],
    keepalive: Callable[[], None],
    factory: Callable[[Settings], Transport] = make_transport,
) -> DeliveryError | None:
    """Send everything waiting; returns the systemic failure that stopped it, if any."""
    max_age = timedelta(hours=settings.retry_max_age_hours)
    waiting = ledger.due_for_sending(session, clock())
    pool = TransportPool(settings, factory)
    try:
        for start in range(0, len(waiting), BATCH):
            if should_stop() or pool.systemic is not None:
                break
            keepalive()
            rows = ledger.claim(session, waiting[start : start + BATCH], clock())
            outcomes = pool.send_all(rows, settings.sender_address, should_stop)
            states = ledger.record(session, outcomes, clock(), max_age)
            on_batch(outcomes, states)
    finally:
        pool.close()
    return pool.systemic
