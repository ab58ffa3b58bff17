"""Jinja2 -> Rendered: subject, plain text and HTML for a digest, in the recipient's language.
The templates, their per-locale environments and the words worked out once per locale live
here; the values a digest gives its templates are built by `digest_context`.

One set of templates in templates/email/ (digest.subject.txt, digest.txt, digest.html), whose
words come from the message catalogs through reminder.i18n: one Jinja2 environment per
locale. Admins may point REMINDER_TEMPLATES_DIR at their own copies, which override the
built-in ones file by file (a file in its email/<locale>/ folder for that locale only), and
REMINDER_LOCALE_DIR at their own catalogs. Everything renders with StrictUndefined, in a sandbox
once an admin folder is in play; HTML is autoescaped, text and subject are not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache, partial
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)

from reminder import i18n
from reminder.config import Settings, reply_to
from reminder.digest import Digest
from reminder.digest_context import DeskLinks, Phrases, View, Words, digest_context
from reminder.errors import ConfigError
from reminder.errors import TemplateError as ReminderTemplateError
from reminder.links import Links, action_url, page_url
from reminder.mime import header_safe
from reminder.rules import REASONS
from reminder.template_limits import BoundedSandbox, check_subject, render_bounded

TEMPLATE_NAMES = ("digest.subject.txt", "digest.txt", "digest.html")
log = logging.getLogger("reminder.render")
STRINGS_TEMPLATE = "_strings.txt"


def builtin_templates_dir() -> Path:
    """The built-in templates: the package `reminder.templates`, which is the top-level
    templates/ folder mapped into the package (setup.py), found through importlib.resources
    in a checkout's editable install and in an installed wheel alike."""
    try:
        root = resources.files("reminder.templates")
    except ModuleNotFoundError:
        root = None
    if not isinstance(root, Path) or not (root / "email" / "digest.txt").is_file():
        raise ConfigError(
            f"the built-in templates are missing (package reminder.templates: {root}); "
            "reinstall reminder (in a checkout: pip install -e .)"
        )
    return root


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


class Renderer:
    def __init__(self, settings: Settings, catalogs: i18n.Catalogs | None = None) -> None:
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
        self.catalogs = catalogs or i18n.Catalogs(settings.locale_dir, settings.default_locale)
        # Locales with a catalog, and those an admin wrote templates for (email/<locale>/).
        self.locales = sorted(set(self.catalogs.locales) | set(self._template_locales()))
        self._envs: dict[str, Environment] = {}
        self._templates: dict[tuple[str, str], Any] = {}
        self._sections: dict[tuple[str, bool], dict[str, View]] = {}
        self._warned: set[str] = set()
        # What every digest's templates see the same way.
        self._constants = {
            "policy": View(**settings.policy.model_dump()),
            "evaluation_office": settings.evaluation_office,
            "reply_to": reply_to(settings),
        }
        self._phrase_makers: dict[str, Phrases] = {}
        # Desk links only when the desk has a public address (the key is then required).
        self.links = Links.from_settings(settings) if settings.web_base_url else None

    def _template_locales(self) -> list[str]:
        return [
            p.name
            for root in self.roots
            for p in (root / "email").iterdir()
            if p.is_dir() and not p.name.startswith("_") and i18n.is_known_locale(p.name)
        ]

    def locale_for(self, wanted: str | None) -> str:
        """The best available locale: exact, then language, then the default, then en.
        Template names are only ever built from this list, never from data."""
        for candidate in (wanted, i18n.language_of(wanted), self.settings.default_locale):
            if candidate and candidate in self.locales:
                if wanted and candidate not in (wanted, i18n.language_of(wanted)):
                    self._warn_fallback(wanted, candidate)
                return candidate
        if wanted:
            self._warn_fallback(wanted, i18n.SOURCE_LOCALE)
        return i18n.SOURCE_LOCALE

    def _warn_fallback(self, wanted: str, spoken: str) -> None:
        """A known locale without a catalog is written in another language: said once per
        renderer (a run), so it is never silent and never a line per digest."""
        if wanted not in self._warned:
            self._warned.add(wanted)
            log.warning("no message catalog for locale %r: its digests are in %r", wanted, spoken)

    def environment(self, locale: str) -> Environment:
        """The Jinja2 environment speaking `locale` (one of self.locales), made once."""
        env = self._envs.get(locale)
        if env is None:
            # The shipped templates are trusted; once an admin folder is in play, everything
            # renders in the sandbox (it is slower: every attribute access is checked).
            sandboxed = self.settings.templates_dir is not None
            loaders = [FileSystemLoader(str(root / "email")) for root in self.roots]
            limit = self.settings.max_message_bytes
            env = (partial(BoundedSandbox, limit) if sandboxed else Environment)(
                loader=ChoiceLoader(loaders),
                undefined=StrictUndefined,
                autoescape=select_autoescape(("html",), default_for_string=False),
                trim_blocks=True,
                lstrip_blocks=True,
                keep_trailing_newline=True,
            )
            i18n.install(env, locale, self.catalogs)
            self._envs[locale] = env
        return env

    def template(self, locale: str, name: str) -> Any:
        """An admin's email/<locale>/<name> if there is one, else the one set for all.
        Kept here: Jinja caches what it finds, not that email/<locale>/ has no such file."""
        found = self._templates.get((locale, name))
        if found is None:
            found = self.environment(locale).select_template([f"{locale}/{name}", name])
            self._templates[(locale, name)] = found
        return found

    def _phrases(self, locale: str) -> Phrases:
        """The phrase macros of _strings.txt (`when`, `recommendation`, `capacity`,
        `omitted_note`), each asked once per distinct value: a macro call per action, or a
        translated line per recommendation, in both bodies was a fifth of rendering, and
        importing _strings.txt into each body another tenth."""
        found = self._phrase_makers.get(locale)
        if found is None:
            strings = self.template(locale, STRINGS_TEMPLATE).make_module({})
            when, recommendation, capacity_of, omitted = (
                _macro(strings, name)
                for name in ("when", "recommendation", "capacity", "omitted_note")
            )

            def capacity(
                kind: str, stands_in_for: str | None, responsible: str, shared: tuple[str, ...]
            ) -> str:
                item = View(
                    capacity=kind,
                    stands_in_for=stands_in_for,
                    responsible_text=responsible,
                    shared_with=list(shared),
                )
                return str(capacity_of(item))

            found = Phrases(
                when=cached(lambda reason, days: str(when(View(days=days), reason))),
                recommendation=cached(
                    lambda label, text: str(recommendation(View(label=label, text=text)))
                ),
                capacity=cached(capacity),
                omitted_note=cached(lambda listed, left: str(omitted(listed, left))),
            )
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

    def _section_words(self, locale: str, for_office: bool) -> dict[str, View]:
        """Each section's heading and explanation (the `heading` and `why` macros), worked
        out once per locale rather than twice per section in every digest."""
        found = self._sections.get((locale, for_office))
        if found is None:
            strings = self.template(locale, STRINGS_TEMPLATE).make_module(
                {**self._constants, "for_office": for_office}
            )
            found = {
                reason: View(heading=str(strings.heading(reason)), why=str(strings.why(reason)))
                for reason in REASONS
            }
            self._sections[(locale, for_office)] = found
        return found

    def _words(self, locale: str, for_office: bool) -> Words:
        try:
            phrases = self._phrases(locale)
            sections = self._section_words(locale, for_office)
        except TemplateError as exc:
            raise ReminderTemplateError(f"{locale}: {STRINGS_TEMPLATE}: {exc}") from None
        status_name = self.environment(locale).filters["status_name"]
        return Words(locale, phrases, status_name, sections)

    def render(self, digest: Digest, as_of: date, now: datetime | None = None) -> Rendered:
        locale = self.locale_for(digest.locale)
        # Only the evaluation office's own digest explains escalation as the office.
        for_office = all(item.capacity == "office" for item in digest.items)
        words = self._words(locale, for_office)
        context = {
            **self._constants,
            **digest_context(digest, as_of, words, self._desk_links(digest, now)),
            "for_office": for_office,
        }
        subject, text, html = (self._render_one(locale, name, context) for name in TEMPLATE_NAMES)
        subject = header_safe(subject)
        if not subject:
            raise ReminderTemplateError(f"{locale}: digest.subject.txt rendered an empty subject")
        return Rendered(subject, text.strip() + "\n", html)

    def _render_one(self, locale: str, name: str, context: dict[str, Any]) -> str:
        """One template, bounded (template_limits); every failure names the template as
        `<locale>/<name>` (an admin's per-locale copy or the one set for all)."""
        template = self.template(locale, name)
        label = template.name if "/" in template.name else f"{locale}/{template.name}"
        try:
            output = render_bounded(template, context, self.settings.max_message_bytes)
            if name.endswith(".subject.txt"):
                check_subject(output)
            return output
        except TemplateError as exc:
            raise ReminderTemplateError(f"template {label}: {exc}") from None
        except (
            TypeError,
            ValueError,
            AttributeError,
            KeyError,
            ArithmeticError,
            MemoryError,
        ) as exc:
            # An admin template (or translation) doing something the data does not support.
            raise ReminderTemplateError(f"template {label}: {type(exc).__name__}: {exc}") from None


def _macro(strings: Any, name: str) -> Any:
    """A macro of _strings.txt, which an admin's copy may lack."""
    macro = getattr(strings, name, None)
    if macro is None:
        raise ReminderTemplateError(f"{STRINGS_TEMPLATE}: no `{name}` macro")
    return macro


def cached(phrase: Callable[..., str]) -> Callable[..., str]:
    return lru_cache(maxsize=4096)(phrase)
