"""PIPELINING (RFC 2920) against a real server that offers it: the benchmark's SMTP sink."""

from __future__ import annotations

import subprocess
import sys

from reminder.config import load_settings
from reminder.delivery.base import Envelope
from reminder.delivery.smtp import SmtpTransport
from reminder.errors import DeliveryError
from tests.conftest import ROOT
from tests.smtp_server import free_port


def test_pipelined_transactions_reuse_one_connection() -> None:
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "smtp_sink.py"), "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert sink.stdout is not None and sink.stdout.readline().strip() == "ready"
        transport = SmtpTransport(
            load_settings(smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none")
        )
        for n in range(3):
            body = f"Subject: {n}\r\n\r\n.a line that starts with a dot\r\nend\r\n".encode()
            transport.send(
                Envelope("r@example.org", f"p{n}@example.org", f"<{n}@x>", "2027-01-15", body)
            )
            assert transport._smtp is not None and transport._smtp.has_extn("pipelining")
        transport.close()
    finally:
        sink.terminate()
        out, _ = sink.communicate(timeout=10)
    assert "accepted 3 messages" in out


def test_each_message_costs_one_round_trip_and_a_refused_one_does_not_stop_the_rest() -> None:
    """Every body goes out with the next message's MAIL/RCPT/DATA behind it (RFC 2920 lets
    message content open a pipelined group); a refused recipient in the middle fails alone."""
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "smtp_sink.py"), "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    results: list[str] = []
    try:
        assert sink.stdout is not None and sink.stdout.readline().strip() == "ready"
        transport = SmtpTransport(
            load_settings(smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none")
        )
        envelopes = [
            Envelope(
                "r@example.org",
                f"{'reject' if n == 3 else 'p'}{n}@example.org",
                f"<{n}@x>",
                "2027-01-15",
                f"Subject: {n}\r\n\r\n.dot\r\nend\r\n".encode(),
            )
            for n in range(8)
        ]
        for n, envelope in enumerate(envelopes):
            following = envelopes[n + 1] if n + 1 < len(envelopes) else None
            try:
                transport.send(envelope, following)
                results.append("sent")
            except DeliveryError as exc:
                results.append(f"{'failed' if exc.permanent else 'deferred'}: {exc}")
        transport.close()
    finally:
        sink.terminate()
        out, _ = sink.communicate(timeout=10)
    assert results[:3] == ["sent"] * 3 and results[4:] == ["sent"] * 4
    assert results[3].startswith("failed: RCPT TO <reject3@example.org> refused: 550")
    assert "accepted 7 messages" in out
    # greeting, EHLO, the first MAIL/RCPT/DATA, one per body (with the next envelope), the
    # refused envelope's RSET and re-announced follower, QUIT
    round_trips = int(out.split(", ")[-1].split()[0])
    assert round_trips <= len(envelopes) + 5, out


def test_a_message_other_than_the_announced_one_is_sent_on_a_new_connection() -> None:
    """If the caller stops after announcing the next message, nothing half-sent is delivered."""
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "smtp_sink.py"), "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert sink.stdout is not None and sink.stdout.readline().strip() == "ready"
        transport = SmtpTransport(
            load_settings(smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none")
        )
        first, announced, other = (
            Envelope("r@example.org", f"p{n}@example.org", f"<{n}@x>", "2027-01-15", b"x\r\n")
            for n in range(3)
        )
        transport.send(first, announced)
        transport.send(other)
        transport.close()
    finally:
        sink.terminate()
        out, _ = sink.communicate(timeout=10)
    assert "accepted 2 messages" in out
