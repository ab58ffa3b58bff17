"""PIPELINING (RFC 2920) against a real server that offers it: the benchmark's SMTP sink."""

from __future__ import annotations

import subprocess
import sys

from reminder.config import load_settings
from reminder.delivery.base import Envelope
from reminder.delivery.smtp import SmtpTransport
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
