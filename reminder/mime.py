"""MIME: a rendered digest becomes the exact bytes stored in the ledger and handed to a relay.

Built by hand rather than through `email.message.EmailMessage`, which cost more than rendering
the templates: a fixed multipart/alternative layout, CRLF line ends, every header value
checked to be one line, 7-bit clean unless an address needs SMTPUTF8 (see `addresses`).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr, quote
from functools import lru_cache
from typing import TYPE_CHECKING

from reminder.addresses import mailbox
from reminder.config import Settings, reply_to
from reminder.errors import ConfigError
from reminder.errors import TemplateError as ReminderTemplateError

if TYPE_CHECKING:
    from reminder.digest import Digest
    from reminder.render import Rendered

_UNSAFE_HEADER = re.compile(r"[\x00-\x1f\x7f]")


def header_safe(value: str) -> str:
    """One line for a header: CR, LF and other controls become spaces, so data can never add a
    header (names and titles come from imported files)."""
    return " ".join(_UNSAFE_HEADER.sub(" ", value).split())


def message_id_for(recipient: str, digest_day: date, sender: str) -> str:
    """Stable for a (recipient, day): a retry or a resend carries the same Message-ID."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "reminder.localhost"
    token = hashlib.sha256(f"{recipient}|{digest_day.isoformat()}".encode()).hexdigest()[:20]
    return f"<digest.{digest_day:%Y%m%d}.{token}@{header_safe(domain)}>"


_FOLD_AT = 78


def _encoded(value: str) -> str:
    """A header value, RFC 2047-encoded when it is not ASCII, folded at 78 characters."""
    if value.isascii() and len(value) <= _FOLD_AT:
        return value  # what Header gives back for it, at a hundredth of the cost
    charset = "us-ascii" if value.isascii() else "utf-8"
    return Header(value, charset, maxlinelen=_FOLD_AT).encode(linesep="\r\n")


def _address(name: str, address: str) -> str:
    """`Name <address>`; the name RFC 2047-encoded when needed. An address whose local part is
    not ASCII stays UTF-8 (RFC 6532: such a message needs a relay with SMTPUTF8)."""
    box = mailbox(address)
    if not box.needs_smtputf8:
        return formataddr((header_safe(name), box.address), charset="utf-8")
    shown = header_safe(name)
    if not shown:
        return box.address
    return (
        f'"{quote(shown)}" <{box.address}>'
        if shown.isascii()
        else f"{_encoded(shown)} <{box.address}>"
    )


@lru_cache(maxsize=8)
def _from(sender: str) -> str:
    """The From header of `sender` (a setting: the same for every message of a run)."""
    name, address = parseaddr(sender)
    if not address:
        raise ConfigError(f"from (REMINDER_FROM): not an address: {sender!r}")
    return _address(name, address)


@lru_cache(maxsize=8)
def _reply_to(value: str) -> str:
    name, address = parseaddr(value)
    return _address(name, address)


@lru_cache(maxsize=8)
def _date(now: datetime) -> str:
    return format_datetime(now)  # a run's messages share its clock reading


_LONGEST_LINE = 998  # RFC 5322 section 2.1.1, without the CRLF


def _body_part(content_type: str, body: str) -> str:
    """A text part: as is (7bit) when it is ASCII with short lines, which most English
    digests are (a quarter smaller than base64, and no encoding work); base64 otherwise."""
    lines = body.split("\n")
    if (
        body.isascii()
        and "\r" not in body  # a CR from the data must survive: base64 keeps it
        and "\x00" not in body
        and max(map(len, lines)) <= _LONGEST_LINE  # not a generator: ~500 lines a digest
    ):
        # The CRLF before the next boundary belongs to the boundary, so one more ends the body.
        encoding, encoded = "7bit", "\r\n".join(lines) + "\r\n"
    else:
        encoding = "base64"
        encoded = base64.encodebytes(body.encode("utf-8")).decode("ascii").replace("\n", "\r\n")
    return (
        f'Content-Type: {content_type}; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n{encoded}"
    )


def build_message(
    rendered: Rendered, digest: Digest, settings: Settings, message_id: str, now: datetime
) -> str:
    """The whole multipart/alternative message with CRLF line ends, as stored in the ledger and
    handed to the relay; every header value is checked to be one line. Raises AddressError
    for an address no message can carry (that digest alone fails)."""
    boundary = "=_digest_" + hashlib.sha256(message_id.encode()).hexdigest()[:24]
    answer_to = reply_to(settings)
    headers = [
        ("From", _from(settings.sender)),
        ("To", _address(digest.recipient.name, digest.recipient.email)),
        ("Subject", _encoded(rendered.subject)),
        ("Date", _date(now)),
        ("Message-ID", message_id),
        *([("Reply-To", _reply_to(answer_to))] if answer_to else []),
        ("Auto-Submitted", "auto-generated"),
        ("X-Auto-Response-Suppress", "All"),
        ("List-Id", f"<{header_safe(settings.list_id)}>"),
        ("MIME-Version", "1.0"),
        ("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
    ]
    for name, value in headers:
        # Folding inserts CRLF + space; anything else would start a new header.
        if _UNSAFE_HEADER.search(value.replace("\r\n ", " ")):
            raise ReminderTemplateError(f"header {name} would span lines")
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return (
        f"{head}\r\n--{boundary}\r\n{_body_part('text/plain', rendered.text)}"
        f"--{boundary}\r\n{_body_part('text/html', rendered.html)}--{boundary}--\r\n"
    )


def build_notice(
    settings: Settings, to: str, subject: str, text: str, message_id: str, now: datetime
) -> str:
    """A plain-text service message (the office sign-in link), built like the digests: one-line
    headers checked, CRLF line ends."""
    sender_name, sender_address = parseaddr(settings.sender)
    headers = [
        ("From", _address(sender_name, sender_address)),
        ("To", _address("", to)),
        ("Subject", _encoded(header_safe(subject))),
        ("Date", format_datetime(now)),
        ("Message-ID", message_id),
        ("Auto-Submitted", "auto-generated"),
        ("MIME-Version", "1.0"),
    ]
    for name, value in headers:
        if _UNSAFE_HEADER.search(value.replace("\r\n ", " ")):
            raise ReminderTemplateError(f"header {name} would span lines")
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return head + _body_part("text/plain", text)


# -- the monthly report's message: related images and an attachment ---------------------------


def _base64_part(headers: list[tuple[str, str]], data: bytes) -> str:
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    encoded = base64.encodebytes(data).decode("ascii").replace("\n", "\r\n")
    return f"{head}Content-Transfer-Encoding: base64\r\n\r\n{encoded}"


def inline_image_part(content_id: str, filename: str, png: bytes) -> str:
    """A PNG that the HTML part shows as <img src="cid:CONTENT_ID">."""
    name = header_safe(filename)
    return _base64_part(
        [
            ("Content-Type", f'image/png; name="{name}"'),
            ("Content-ID", f"<{header_safe(content_id)}>"),
            ("Content-Disposition", f'inline; filename="{name}"'),
        ],
        png,
    )


def attachment_part(filename: str, content_type: str, data: bytes) -> str:
    name = header_safe(filename)
    return _base64_part(
        [
            ("Content-Type", f'{header_safe(content_type)}; name="{name}"'),
            ("Content-Disposition", f'attachment; filename="{name}"'),
        ],
        data,
    )


def _multipart(kind: str, boundary: str, parts: list[str], extra: str = "") -> str:
    """A multipart entity (its Content-Type header, a blank line, the parts)."""
    body = "".join(f"--{boundary}\r\n{part}" for part in parts)
    head = f'Content-Type: multipart/{kind}; boundary="{boundary}"{extra}\r\n\r\n'
    return f"{head}{body}--{boundary}--\r\n"


@dataclass(frozen=True)
class ReportMail:
    """What the report message says and carries; every field is data, never a header line."""

    recipient_name: str
    recipient: str
    subject: str
    text: str
    html: str
    images: list[tuple[str, str, bytes]]  # (content id, file name, PNG)
    attachment: tuple[str, str, bytes]  # (file name, content type, data)


def build_report_message(
    mail: ReportMail, settings: Settings, message_id: str, now: datetime
) -> str:
    """multipart/mixed: [multipart/related: [multipart/alternative: text, HTML], PNGs],
    attachment. 7-bit clean with CRLF line ends, like build_message."""
    sender_name, sender_address = parseaddr(settings.sender)
    if not sender_address:
        raise ConfigError(f"from (REMINDER_FROM): not an address: {settings.sender!r}")
    token = hashlib.sha256(message_id.encode()).hexdigest()[:24]
    alternative = _multipart(
        "alternative",
        f"=_alt_{token}",
        [_body_part("text/plain", mail.text), _body_part("text/html", mail.html)],
    )
    images = [inline_image_part(cid, name, png) for cid, name, png in mail.images]
    related = _multipart(
        "related", f"=_rel_{token}", [alternative, *images], '; type="multipart/alternative"'
    )
    headers = [
        ("From", _address(sender_name, sender_address)),
        ("To", _address(mail.recipient_name, mail.recipient)),
        ("Subject", _encoded(header_safe(mail.subject))),
        ("Date", format_datetime(now)),
        ("Message-ID", message_id),
        ("Auto-Submitted", "auto-generated"),
        ("X-Auto-Response-Suppress", "All"),
        ("List-Id", f"<{header_safe(settings.list_id)}>"),
        ("MIME-Version", "1.0"),
    ]
    for name, value in headers:
        if _UNSAFE_HEADER.search(value.replace("\r\n ", " ")):
            raise ReminderTemplateError(f"header {name} would span lines")
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    mixed = _multipart("mixed", f"=_mix_{token}", [related, attachment_part(*mail.attachment)])
    return head + mixed
