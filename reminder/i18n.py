"""Translations: the gettext catalogs shipped in reminder/locale/ (and an admin's overrides),
given to Jinja2 environments, plus Babel's dates and numbers for a locale.

Every page and message that speaks to a person gets its words here: build one Jinja2
environment per locale and call `install(env, locale, catalogs)`; templates then use
`{% trans %}`, `_()`, `ngettext()` and the `long_date`, `number` and `status_name` filters.
English is the source language: a message with no translation is shown as written.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal
from babel.support import Translations
from jinja2 import Environment, pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup, escape

from reminder.errors import ConfigError

DOMAIN = "messages"
SOURCE_LOCALE = "en"
SHIPPED_DIR = Path(__file__).resolve().parent / "locale"
I18N_EXTENSION = "jinja2.ext.InternationalizationExtension"


def _catalog_file(folder: Path, locale: str) -> Path | None:
    """<folder>/<locale>/LC_MESSAGES/messages.mo, else the .po beside it (an admin may edit
    a .po and skip compiling), else None."""
    base = folder / locale / "LC_MESSAGES" / DOMAIN
    for suffix in (".mo", ".po"):
        if base.with_suffix(suffix).is_file():
            return base.with_suffix(suffix)
    return None


def _locales_in(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    return {p.name for p in folder.iterdir() if _catalog_file(folder, p.name) is not None}


def read_catalog(path: Path) -> Translations:
    """A compiled (.mo) or source (.po) catalog; fuzzy entries of a .po are left out, as
    compiling would. A broken file is a ConfigError naming it."""
    from babel.messages.mofile import write_mo  # only an admin's .po needs these
    from babel.messages.pofile import read_po

    try:
        if path.suffix == ".po":
            with path.open("rb") as source:
                catalog = read_po(source, abort_invalid=True)
            compiled = io.BytesIO()
            write_mo(compiled, catalog, use_fuzzy=False)
            compiled.seek(0)
            return Translations(compiled, domain=DOMAIN)
        with path.open("rb") as fp:
            return Translations(fp, domain=DOMAIN)
    except (OSError, ValueError, SyntaxError) as exc:
        raise ConfigError(f"{path}: not a readable message catalog: {exc}") from None


class Catalogs:
    """The message catalogs of every language we can speak: shipped, then an admin's
    REMINDER_LOCALE_DIR on top (its messages win; what it lacks comes from the shipped one)."""

    def __init__(self, locale_dir: Path | None = None, default_locale: str = SOURCE_LOCALE):
        if locale_dir is not None and not locale_dir.is_dir():
            raise ConfigError(f"locale_dir (REMINDER_LOCALE_DIR): no such folder: {locale_dir}")
        self.locale_dir = locale_dir
        self.default_locale = default_locale
        self.shipped = sorted(_locales_in(SHIPPED_DIR))
        self.overridden = sorted(_locales_in(locale_dir)) if locale_dir else []
        self.locales = sorted(set(self.shipped) | set(self.overridden))
        self._loaded: dict[str, Translations] = {}

    def best(self, wanted: str | None) -> str:
        """The catalog to speak for a wanted locale: exact (ru_KG), then its language (ru),
        then the default locale's, then English. Only ever one of `self.locales`."""
        for candidate in (wanted, language_of(wanted), self.default_locale, SOURCE_LOCALE):
            if candidate and candidate in self.locales:
                return candidate
            if candidate and language_of(candidate) in self.locales:
                return language_of(candidate)
        return SOURCE_LOCALE

    def translations(self, locale: str) -> Translations:
        """The merged translations of one of `self.locales` (English for any other)."""
        found = self._loaded.get(locale)
        if found is None:
            found = Translations()  # no catalog: the English of the templates themselves
            shipped = _catalog_file(SHIPPED_DIR, locale)
            if shipped is not None:
                found = read_catalog(shipped)
            admin = _catalog_file(self.locale_dir, locale) if self.locale_dir else None
            if admin is not None:
                override = read_catalog(admin)
                override.add_fallback(found)
                found = override
            self._loaded[locale] = found
        return found


def language_of(locale: str | None) -> str:
    return (locale or "").replace("-", "_").split("_")[0]


def is_known_locale(locale: str) -> bool:
    try:
        Locale.parse(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return False
    return True


def fallback_warnings(catalogs: Catalogs, wanted: dict[str, str]) -> list[str]:
    """One line per wanted locale ({where it comes from: locale}) that has no catalog and so
    falls back to another language."""
    warnings = []
    for where, locale in wanted.items():
        spoken = catalogs.best(locale)
        if language_of(spoken) != language_of(locale):
            warnings.append(
                f"{where}: no message catalog for {locale!r}, so its digests are written in "
                f"{spoken!r} (catalogs: {', '.join(catalogs.locales)}; add one under "
                "REMINDER_LOCALE_DIR, see README.md, Languages)"
            )
    return warnings


def settings_warnings(locale_dir: Path | None, default_locale: str) -> list[str]:
    """What `config check` says about languages (a missing locale_dir is a ConfigError)."""
    catalogs = Catalogs(locale_dir, default_locale)
    return fallback_warnings(catalogs, {"default_locale (REMINDER_DEFAULT_LOCALE)": default_locale})


@lru_cache(maxsize=4096)
def long_date(day: date, locale: str) -> str:
    """The locale's long date ("15 janvier 2027"); cached, as Babel is slow and digests
    repeat the same few dates."""
    return format_date(day, "long", locale=locale)


@lru_cache(maxsize=4096)
def number(value: int | float, locale: str) -> str:
    """A number with the locale's grouping ("1 234" in French, "1,234" in English)."""
    return format_decimal(value, locale=locale)


def status_namer(translations: Translations) -> Callable[[str], str]:
    """Status code -> its name in the language (the written label stays in the data)."""
    names: dict[str, object] = {
        "not_initiated": translations.pgettext("status", "Not initiated"),
        "initiated": translations.pgettext("status", "Initiated"),
        "completed": translations.pgettext("status", "Completed"),
        "no_longer_applicable": translations.pgettext("status", "No longer applicable"),
        # Labels such as "Ongoing" or "Pending" only say the action is not closed.
        "open": translations.pgettext("status", "Open"),
    }
    return lambda code: str(names.get(code, code))


def _filled(autoescape: bool, text: str, variables: dict[str, Any]) -> str:
    """A translation with its variables, as Jinja's newstyle gettext does it: always
    %-formatted; when autoescaping, the translation is trusted markup and the values are
    escaped (numbers stay numbers, for %d). markupsafe's Markup.__mod__ does the same through
    a Python helper per value, which was most of a digest's rendering time."""
    if not variables and "%" not in text:  # most strings: nothing to fill in
        return Markup(text) if autoescape else text
    if not autoescape:
        return text % variables
    escaped = {
        name: value if isinstance(value, int | float) else escape(value)
        for name, value in variables.items()
    }
    return Markup(text % escaped)


def _newstyle_callables(translations: Translations) -> dict[str, Callable[..., str]]:
    """Jinja's newstyle gettext, ngettext, pgettext and npgettext (and `_`) calling the
    catalog directly: Jinja's own wrappers pass each message through Context.call two or
    three times."""

    @pass_eval_context
    def gettext(eval_ctx: EvalContext, message: str, **variables: Any) -> str:
        return _filled(eval_ctx.autoescape, translations.gettext(message), variables)

    @pass_eval_context
    def ngettext(
        eval_ctx: EvalContext, singular: str, plural: str, n: int, **variables: Any
    ) -> str:
        variables.setdefault("num", n)
        text = translations.ngettext(singular, plural, n)
        return _filled(eval_ctx.autoescape, text, variables)

    @pass_eval_context
    def pgettext(eval_ctx: EvalContext, context: str, message: str, **variables: Any) -> str:
        variables.setdefault("context", context)
        text = translations.pgettext(context, message)
        return _filled(eval_ctx.autoescape, str(text), variables)

    @pass_eval_context
    def npgettext(
        eval_ctx: EvalContext, context: str, singular: str, plural: str, n: int, **variables: Any
    ) -> str:
        variables.setdefault("context", context)
        variables.setdefault("num", n)
        text = translations.npgettext(context, singular, plural, n)
        return _filled(eval_ctx.autoescape, text, variables)

    return {
        "gettext": gettext,
        "_": gettext,
        "ngettext": ngettext,
        "pgettext": pgettext,
        "npgettext": npgettext,
    }


def install(env: Environment, locale: str, catalogs: Catalogs) -> None:
    """Give `env` the words of `locale`: the i18n extension with newstyle gettext (variables
    autoescaped, plural forms from the catalog) and the locale's formatting filters.
    One environment per locale: the translations are the environment's globals."""
    if I18N_EXTENSION not in env.extensions:
        env.add_extension("jinja2.ext.i18n")
    # Whitespace inside {% trans %} collapses, so msgids read as one line (babel.cfg agrees).
    env.policies["ext.i18n.trimmed"] = True
    translations = catalogs.translations(locale)
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(_newstyle_callables(translations))
    env.filters["long_date"] = lambda day: long_date(day, locale)
    env.filters["number"] = lambda value: number(value, locale)
    env.filters["status_name"] = status_namer(translations)
    env.globals["locale"] = locale
    env.globals["html_lang"] = locale.replace("_", "-")
