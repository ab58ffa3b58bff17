"""Sending queued ledger rows: N threads, each with its own transport (one connection, reused),
each message claimed just before it goes out and its outcome recorded as soon as it is known.

Before each message a thread asks the ledger writer (`ledger_writer`, a connection of its
own) to record its previous message's outcome and claim the next, in one commit shared with
the other threads waiting at that moment. So at most
one row per connection is `sending` at any moment, which is the whole crash window
(docs/architecture.md, "Delivery"). With PIPELINING the next message's MAIL/RCPT/DATA travel
behind each body; its own body only leaves after its claim is committed. The run's thread
only queues rows, renews the lock while it waits, and counts the outcomes.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import wait as wait_futures
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from reminder import ledger
from reminder.addresses import AddressError, mailbox
from reminder.config import Settings
from reminder.db import engine_of
from reminder.delivery import Envelope, Transport
from reminder.errors import DeliveryError, ReminderError
from reminder.ledger_writer import LedgerWriter

log = logging.getLogger("reminder.sending")

# Rows queued ahead of the senders, at most: bounds the messages held in memory.
QUEUE_AHEAD = 400
# How often the run's thread looks up from waiting, to renew the lock and count outcomes.
WAKE_SECONDS = 0.2
_END = None  # tells a sender thread that nothing more is coming


def envelope_for(row: ledger.Queued, sender: str) -> Envelope:
    box = mailbox(row.recipient)
    return Envelope(
        sender,
        box.address,
        row.message_id,
        row.digest_day.isoformat(),
        row.payload.encode("utf-8"),
        smtputf8=box.needs_smtputf8,
    )


class Sender:
    """Send rows handed to `send`; outcomes go to `on_outcome(outcome, state)` as recorded,
    always on the run's thread."""

    def __init__(
        self,
        session: Session,
        settings: Settings,
        clock: Callable[[], datetime],
        factory: Callable[[Settings], Transport],
        on_outcome: Callable[[ledger.Outcome, str], None],
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        self.settings = settings
        self.sender_address = settings.sender_address  # parsed once, not for every message
        self.factory = factory
        self.on_outcome = on_outcome
        self.should_stop = should_stop
        self.keepalive: Callable[[], None] = lambda: None  # the run lock's renewal
        self.systemic: DeliveryError | None = None
        self.aborted = False
        self.rows: queue.Queue[ledger.Queued | None] = queue.Queue()
        engine = engine_of(session)
        max_age = timedelta(hours=settings.retry_max_age_hours)
        self.writer = LedgerWriter(engine, clock, max_age, lambda: not self.stopped)
        # Connections are an SMTP matter. The outbox writes fast enough from one thread (more
        # only competed with planning for the CPU); the console prints whole messages, which
        # one at a time keeps readable.
        size = settings.smtp_connections if settings.transport == "smtp" else 1
        self.threads = [
            threading.Thread(target=self._sender, name=f"send-{n}", daemon=True)
            for n in range(size)
        ]
        for thread in self.threads:
            thread.start()

    @property
    def stopped(self) -> bool:
        return (
            self.aborted
            or self.systemic is not None
            or self.writer.failure is not None
            or self.should_stop()
        )

    # -- the run's thread -------------------------------------------------------------------
    def send(self, rows: list[ledger.Queued]) -> None:
        """Queue rows for the threads; wait while too many are ahead."""
        for row in rows:
            self.rows.put(row)
        self._wait_until(lambda: self.rows.qsize() <= QUEUE_AHEAD or self.stopped)

    def wait_for(self, future: Future[Any]) -> None:
        """Wait for `future` (planning in a worker process), keeping the lock and counting."""
        while not wait_futures([future], timeout=WAKE_SECONDS).done:
            self._looked_up()
        self._looked_up()

    def _wait_until(self, ready: Callable[[], bool]) -> None:
        """Wait until `ready()`, checked after each of the writer's commits (at least every
        WAKE_SECONDS)."""
        while not ready():
            self.writer.committed.wait(WAKE_SECONDS)
            self.writer.committed.clear()
            self._looked_up()

    def _looked_up(self) -> None:
        """Between waits: report the outcomes recorded, surface a failure of the writer, checkpoint
        when one is due, renew the lock."""
        for outcome, state in self.writer.drain():
            self.on_outcome(outcome, state)
        if self.writer.failure is not None:
            raise self.writer.failure
        self.writer.checkpoint_due()
        self.keepalive()

    def finish(self) -> None:
        """Let the threads send what is queued (or stop, if asked), recording every outcome."""
        for _ in self.threads:
            self.rows.put(_END)
        self._wait_until(lambda: not any(thread.is_alive() for thread in self.threads))
        self.writer.close()
        self._looked_up()

    def abort(self) -> None:
        """After a failure in the run's thread: stop the threads; the outcomes of the messages
        in flight are still recorded, nothing more is claimed."""
        self.aborted = True
        for _ in self.threads:
            self.rows.put(_END)
        for thread in self.threads:
            thread.join()
        self.writer.close()
        for outcome, state in self.writer.drain():
            self.on_outcome(outcome, state)

    # -- a sender thread --------------------------------------------------------------------
    def _next_row(self, block: bool) -> ledger.Queued | bool | None:
        """A row, _END, or False when none is queued right now (non-blocking)."""
        try:
            return self.rows.get(block=block)
        except queue.Empty:
            return False

    def _sender(self) -> None:
        transport: Transport | None = None
        outcome: ledger.Outcome | None = None
        current = self._next_row(block=True)
        try:
            while isinstance(current, ledger.Queued):
                following = self._next_row(block=False)
                if not self.writer.turn(outcome, current):
                    outcome = None  # taken by another run, or we are stopping
                    if self.stopped:
                        break
                else:
                    if transport is None:
                        transport = self._start_transport()
                    ahead = following if isinstance(following, ledger.Queued) else None
                    outcome = self._send_one(transport, current, ahead)
                current = following if following is not False else self._next_row(block=True)
            if outcome is not None:
                self.writer.turn(outcome, None)
        finally:
            if transport is not None:
                transport.close()

    def _start_transport(self) -> Transport | None:
        try:
            return self.factory(self.settings)
        except ReminderError as exc:
            self.systemic = self.systemic or DeliveryError(str(exc), permanent=False, systemic=True)
            return None

    def _ahead(self, following: ledger.Queued | None) -> Envelope | None:
        """The next message to announce behind this one; one that cannot be addressed is not
        announced (it fails on its own turn, not this row)."""
        try:
            return envelope_for(following, self.sender_address) if following else None
        except AddressError:
            return None

    def _send_one(
        self, transport: Transport | None, row: ledger.Queued, following: ledger.Queued | None
    ) -> ledger.Outcome:
        if transport is None or self.systemic is not None:
            return ledger.Outcome(row, "released", str(self.systemic))
        try:
            envelope = envelope_for(row, self.sender_address)
            transport.send(envelope, self._ahead(following))
        except AddressError as exc:
            return ledger.Outcome(row, "failed", str(exc))
        except DeliveryError as exc:
            if exc.systemic:
                self.systemic = self.systemic or exc
                kind = "deferred" if exc.maybe_delivered else "released"
                return ledger.Outcome(row, kind, str(exc), maybe_delivered=exc.maybe_delivered)
            kind = "failed" if exc.permanent else "deferred"
            return ledger.Outcome(row, kind, str(exc), maybe_delivered=exc.maybe_delivered)
        except ReminderError as exc:  # a transport that could not start (a secret, a folder)
            self.systemic = self.systemic or DeliveryError(str(exc), permanent=False, systemic=True)
            return ledger.Outcome(row, "released", str(exc))
        except Exception as exc:  # a bug: we cannot know whether the message left
            log.exception("sending to %s failed unexpectedly", row.recipient)
            self.systemic = self.systemic or DeliveryError(
                f"unexpected error: {exc!r}", permanent=False, systemic=True
            )
            return ledger.Outcome(row, "deferred", repr(exc), maybe_delivered=True)
        return ledger.Outcome(row, "sent")
