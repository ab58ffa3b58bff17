"""PIPELINING (RFC 2920) against a real server that offers it: the benchmark's SMTP sink."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from reminder.config import load_settings
from reminder.delivery.base import Envelope
from reminder.delivery.smtp import SmtpTransport
from reminder.errors import DeliveryError
from tests.conftest import ROOT
from tests.smtp_server import free_port


@dataclass
class Sink:
    transport: SmtpTransport
    process: subprocess.Popen[str]

    def report(self) -> str:
        """Stop the sink; what it says it accepted ("accepted N messages, B bytes, R round
        trips")."""
        self.process.terminate()
        out, _ = self.process.communicate(timeout=10)
        return out


@pytest.fixture
def sink() -> Iterator[Sink]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "smtp_sink.py"), "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        settings = load_settings(smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none")
        yield Sink(SmtpTransport(settings), process)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)


def envelope(n: int, body: bytes, recipient: str = "p") -> Envelope:
    return Envelope("r@example.org", f"{recipient}{n}@example.org", f"<{n}@x>", "2027-01-15", body)


def test_pipelined_transactions_reuse_one_connection(sink: Sink) -> None:
    for n in range(3):
        body = f"Subject: {n}\r\n\r\n.a line that starts with a dot\r\nend\r\n".encode()
        sink.transport.send(envelope(n, body))
        assert sink.transport._smtp is not None and sink.transport._smtp.has_extn("pipelining")
    sink.transport.close()
    assert "accepted 3 messages" in sink.report()


def test_each_message_costs_one_round_trip_and_a_refused_one_does_not_stop_the_rest(
    sink: Sink,
) -> None:
    """Every body goes out with the next message's MAIL/RCPT/DATA behind it (RFC 2920 lets
    message content open a pipelined group); a refused recipient in the middle fails alone."""
    envelopes = [
        envelope(n, f"Subject: {n}\r\n\r\n.dot\r\nend\r\n".encode(), "reject" if n == 3 else "p")
        for n in range(8)
    ]
    results: list[str] = []
    for n, current in enumerate(envelopes):
        following = envelopes[n + 1] if n + 1 < len(envelopes) else None
        try:
            sink.transport.send(current, following)
            results.append("sent")
        except DeliveryError as exc:
            results.append(f"{'failed' if exc.permanent else 'deferred'}: {exc}")
    sink.transport.close()
    out = sink.report()
    assert results[:3] == ["sent"] * 3 and results[4:] == ["sent"] * 4
    assert results[3].startswith("failed: RCPT TO <reject3@example.org> refused: 550")
    assert "accepted 7 messages" in out
    # greeting, EHLO, the first MAIL/RCPT/DATA, one per body (with the next envelope), the
    # refused envelope's RSET and re-announced follower, QUIT; two per message without it
    round_trips = int(out.split(", ")[-1].split()[0])
    assert round_trips <= len(envelopes) + 5, out


def test_a_message_other_than_the_announced_one_is_sent_on_a_new_connection(
    sink: Sink,
) -> None:
    """If the caller stops after announcing the next message, nothing half-sent is delivered."""
    first, announced, other = (envelope(n, b"x\r\n") for n in range(3))
    sink.transport.send(first, announced)
    sink.transport.send(other)
    sink.transport.close()
    assert "accepted 2 messages" in sink.report()


def test_dot_stuffing_doubles_a_dot_at_the_start_of_every_line() -> None:
    from reminder.delivery.smtp import _dot_stuffed

    assert _dot_stuffed(b".a\r\nb\r\n..c\r\n.\r\nd.e\n.f") == b"..a\r\nb\r\n...c\r\n..\r\nd.e\n..f"
    assert _dot_stuffed(b"no dot here\r\n") == b"no dot here\r\n"
