"""Console transport: prints each message to standard output (for trying things out)."""

from __future__ import annotations

import sys
from typing import TextIO

from reminder.delivery.base import Envelope


class ConsoleTransport:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, envelope: Envelope, following: Envelope | None = None) -> None:
        self.stream.write(envelope.data.decode("ascii", errors="replace").replace("\r\n", "\n"))
        self.stream.write("\n" + "=" * 72 + "\n")
        self.stream.flush()

    def close(self) -> None:
        pass
