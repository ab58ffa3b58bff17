"""Sending queued ledger rows: N threads, each with its own transport (one connection, reused),
each message claimed just before it goes out and its outcome recorded as soon as it is known.

The threads never touch the database: they ask the run's thread, which owns the session, to
record the previous message's outcome and claim the next one, in one small transaction (the
requests of all threads that are waiting go into the same commit). So at most one row per
connection is `sending` at any moment, which is the whole crash window (README "Delivery
guarantees"). With PIPELINING the next message's MAIL/RCPT/DATA travel behind each body; its
own body only leaves after its claim is committed.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from reminder import ledger
from reminder.addresses import AddressError, mailbox
from reminder.config import Settings
from reminder.delivery import Envelope, Transport
from reminder.errors import DeliveryError, ReminderError

log = logging.getLogger("reminder.sending")

# Rows queued ahead of the senders, at most: bounds the messages held in memory.
QUEUE_AHEAD = 400
_END = None  # tells a sender thread that nothing more is coming


@dataclass
class _Request:
    """One sender thread's turn: record `outcome`, then claim `claim`."""

    outcome: ledger.Outcome | None
    claim: ledger.Queued | None
    claimed: bool = False
    done: threading.Event = field(default_factory=threading.Event)


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
    """Send rows handed to `send`; outcomes go to `on_outcome(outcome, state)` as recorded."""

    def __init__(
        self,
        session: Session,
        settings: Settings,
        clock: Callable[[], datetime],
        factory: Callable[[Settings], Transport],
        on_outcome: Callable[[ledger.Outcome, str], None],
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        self.session = session
        self.settings = settings
        self.clock = clock
        self.factory = factory
        self.on_outcome = on_outcome
        self.should_stop = should_stop
        self.max_age = timedelta(hours=settings.retry_max_age_hours)
        self.keepalive: Callable[[], None] = lambda: None  # the run lock's renewal
        self.systemic: DeliveryError | None = None
        self.aborted = False
        self.rows: queue.Queue[ledger.Queued | None] = queue.Queue()
        self.requests: queue.Queue[_Request | None] = queue.Queue()
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
        return self.aborted or self.systemic is not None or self.should_stop()

    # -- the run's thread -------------------------------------------------------------------
    def send(self, rows: list[ledger.Queued]) -> None:
        """Queue rows for the threads, serving their requests while too many are ahead."""
        for row in rows:
            self.rows.put(row)
        self.serve_until(lambda: self.rows.qsize() <= QUEUE_AHEAD or self.stopped)

    def wait_for(self, future: Future[Any]) -> None:
        """Serve the threads until `future` is done (planning in a worker process)."""
        future.add_done_callback(lambda _: self.requests.put(None))  # wakes `serve` at once
        self.serve_until(future.done)

    def serve_until(self, ready: Callable[[], bool], wake: float = 0.2) -> None:
        """Record and claim for the threads until `ready()`; checked at least every `wake` s."""
        while not ready():
            self.serve(wake)
            self.keepalive()

    def serve(self, timeout: float) -> None:
        """Answer the requests waiting (after up to `timeout` s for the first) in one commit."""
        try:
            first = self.requests.get(timeout=timeout)
        except queue.Empty:
            return
        batch = [first]
        while True:
            try:
                batch.append(self.requests.get_nowait())
            except queue.Empty:
                break
        self._answer([request for request in batch if request is not None])

    def _answer(self, batch: list[_Request]) -> None:
        now = self.clock()
        try:
            states = []
            for request in batch:
                if request.outcome is not None:
                    state = ledger.record(self.session, request.outcome, now, self.max_age)
                    states.append((request.outcome, state))
                if request.claim is not None and not self.stopped:
                    request.claimed = ledger.claim(self.session, request.claim, now)
            self.session.commit()
        except BaseException:
            self.aborted = True  # the threads stop claiming; the caller rolls back
            raise
        finally:
            for request in batch:
                request.done.set()
        for outcome, state in states:
            self.on_outcome(outcome, state)

    def finish(self) -> None:
        """Let the threads send what is queued (or stop, if asked), recording every outcome."""
        for _ in self.threads:
            self.rows.put(_END)
        self.serve_until(lambda: not any(thread.is_alive() for thread in self.threads))
        self.serve(0)

    def abort(self) -> None:
        """After a failure in the run's thread: stop the threads, answering without claiming."""
        self.aborted = True
        for _ in self.threads:
            self.rows.put(_END)
        while any(thread.is_alive() for thread in self.threads):
            try:
                request = self.requests.get(timeout=0.2)
            except queue.Empty:
                continue
            if request is not None:
                request.done.set()

    # -- a sender thread --------------------------------------------------------------------
    def _turn(self, outcome: ledger.Outcome | None, claim: ledger.Queued | None) -> bool:
        request = _Request(outcome, claim)
        self.requests.put(request)
        request.done.wait()
        return request.claimed

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
                if not self._turn(outcome, current):
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
                self._turn(outcome, None)
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
            return envelope_for(following, self.settings.sender_address) if following else None
        except AddressError:
            return None

    def _send_one(
        self, transport: Transport | None, row: ledger.Queued, following: ledger.Queued | None
    ) -> ledger.Outcome:
        if transport is None or self.systemic is not None:
            return ledger.Outcome(row, "released", str(self.systemic))
        try:
            envelope = envelope_for(row, self.settings.sender_address)
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
