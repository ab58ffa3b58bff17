"""A real SMTP server on loopback (aiosmtpd) whose replies a test can script."""

from __future__ import annotations

import asyncio
import random
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def _open_gate() -> threading.Event:
    gate = threading.Event()
    gate.set()
    return gate


@dataclass
class Recorder:
    """Accepts everything unless told otherwise; keeps what it received."""

    received: list[EmailMessage] = field(default_factory=list)
    rcpt_replies: dict[str, str] = field(default_factory=dict)  # address -> reply to RCPT
    drop_after_data: set[str] = field(default_factory=set)  # store, then hang up, no reply
    # A relay the test holds: DATA is answered only while `gate` is set (close it with
    # `gate.clear()`); `in_data` is set when a message arrives, so the test knows the sender
    # is inside its run, waiting for the reply.
    gate: threading.Event = field(default_factory=_open_gate)
    in_data: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # A relay the test holds: with `hold`, each message is stored, announced on `arrived`, and
    # answered only when the test gives a permit (`let_through`), so a test can act (signal,
    # kill) while a known message waits for its reply, without sleeping.
    hold: bool = False
    arrived: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))
    permits: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))

    def let_through(self, count: int = 1) -> None:
        self.permits.release(count)

    def open_gate(self) -> None:
        """Stop holding: answer every held and later message at once."""
        self.hold = False
        self.permits.release(10_000)

    def wait_arrival(self, timeout: float = 120.0, process: Any = None) -> None:
        """Until the next message arrives; fails at once if `process` (the sender) has died."""
        waited = 0.0
        while not self.arrived.acquire(timeout=0.5):
            waited += 0.5
            if process is not None and process.poll() is not None:
                output = process.stderr.read() if process.stderr else ""
                raise AssertionError(f"the sender exited {process.returncode}: {output}")
            if waited >= timeout:
                raise AssertionError("no message reached the SMTP server in time")

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:  # fmt: skip
        reply = self.rcpt_replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.in_data.set()
        if not self.gate.is_set():
            # Wait in a worker thread, so the event loop keeps serving other connections.
            await asyncio.get_running_loop().run_in_executor(None, self.gate.wait)
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.received.append(message)  # type: ignore[arg-type]
        self.arrived.release()
        if self.hold:
            await asyncio.get_running_loop().run_in_executor(None, self.permits.acquire)
        if set(envelope.rcpt_tos) & self.drop_after_data:
            server.transport.close()
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.received]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.received if address in str(m["To"])]


def _ephemeral_floor() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as ranges:
            return int(ranges.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A loopback port nobody holds, chosen *below* the kernel's ephemeral range.

    A port the kernel handed out (bind to 0) is released before the server under test binds
    it, and meanwhile any outgoing connection (the run's own SMTP client) may be given the
    same number as its local port: CI saw `serve` fail with EADDRINUSE that way. Ports below
    the ephemeral range are never handed to outgoing connections.
    """
    floor = _ephemeral_floor()
    chooser = random.Random()  # seeded from the OS: parallel test processes rarely collide
    for _ in range(200):
        port = chooser.randrange(max(1024, floor - 12000), floor)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port below the ephemeral range")


def _refuse_everyone(server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> AuthResult:  # fmt: skip
    return AuthResult(success=False, handled=False)


@contextmanager
def smtp_server(
    *, refuse_login: bool = False, smtputf8: bool = False
) -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder()
    port = free_port()
    options: dict[str, Any] = {"enable_SMTPUTF8": smtputf8}
    if refuse_login:
        options.update(authenticator=_refuse_everyone, auth_require_tls=False)
    controller = Controller(recorder, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield recorder, port
    finally:
        recorder.gate.set()  # let a held DATA finish, or stopping would wait for it forever
        recorder.open_gate()  # no handler left waiting for a permit
        controller.stop()
