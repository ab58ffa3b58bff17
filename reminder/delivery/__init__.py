"""Delivery backends, chosen by settings.transport."""

from __future__ import annotations

from reminder.config import Settings
from reminder.delivery.base import Envelope, Transport
from reminder.delivery.console import ConsoleTransport
from reminder.delivery.outbox import OutboxTransport
from reminder.delivery.smtp import SmtpTransport

__all__ = ["Envelope", "Transport", "make_transport"]


def make_transport(settings: Settings) -> Transport:
    if settings.transport == "smtp":
        return SmtpTransport(settings)
    if settings.transport == "console":
        return ConsoleTransport()
    return OutboxTransport(settings.outbox_dir)
