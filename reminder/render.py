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
from datetime import UTC, date, datetime, time
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

from reminder.config import Settings, reply_to
from reminder.digest import Digest, DigestItem
from reminder.errors import ConfigError
from reminder.errors import TemplateError as ReminderTemplateError
from reminder.links import Links, action_url, page_url

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
        # Desk links only when the desk has a public address (the key is then required).
        self.links = Links.from_settings(settings) if settings.web_base_url else None
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

    def _desk_links(self, digest: Digest, now: datetime | None) -> DeskLinks | None:
        """The recipient's signed desk links, issued `now` (the run's clock)."""
        base = self.settings.web_base_url
        if self.links is None or base is None:
            return None
        issued = now or datetime.combine(digest.digest_day, time(), UTC)
        token = self.links.issue_at(digest.recipient.email, issued)
        return DeskLinks(
            page_url(base, token), lambda action_id: action_url(base, token, action_id)
        )

    def render(self, digest: Digest, as_of: date, now: datetime | None = None) -> Rendered:
        locale = self.locale_for(digest.locale)
        try:
            phrase = self._phrases(locale)
        except TemplateError as exc:
            raise ReminderTemplateError(f"{locale}/_strings.txt: {exc}") from None
        context = _context(digest, as_of, locale, self.settings, phrase)
        links = self._desk_links(digest, now)
        context["page_url"] = links.page if links else None
        for section in context["sections"]:
            for evaluation in section.evaluations:
                for rec in evaluation.recommendations:
                    for item in rec.actions:
                        item.update_url = links.action(item.id) if links else None
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
        id=action.id,
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
        chase=[
            View(
                name=c.name,
                email=c.email,
                last=_long_date(c.last_reminded, locale) if c.last_reminded else None,
            )
            for c in item.chase
        ],
        revised_from=action.original_deadline_label,
        update_url=None,
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
        "reply_to": reply_to(settings),
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


def _reply_to(settings: Settings) -> str:
    name, address = parseaddr(reply_to(settings) or "")
    return _address(name, address)


@dataclass(frozen=True)
class DeskLinks:
    page: str
    action: Callable[[int], str]


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
        *([("Reply-To", _reply_to(settings))] if reply_to(settings) else []),
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
    headers checked, 7-bit clean, CRLF line ends."""
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
