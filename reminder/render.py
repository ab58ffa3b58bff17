"""Jinja2 -> Message: subject, plain text and HTML for a digest, in the recipient's language.

Templates live in templates/email/<locale>/ as a triplet (digest.subject.txt, digest.txt,
digest.html); admins may point REMINDER_TEMPLATES_DIR at their own copies, which override the
built-in ones file by file. Everything renders in a sandbox with StrictUndefined; HTML is
autoescaped, text and subject are not.
"""

from __future__ import annotations

import base64
import hashlib
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from babel import Locale
from babel.dates import format_date
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)
from jinja2.sandbox import SandboxedEnvironment

from reminder.config import Settings
from reminder.digest import Digest, DigestItem
from reminder.errors import ConfigError
from reminder.errors import TemplateError as ReminderTemplateError

TEMPLATE_NAMES = ("digest.subject.txt", "digest.txt", "digest.html")
_UNSAFE_HEADER = re.compile(r"[\x00-\x1f\x7f]")


def builtin_templates_dir() -> Path:
    """templates/ beside the package in a checkout, or installed under share/reminder."""
    candidates = [
        Path(__file__).resolve().parent.parent / "templates",
        Path(sys.prefix) / "share" / "reminder" / "templates",
    ]
    for candidate in candidates:
        if (candidate / "email" / "en" / "digest.txt").is_file():
            return candidate
    raise ConfigError(
        "the built-in templates are missing (looked in: " + ", ".join(map(str, candidates)) + ")"
    )


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def header_safe(value: str) -> str:
    """One line for a header: CR, LF and other controls become spaces, so data can never add a
    header (names and titles come from imported files)."""
    return " ".join(_UNSAFE_HEADER.sub(" ", value).split())


class Renderer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        roots = [builtin_templates_dir()]
        if settings.templates_dir is not None:
            if not settings.templates_dir.is_dir():
                raise ConfigError(
                    f"templates_dir (REMINDER_TEMPLATES_DIR): no such folder: "
                    f"{settings.templates_dir}"
                )
            roots.insert(0, settings.templates_dir)
        self.roots = roots
        # The shipped templates are trusted; once an admin folder is in play, everything
        # renders in the sandbox (it is slower: every attribute access is checked).
        environment = SandboxedEnvironment if settings.templates_dir is not None else Environment
        self.env = environment(
            loader=ChoiceLoader([FileSystemLoader(str(root / "email")) for root in roots]),
            undefined=StrictUndefined,
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self._phrase_makers: dict[str, Callable[[str, int], str]] = {}
        self.locales = sorted(
            {
                p.name
                for root in roots
                for p in (root / "email").iterdir()
                if p.is_dir() and not p.name.startswith("_")
            }
        )

    def locale_for(self, wanted: str | None) -> str:
        """The best available template locale: exact, then language, then the default, then en.
        Template names are only ever built from this list, never from data."""
        for candidate in (wanted, (wanted or "").split("_")[0], self.settings.default_locale, "en"):
            if candidate and candidate in self.locales:
                return candidate
        return self.locales[0]

    def _phrases(self, locale: str) -> Callable[[str, int], str]:
        """The `when` macro of the locale's _strings.txt ("overdue by 3 days"), asked once
        per (reason, days): a macro call per action in both bodies was a fifth of rendering."""
        found = self._phrase_makers.get(locale)
        if found is None:
            strings = self.env.get_template(f"{locale}/_strings.txt").make_module(
                {"plural": _plural_for(locale)}
            )
            when = getattr(strings, "when", None)
            if when is None:
                raise ReminderTemplateError(f"{locale}/_strings.txt: no `when` macro")
            found = lru_cache(maxsize=4096)(lambda reason, days: str(when(View(days=days), reason)))
            self._phrase_makers[locale] = found
        return found

    def render(self, digest: Digest, as_of: date) -> Rendered:
        locale = self.locale_for(digest.locale)
        try:
            phrase = self._phrases(locale)
        except TemplateError as exc:
            raise ReminderTemplateError(f"{locale}/_strings.txt: {exc}") from None
        context = _context(digest, as_of, locale, self.settings, phrase)
        try:
            subject, text, html = (
                self.env.get_template(f"{locale}/{name}").render(context) for name in TEMPLATE_NAMES
            )
        except TemplateError as exc:
            where = getattr(exc, "filename", None) or getattr(exc, "name", None) or locale
            raise ReminderTemplateError(f"{where}: {exc}") from None
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            # An admin template doing something the data does not support.
            raise ReminderTemplateError(
                f"{locale} templates: {type(exc).__name__}: {exc}"
            ) from None
        subject = header_safe(subject)
        if not subject:
            raise ReminderTemplateError(f"{locale}/digest.subject.txt rendered an empty subject")
        return Rendered(subject, text.strip() + "\n", html)


def _plural_for(locale: str) -> Any:
    rule = lru_cache(maxsize=1024)(Locale.parse(locale).plural_form)

    def plural(number: int, *forms: str) -> str:
        """plural(n, one, few, many, other) or plural(n, one, other), by the locale's rules."""
        category = rule(abs(number))
        order = ["one", "few", "many", "other"] if len(forms) == 4 else ["one", "other"]
        if category not in order:
            category = "other" if "other" in order else order[-1]
        return forms[order.index(category)]

    return plural


@lru_cache(maxsize=4096)
def _long_date(day: date, locale: str) -> str:
    """Babel's formatting is slow and digests repeat the same few dates: cache them."""
    return format_date(day, "long", locale=locale)


# Template values are attribute objects, not dicts: Jinja reaches `item.text` on an object
# directly, while on a dict it first fails getattr (an exception per lookup).
View = SimpleNamespace


def _item(item: DigestItem, locale: str, phrase: Callable[[str, int], str]) -> View:
    action = item.finding.action
    return View(
        when=phrase(item.finding.reason, item.finding.days),
        number=action.number,
        text=action.text,
        deadline_label=action.deadline_label,
        due=_long_date(action.due, locale) if action.due else None,
        days=item.finding.days,
        level=item.finding.milestone or 0,
        status=action.status_label,
        last_update=_long_date(action.last_update, locale),
        comments=action.comments or "",
        responsible_text=action.responsible_text,
        parties=item.parties,
        shared_with=item.shared_with,
        capacity=item.capacity,
        stands_in_for=item.stands_in_for,
    )


def _context(
    digest: Digest,
    as_of: date,
    locale: str,
    settings: Settings,
    phrase: Callable[[str, int], str],
) -> dict[str, Any]:
    sections = [
        View(
            reason=section.reason,
            count=len(section.items),
            evaluations=[
                View(
                    title=ev.title,
                    office=ev.office,
                    source_url=ev.source_url,
                    recommendations=[
                        View(
                            label=rec.label,
                            text=rec.text,
                            actions=[_item(item, locale, phrase) for item in rec.items],
                        )
                        for rec in ev.recommendations
                    ],
                )
                for ev in section.evaluations
            ],
        )
        for section in digest.sections
    ]
    # Counts are of everything due (the subject and summary say how much needs attention);
    # the sections list what fits, and `omitted` says how many more there are.
    counts = Counter(digest.counts) + Counter(digest.omitted)
    return {
        "recipient": View(name=digest.recipient.name, email=digest.recipient.email),
        "party_names": digest.party_names,
        "counts": View(
            **{
                reason: counts.get(reason, 0)
                for reason in ("escalation", "overdue", "due_soon", "stale", "no_deadline")
            }
        ),
        "listed": sum(digest.counts.values()),
        "omitted": sum(digest.omitted.values()),
        "sections": sections,
        "as_of": _long_date(as_of, locale),
        "policy": View(**settings.policy.model_dump()),
        "evaluation_office": settings.evaluation_office,
        # Only the evaluation office's own digest explains escalation as the office.
        "for_office": all(item.capacity == "office" for item in digest.items),
        "plural": _plural_for(locale),
    }


def message_id_for(recipient: str, digest_day: date, sender: str) -> str:
    """Stable for a (recipient, day): a retry or a resend carries the same Message-ID."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "reminder.localhost"
    token = hashlib.sha256(f"{recipient}|{digest_day.isoformat()}".encode()).hexdigest()[:20]
    return f"<digest.{digest_day:%Y%m%d}.{token}@{header_safe(domain)}>"


def _encoded(value: str) -> str:
    """A header value, RFC 2047-encoded when it is not ASCII, folded at 78 characters."""
    return Header(value, "utf-8" if not value.isascii() else "us-ascii", maxlinelen=78).encode(
        linesep="\r\n"
    )


def _address(name: str, address: str) -> str:
    return formataddr((header_safe(name), address), charset="utf-8")


_LONGEST_LINE = 998  # RFC 5322 section 2.1.1, without the CRLF


def _body_part(content_type: str, body: str) -> str:
    """A text part: as is (7bit) when it is ASCII with short lines, which most English
    digests are (a quarter smaller than base64, and no encoding work); base64 otherwise."""
    lines = body.split("\n")
    if (
        body.isascii()
        and "\r" not in body  # a CR from the data must survive: base64 keeps it
        and "\x00" not in body
        and all(len(line) <= _LONGEST_LINE for line in lines)
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
    """The whole multipart/alternative message, 7-bit clean with CRLF line ends, as stored in
    the ledger and handed to the relay. Built directly rather than through EmailMessage, which
    cost more than rendering the templates; every header value is checked to be one line."""
    sender_name, sender_address = parseaddr(settings.sender)
    if not sender_address:
        raise ConfigError(f"from (REMINDER_FROM): not an address: {settings.sender!r}")
    boundary = "=_digest_" + hashlib.sha256(message_id.encode()).hexdigest()[:24]
    headers = [
        ("From", _address(sender_name, sender_address)),
        ("To", _address(digest.recipient.name, digest.recipient.email)),
        ("Subject", _encoded(rendered.subject)),
        ("Date", format_datetime(now)),
        ("Message-ID", message_id),
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


# -- the monthly report's message: related images and an attachment ---------------------------
# Self-contained, so they can move to a MIME module with the rest.


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
