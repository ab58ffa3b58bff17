"""Outbox transport (the default): one .eml file per digest, written atomically."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from reminder.delivery.base import Envelope
from reminder.errors import DeliveryError


class OutboxTransport:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_for(self, envelope: Envelope) -> Path:
        # Named by day and recipient, so a resend of the same digest replaces the same file.
        local = "".join(c if c.isalnum() or c in "._-" else "_" for c in envelope.recipient)
        token = hashlib.sha256(envelope.message_id.encode()).hexdigest()[:8]
        return self.folder / f"{envelope.digest_day}_{local}_{token}.eml"

    def send(self, envelope: Envelope, following: Envelope | None = None) -> None:
        target = self.path_for(envelope)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                stream.write(envelope.data)
            os.replace(temporary, target)
        except OSError as exc:
            # A full disk or a missing permission affects every message: stop the batch.
            raise DeliveryError(
                f"cannot write {target}: {exc.strerror or exc}", permanent=False, systemic=True
            ) from None

    def close(self) -> None:
        pass
