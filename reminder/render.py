"""Jinja2 -> Rendered: subject, plain text and HTML for a digest, in the recipient's language.

Templates live in templates/email/<locale>/ as a triplet (digest.subject.txt, digest.txt,
digest.html); admins may point REMINDER_TEMPLATES_DIR at their own copies, which override the
built-in ones file by file. Everything renders in a sandbox with StrictUndefined; HTML is
autoescaped, text and subject are not.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache, partial
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

from reminder.config import Settings
from reminder.digest import Digest, DigestItem
from reminder.errors import ConfigError
from reminder.errors import TemplateError as ReminderTemplateError
from reminder.mime import header_safe
from reminder.template_limits import BoundedSandbox, check_subject, render_bounded

TEMPLATE_NAMES = ("digest.subject.txt", "digest.txt", "digest.html")


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
        limited = settings.templates_dir is not None
        environment = (
            partial(BoundedSandbox, settings.max_message_bytes) if limited else Environment
        )
        self.env: Environment = environment(
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
        subject, text, html = (
            self._render_one(f"{locale}/{name}", context) for name in TEMPLATE_NAMES
        )
        subject = header_safe(subject)
        if not subject:
            raise ReminderTemplateError(f"{locale}/digest.subject.txt rendered an empty subject")
        return Rendered(subject, text.strip() + "\n", html)

    def _render_one(self, name: str, context: dict[str, Any]) -> str:
        """One template, bounded (template_limits); every failure names the template."""
        try:
            output = render_bounded(
                self.env.get_template(name), context, self.settings.max_message_bytes
            )
            if name.endswith(".subject.txt"):
                check_subject(output)
            return output
        except TemplateError as exc:
            where = getattr(exc, "filename", None) or getattr(exc, "name", None) or name
            where = name if where.startswith("/") else where
            raise ReminderTemplateError(f"template {where}: {exc}") from None
        except (
            TypeError,
            ValueError,
            AttributeError,
            KeyError,
            ArithmeticError,
            MemoryError,
        ) as exc:
            # An admin template doing something the data does not support.
            raise ReminderTemplateError(f"template {name}: {type(exc).__name__}: {exc}") from None


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
