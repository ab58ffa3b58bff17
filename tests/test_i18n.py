"""One template set, four languages: each digest speaks its language (headings, statuses,
plurals, dates); no English hides outside the catalogs; admins can override a catalog or add
a language; any Jinja2 environment gets its words from reminder.i18n."""

from __future__ import annotations

import gettext
import html
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po
from babel.support import Translations
from jinja2 import Environment, StrictUndefined

from reminder import i18n
from reminder.cli import main
from reminder.config import load_settings
from reminder.render import Renderer
from reminder.template_check import SAMPLE_DAY, check_all, sample_digest

NB = "\u00a0"
# What each language must say in the sample digest (1 escalated, 13 overdue of which 1 listed,
# due in 7 days and today, stale for 228 days, 15 not listed, 21 due in all).
EXPECTED = {
    "en": {
        "subject": "1 escalated, 13 overdue, 2 due soon, 1 to confirm, 4 without a deadline: "
        "key actions for UN Women",
        "text": [
            "== Escalated to you (1) ==",
            "== Overdue (1) ==",
            "== Due soon (2) ==",
            "== Please confirm the status (1) ==",
            "== Needs a deadline (1) ==",
            "Deadline: 2026/11 - overdue by 46 days",
            "due in 7 days",
            "due today",
            "no update for 228 days",
            "Status: Initiated (last update June 1, 2026)",
            "This digest lists the 6 most urgent of 21 key actions. The other 15 are not",
        ],
    },
    "fr": {
        # header_safe() makes every space of a subject a plain one
        "subject": "1 remontée, 13 en retard, 2 à échéance proche, 1 à confirmer, 4 sans "
        "échéance : actions clés pour UN Women",
        "text": [
            "== Remontées à votre niveau (1) ==",
            "== En retard (1) ==",
            "== Échéance proche (2) ==",
            "== Statut à confirmer (1) ==",
            "== Échéance à fixer (1) ==",
            f"Échéance{NB}: 2026/11 - en retard de 46 jours",
            "dans 7 jours",
            "pour aujourd’hui",
            "sans mise à jour depuis 228 jours",
            f"Statut{NB}: Initiée (dernière mise à jour le 1 juin 2026)",
            "présente les 6 plus urgentes sur 21 actions clés. Les 15 autres",
            "(au 15 janvier 2027)",
        ],
    },
    "es": {
        "subject": "1 elevada, 13 vencidas, 2 próximas a vencer, 1 por confirmar, 4 sin plazo: "
        "acciones clave de UN Women",
        "text": [
            "== Elevadas a su nivel (1) ==",
            "== Vencidas (1) ==",
            "== Próximas a vencer (2) ==",
            "== Confirme el estado (1) ==",
            "== Falta un plazo (1) ==",
            "Plazo: 2026/11 - con 46 días de retraso",
            "vence en 7 días",
            "vence hoy",
            "sin actualizar desde hace 228 días",
            "Estado: Iniciada (última actualización: 1 de junio de 2026)",
            "incluye las 6 más urgentes de 21 acciones clave. Las otras 15",
            "(al 15 de enero de 2027)",
        ],
    },
    "ru": {
        "subject": "1 эскалация, 13 просроченных, 2 скоро срок, 1 на подтверждение, 4 без срока: "
        "ключевые действия — UN Women",
        "text": [
            "== Эскалация вам (1) ==",
            "== Просрочено (1) ==",
            "== Скоро срок (2) ==",
            "== Подтвердите статус (1) ==",
            "== Нужен срок (1) ==",
            "Срок: 2026/11 - просрочено на 46 дней",
            "осталось 7 дней",
            "срок сегодня",
            "нет обновлений 228 дней",
            "Статус: Начато (последнее обновление: 1 июня 2026\u202fг.)",
            "перечислены 6 самых срочных из 21 ключевого действия. Ещё 15 действий",
            "(на 15 января 2027\u202fг.)",
        ],
    },
}


@pytest.mark.parametrize("locale", sorted(EXPECTED))
def test_the_digest_speaks_each_language(locale: str) -> None:
    rendered = Renderer(load_settings()).render(sample_digest(locale), SAMPLE_DAY)
    assert rendered.subject == EXPECTED[locale]["subject"]
    for phrase in EXPECTED[locale]["text"]:
        assert phrase in rendered.text
        if phrase.startswith("== "):  # the HTML body has the same headings
            assert html.escape(phrase.strip("= "), quote=False) in rendered.html
    assert f'<html lang="{locale}">' in rendered.html


class PseudoTranslations(gettext.NullTranslations):
    """Wraps every message in ⟦ ⟧, so any word outside the brackets came from elsewhere."""

    def gettext(self, message: str) -> str:
        return f"⟦{message}⟧"

    def ngettext(self, singular: str, plural: str, n: int) -> str:  # type: ignore[override]
        return f"⟦{singular if n == 1 else plural}⟧"

    def pgettext(self, context: str, message: str) -> str:
        return f"⟦{message}⟧"

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:  # type: ignore[override]
        return f"⟦{singular if n == 1 else plural}⟧"


class PseudoCatalogs(i18n.Catalogs):
    def translations(self, locale: str) -> Translations:
        return PseudoTranslations()  # type: ignore[return-value]


# The sample digest's data: the only words allowed outside a message.
DATA = [
    "Sample <evaluation> & co",
    "Sample office",
    "https://example.org/evaluation/1",
    *[f"Sample key action {n}" for n in range(1, 7)],
    "Line one",
    "Line two",
    "January 15, 2027",  # dates come from Babel, in the locale's words
    "June 1, 2026",
    "IOM, Programme team",
    "December 2026",  # deadlines as the source wrote them
    "No due date",
]


def _outside_messages(rendered: str) -> str:
    while re.search(r"⟦[^⟦⟧]*⟧", rendered):  # innermost first: messages nest
        rendered = re.sub(r"⟦[^⟦⟧]*⟧", " ", rendered)
    for value in DATA:  # as is (text, subject) and escaped (HTML)
        rendered = rendered.replace(value, " ").replace(html.escape(value, quote=False), " ")
    return html.unescape(re.sub(r"<[^>]*>", " ", rendered))  # tags and attributes go


@pytest.mark.parametrize("evaluation_office", [None, "office@example.org"])
def test_no_template_word_escapes_the_catalogs(evaluation_office: str | None) -> None:
    """Rendered with a pseudo-locale, every word is either inside ⟦ ⟧ or sample data."""
    settings = load_settings(evaluation_office=evaluation_office)
    renderer = Renderer(settings, catalogs=PseudoCatalogs())
    rendered = renderer.render(sample_digest("en"), SAMPLE_DAY)
    assert "⟦Overdue⟧" in rendered.text and "⟦Initiated⟧" in rendered.html  # it did wrap
    for body in (rendered.subject, rendered.text, rendered.html):
        assert re.findall(r"[^\W\d_]{2,}", _outside_messages(body)) == []


def _write_catalog(folder: Path, locale: str, messages: dict[str, str], suffix: str) -> None:
    catalog = Catalog(locale=locale)
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr, flags=("fuzzy",) if msgstr.startswith("FUZZY") else ())
    target = folder / locale / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / f"messages{suffix}").open("wb") as out:
        (write_po if suffix == ".po" else write_mo)(out, catalog)


def test_an_admin_catalog_overrides_some_words_and_adds_a_language(tmp_path: Path) -> None:
    _write_catalog(tmp_path, "fr", {"Overdue": "Hors délai", "Due soon": "FUZZY draft"}, ".po")
    _write_catalog(tmp_path, "pt", {"Overdue": "Em atraso"}, ".mo")
    renderer = Renderer(load_settings(locale_dir=tmp_path))
    assert {"en", "es", "fr", "pt", "ru"} <= set(renderer.locales)
    french = renderer.render(sample_digest("fr"), SAMPLE_DAY).text
    assert "== Hors délai (1) ==" in french  # the admin's word wins
    assert "== Échéance proche (2) ==" in french  # a fuzzy entry is ignored: shipped word
    assert "== Remontées à votre niveau (1) ==" in french  # the rest from the shipped catalog
    portuguese = renderer.render(sample_digest("pt_BR"), SAMPLE_DAY).text
    assert "== Em atraso (1) ==" in portuguese and "== Due soon (2) ==" in portuguese
    problems = check_all(load_settings(locale_dir=tmp_path))
    assert [p for p in problems if p.startswith("pt: ")] and not [
        p for p in problems if p.startswith("fr: ")
    ]


def test_a_broken_admin_catalog_is_an_error_naming_the_file(tmp_path: Path) -> None:
    target = tmp_path / "fr" / "LC_MESSAGES"
    target.mkdir(parents=True)
    (target / "messages.mo").write_bytes(b"not a catalog")
    problems = check_all(load_settings(locale_dir=tmp_path))
    assert problems and f"{target / 'messages.mo'}: not a readable message catalog" in problems[0]


def test_install_gives_any_environment_its_language() -> None:
    """How the desk and report pages get their words: one environment per locale."""
    env = Environment(undefined=StrictUndefined, autoescape=True)
    i18n.install(env, "ru", i18n.Catalogs())
    template = env.from_string(
        '<p lang="{{ html_lang }}">{{ _("Overdue") }}: {{ ngettext("%(num)s day", "%(num)s days",'
        " n) }}, {% trans %}Dear {{ name }},{% endtrans %} {{ code | status_name }}, "
        "{{ day | long_date }}, {{ big | number }}</p>"
    )
    out = template.render(n=22, name="<Aida>", code="completed", day=SAMPLE_DAY, big=12345)
    assert out == (
        '<p lang="ru">Просрочено: 22 дня, Здравствуйте, &lt;Aida&gt;! Выполнено, '
        "15 января 2027\u202fг., 12\u00a0345</p>"
    )


def test_a_digest_for_a_locale_without_catalog_says_so_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    renderer = Renderer(load_settings())
    with caplog.at_level("WARNING", logger="reminder.render"):
        for _ in range(3):
            assert renderer.locale_for("ar") == "en" and renderer.locale_for("fr_CA") == "fr"
    assert caplog.messages == ["no message catalog for locale 'ar': its digests are in 'en'"]


def test_config_check_warns_when_a_locale_falls_back(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REMINDER_DEFAULT_LOCALE", "ar")
    assert main(["config", "check"]) == 0
    err = capsys.readouterr().err
    assert "Warning: default_locale (REMINDER_DEFAULT_LOCALE): no message catalog for 'ar'" in err
    monkeypatch.setenv("REMINDER_DEFAULT_LOCALE", "fr_CA")  # French is spoken: no warning
    assert main(["config", "check"]) == 0
    assert "Warning" not in capsys.readouterr().err


def test_config_rejects_an_unknown_default_locale_and_a_missing_locale_dir(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("REMINDER_DEFAULT_LOCALE", "xx")
    assert main(["config", "check"]) == 1
    assert "default_locale (REMINDER_DEFAULT_LOCALE): Value error, unknown locale 'xx'" in (
        capsys.readouterr().err
    )
    monkeypatch.setenv("REMINDER_DEFAULT_LOCALE", "en")
    monkeypatch.setenv("REMINDER_LOCALE_DIR", str(tmp_path / "nowhere"))
    assert main(["config", "check"]) == 1
    assert capsys.readouterr().err == (
        f"Error: locale_dir (REMINDER_LOCALE_DIR): no such folder: {tmp_path / 'nowhere'}\n"
    )
