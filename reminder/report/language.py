"""The language a report is written in: which shipped catalog speaks a wanted locale, and its
translations for the words the report's Python modules write (tables, charts)."""

from __future__ import annotations

from functools import lru_cache

from babel.support import Translations

from reminder import i18n


@lru_cache(maxsize=1)
def catalogs() -> i18n.Catalogs:
    """The shipped catalogs (the report does not read an admin's REMINDER_LOCALE_DIR yet)."""
    return i18n.Catalogs()


def spoken(locale: str | None) -> str:
    """The catalog's locale to write a report in for a wanted one: exact, then its language,
    then English."""
    return catalogs().best(locale or i18n.SOURCE_LOCALE)


def words(locale: str | None) -> Translations:
    """The translations the report is written with for a wanted locale."""
    return catalogs().translations(spoken(locale))
