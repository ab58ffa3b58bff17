"""The Transport protocol: one `send(envelope)` method and one error type (DeliveryError)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Envelope:
    """A finished message and who it goes to; transports never touch the database."""

    sender: str  # bare address, for MAIL FROM
    recipient: str  # bare address, for RCPT TO
    message_id: str
    digest_day: str
    data: bytes  # the whole RFC 5322 message, exactly as stored in the ledger
    smtputf8: bool = False  # the recipient's local part is not ASCII (see reminder.addresses)


class Transport(Protocol):
    def send(self, envelope: Envelope, following: Envelope | None = None) -> None:
        """Hand over one message or raise DeliveryError saying whether retrying can help.
        `following` is the message this transport will be given next, if known: SMTP uses it
        to pipeline across messages; other transports ignore it."""

    def close(self) -> None:
        """Release connections; the transport may be used again afterwards."""
