"""The language a report is written in: which catalog speaks a wanted locale, and its
translations for the words the report's Python modules write (tables, charts)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.support import Translations

from reminder import i18n


@lru_cache(maxsize=4)
def catalogs(locale_dir: Path | None = None) -> i18n.Catalogs:
    """The shipped catalogs with an administrator's REMINDER_LOCALE_DIR on top, as the
    digests read them (its messages win; what it lacks comes from the shipped ones)."""
    return i18n.Catalogs(locale_dir)


def spoken(locale: str | None, locale_dir: Path | None = None) -> str:
    """The catalog's locale to write a report in for a wanted one: exact, then its language,
    then English."""
    return catalogs(locale_dir).best(locale or i18n.SOURCE_LOCALE)


def words(locale: str | None, locale_dir: Path | None = None) -> Translations:
    """The translations the report is written with for a wanted locale."""
    return catalogs(locale_dir).translations(spoken(locale, locale_dir))
