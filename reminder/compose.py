"""compose: one digest becomes one message, for the run and for `reminder preview` alike.

Rendering (templates) and MIME (headers and parts) happen here and nowhere else. A digest that
cannot be built for its recipient (an admin template that breaks or exceeds its bounds, an
address no message can carry) comes back with its reason instead of a message: that row alone
fails, everyone else's digest goes out (docs/architecture.md, "Delivery").
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from reminder import ledger
from reminder.addresses import AddressError
from reminder.config import Settings
from reminder.digest import Digest
from reminder.errors import ReminderError, TemplateError
from reminder.mime import build_message, message_id_for
from reminder.models import Delivery
from reminder.planning import DigestFinder
from reminder.render import Renderer


def compose(
    renderer: Renderer, settings: Settings, digest: Digest, now: datetime
) -> ledger.PlannedDigest:
    """The ledger row for `digest`: its message, or (`error`) why it cannot be built."""
    message_id = message_id_for(digest.recipient.email, digest.digest_day, settings.sender)
    subject, payload, error = "", "", None
    try:
        rendered = renderer.render(digest, digest.digest_day, now)
        subject = rendered.subject
        payload = build_message(rendered, digest, settings, message_id, now)
    except TemplateError as exc:
        error = str(exc)  # "template <locale>/<name>: ..."
    except AddressError as exc:
        error = f"cannot build the message: {exc}"
    return ledger.PlannedDigest(
        recipient=digest.recipient.email,
        name=digest.recipient.name,
        day=digest.digest_day,
        message_id=message_id,
        subject=subject,
        locale=renderer.locale_for(digest.locale),
        counts=digest.counts,
        payload=payload,
        items=[
            ledger.PlannedItem(i.action_id, i.finding.reason, i.finding.milestone)
            for i in digest.items
        ],
        error=error,
    )


@dataclass(frozen=True)
class Preview:
    recipient: str
    day: date
    message: str  # the whole message, as it is (or would be) sent
    stored_status: str | None = None  # set when today's digest is already in the ledger


def preview_message(
    session: Session, settings: Settings, address: str, as_of: date, now: datetime
) -> Preview | None:
    """What `address` receives on `as_of`: the stored message if the ledger has it, else the one
    a run would compose now; None when nothing is due. Raises for a digest that cannot be built."""
    address = address.strip().lower()
    stored = session.execute(
        select(Delivery.id, Delivery.status, Delivery.last_error).where(
            Delivery.recipient == address,
            Delivery.digest_day == as_of,
            Delivery.kind == "digest",
        )
    ).first()
    if stored is not None:
        payload = ledger.message_payloads(session, [stored.id]).get(stored.id)
        if payload is None:
            raise ReminderError(f"today's digest for {address} was not built: {stored.last_error}")
        return Preview(address, as_of, payload, stored.status)
    digest = DigestFinder(session, settings, as_of).digest_for(address)
    session.rollback()
    if digest is None:
        return None
    planned = compose(Renderer(settings), settings, digest, now)
    if planned.error is not None:
        raise ReminderError(f"{address}: {planned.error}")
    return Preview(address, as_of, planned.payload)


def message_part(message: str, form: str) -> str:
    """`text` (subject and plain body), `html`, or the whole message (`eml`), for printing."""
    if form == "eml":
        return message.replace("\r\n", "\n")
    parsed = email.message_from_string(message, policy=email.policy.default)
    part = parsed.get_body(("html",) if form == "html" else ("plain",))
    body = part.get_content() if part is not None else ""
    return f"Subject: {parsed['Subject']}\n\n{body}" if form == "text" else body
