"""Jinja2 -> Message: subject, plain text and HTML for a digest, in the recipient's language.

Templates live in templates/email/<locale>/ as a triplet (digest.subject.txt, digest.txt,
digest.html); admins may point REMINDER_TEMPLATES_DIR at their own copies, which override the
built-in ones file by file. Everything renders in a sandbox with StrictUndefined; HTML is
autoescaped, text and subject are not.
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date
from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError, select_autoescape
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
        self.env = SandboxedEnvironment(
            loader=ChoiceLoader([FileSystemLoader(str(root / "email")) for root in roots]),
            undefined=StrictUndefined,
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
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

    def render(self, digest: Digest, as_of: date) -> Rendered:
        locale = self.locale_for(digest.locale)
        context = _context(digest, as_of, locale, self.settings)
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
    rule = Locale.parse(locale).plural_form

    def plural(number: int, *forms: str) -> str:
        """plural(n, one, few, many, other) or plural(n, one, other), by the locale's rules."""
        category = rule(abs(number))
        order = ["one", "few", "many", "other"] if len(forms) == 4 else ["one", "other"]
        if category not in order:
            category = "other" if "other" in order else order[-1]
        return forms[order.index(category)]

    return plural


def _item(item: DigestItem, locale: str) -> dict[str, Any]:
    action = item.finding.action
    return {
        "number": action.number,
        "text": action.text,
        "deadline_label": action.deadline_label,
        "due": format_date(action.due, "long", locale=locale) if action.due else None,
        "days": item.finding.days,
        "level": item.finding.milestone or 0,
        "status": action.status_label,
        "last_update": format_date(action.last_update, "long", locale=locale),
        "comments": action.comments or "",
        "responsible_text": action.responsible_text,
        "parties": item.parties,
        "shared_with": item.shared_with,
        "capacity": item.capacity,
        "stands_in_for": item.stands_in_for,
    }


def _context(digest: Digest, as_of: date, locale: str, settings: Settings) -> dict[str, Any]:
    sections = [
        {
            "reason": section.reason,
            "count": len(section.items),
            "evaluations": [
                {
                    "title": ev.title,
                    "office": ev.office,
                    "source_url": ev.source_url,
                    "recommendations": [
                        {
                            "label": rec.label,
                            "text": rec.text,
                            "actions": [_item(item, locale) for item in rec.items],
                        }
                        for rec in ev.recommendations
                    ],
                }
                for ev in section.evaluations
            ],
        }
        for section in digest.sections
    ]
    return {
        "recipient": {"name": digest.recipient.name, "email": digest.recipient.email},
        "party_names": digest.party_names,
        "counts": {
            reason: digest.counts.get(reason, 0)
            for reason in ("escalation", "overdue", "due_soon", "stale", "no_deadline")
        },
        "sections": sections,
        "as_of": format_date(as_of, "long", locale=locale),
        "policy": settings.policy.model_dump(),
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


def build_message(
    rendered: Rendered, digest: Digest, settings: Settings, message_id: str, now: datetime
) -> EmailMessage:
    """A multipart/alternative message; every header value is checked to be a single line."""
    # 7-bit transfer encodings: any relay accepts the stored bytes as they are.
    message = EmailMessage(policy=SMTP.clone(cte_type="7bit"))
    sender_name, sender_address = parseaddr(settings.sender)
    if not sender_address:
        raise ConfigError(f"from (REMINDER_FROM): not an address: {settings.sender!r}")
    message["From"] = Address(header_safe(sender_name), addr_spec=sender_address)
    message["To"] = Address(header_safe(digest.recipient.name), addr_spec=digest.recipient.email)
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message["List-Id"] = f"<{header_safe(settings.list_id)}>"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    for name, value in message.items():
        if _UNSAFE_HEADER.search(str(value)):
            raise ReminderTemplateError(f"header {name} would span lines")
    return message
