"""The shipped message catalogs: every message a template uses is there, translated and not
fuzzy; placeholders match; the compiled .mo files are in step with the .po sources; plural
forms and long dates are right in each language."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from reminder import i18n

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "fr", "es", "ru")
NUMBERS = (0, 1, 2, 5, 21, 22, 25, 111)


def _used_messages() -> set[tuple[str | None, str]]:
    """What `make i18n` extracts, with the same babel.cfg: every template and module."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    used = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, directory_filter=lambda d: ".venv" not in d
    ):
        used.add((context, message if isinstance(message, str) else message[0]))
    return used


USED = _used_messages()


def _catalog(locale: str) -> Catalog:
    with (i18n.SHIPPED_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=locale)


def test_templates_use_catalog_messages_at_all() -> None:
    # A guard for the guard: extraction finds the digest's words and the status names.
    assert (None, "Overdue") in USED and ("status", "Initiated") in USED
    assert len(USED) > 40


def catalog_problems(catalog: Catalog, locale: str) -> list[str]:
    """Messages the templates use that the catalog lacks, leaves fuzzy, or does not translate
    in every plural form (English, the source language, may leave them empty)."""
    problems = []
    for context, msgid in sorted(USED, key=str):
        message = catalog.get(msgid, context=context)
        if message is None:
            problems.append(f"missing: {msgid!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif locale != i18n.SOURCE_LOCALE:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            forms = catalog.num_plurals if message.pluralizable else 1
            if not all(strings) or len(strings) != forms:
                problems.append(f"untranslated: {msgid!r}")
    return problems


@pytest.mark.parametrize("locale", LANGUAGES)
def test_every_used_message_is_in_the_catalog_translated_and_not_fuzzy(locale: str) -> None:
    assert catalog_problems(_catalog(locale), locale) == []


def test_a_missing_fuzzy_or_empty_message_is_caught() -> None:
    catalog = _catalog("fr")
    catalog.get("Overdue").flags.add("fuzzy")
    catalog.delete("Due soon")
    catalog.get("due today").string = ""
    assert catalog_problems(catalog, "fr") == [
        "missing: 'Due soon'",
        "fuzzy: 'Overdue'",
        "untranslated: 'due today'",
    ]


@pytest.mark.parametrize("locale", LANGUAGES)
def test_placeholders_of_every_translation_match(locale: str) -> None:
    """Babel's checks: a %(name)s in a msgid must be in its msgstr, and no stranger."""
    errors = [(m.id, [str(e) for e in errs]) for m, errs in _catalog(locale).check()]
    assert errors == []


@pytest.mark.parametrize("locale", LANGUAGES)
def test_compiled_catalog_is_in_step_with_its_source(locale: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(locale))
    compiled.seek(0)
    fresh = Translations(compiled)
    shipped = i18n.read_catalog(i18n.SHIPPED_DIR / locale / "LC_MESSAGES" / "messages.mo")
    assert shipped._catalog == fresh._catalog, "run `make i18n` and commit the .mo files"


PLURALS = {
    "en": ["0 days", "1 day", "2 days", "5 days", "21 days", "22 days", "25 days", "111 days"],
    "fr": [
        "0 jour",
        "1 jour",
        "2 jours",
        "5 jours",
        "21 jours",
        "22 jours",
        "25 jours",
        "111 jours",
    ],
    "es": ["0 días", "1 día", "2 días", "5 días", "21 días", "22 días", "25 días", "111 días"],
    "ru": ["0 дней", "1 день", "2 дня", "5 дней", "21 день", "22 дня", "25 дней", "111 дней"],
}
OVERDUE_BY = {
    "en": "overdue by {}",
    "fr": "en retard de {}",
    "es": "con {} de retraso",
    "ru": "просрочено на {}",
}
DUE_IN = {"en": "due in {}", "fr": "dans {}", "es": "vence en {}", "ru": "осталось {}"}


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("index", range(len(NUMBERS)))
def test_plural_forms_for_the_numbers_that_trip_languages_up(locale: str, index: int) -> None:
    """0 is singular in French, 21 singular and 22 'few' in Russian, 111 plural everywhere."""
    n = NUMBERS[index]
    translations = i18n.Catalogs().translations(locale)
    days = PLURALS[locale][index]
    assert translations.ngettext("%(num)s day", "%(num)s days", n) % {"num": n} == days
    overdue = translations.ngettext("overdue by %(num)s day", "overdue by %(num)s days", n)
    assert overdue % {"num": n} == OVERDUE_BY[locale].format(days)
    due = translations.ngettext("due in %(num)s day", "due in %(num)s days", n)
    expected = DUE_IN[locale].format(days)
    if locale == "ru" and days.endswith(" день"):  # the verb agrees: "остался 21 день"
        expected = expected.replace("осталось", "остался")
    assert due % {"num": n} == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "January 15, 2027"),
        ("fr", "15 janvier 2027"),
        ("es", "15 de enero de 2027"),
        ("ru", "15 января 2027\u202fг."),  # CLDR: a narrow no-break space
    ],
)
def test_dates_take_each_locales_long_form(locale: str, expected: str) -> None:
    assert i18n.long_date(date(2027, 1, 15), locale) == expected


@pytest.mark.parametrize(
    ("locale", "names"),
    [
        ("en", ["Not initiated", "Initiated", "Completed", "No longer applicable", "Open"]),
        ("fr", ["Non initiée", "Initiée", "Achevée", "Sans objet", "Ouverte"]),
        ("es", ["No iniciada", "Iniciada", "Completada", "Ya no aplicable", "Abierta"]),
        ("ru", ["Не начато", "Начато", "Выполнено", "Больше не применимо", "Открыто"]),
    ],
)
def test_status_names_in_each_language(locale: str, names: list[str]) -> None:
    name = i18n.status_namer(i18n.Catalogs().translations(locale))
    codes = ["not_initiated", "initiated", "completed", "no_longer_applicable", "open"]
    assert [name(code) for code in codes] == names
