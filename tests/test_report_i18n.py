"""The report in the reader's language: the page, the office view's body, the email's parts,
the text and the workbook in French, Spanish and Russian (headings, plural phrases, numbers
and dates the locale's way), and `reminder report --lang`."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from openpyxl import load_workbook
from sqlalchemy import Engine

from reminder.cli import main
from reminder.db import make_session_factory
from reminder.report import Report
from reminder.report.formats import render_report
from reminder.report.message import report_content
from reminder.report.page import render_report_body, render_report_page
from tests.report_portfolio import build_portfolio, portfolio_report

# The portfolio (tests/report_portfolio.py): 8 key actions, 28.6% implemented on 2027-01-15,
# one completed action with a median of 13.1 days, 4 reminded in the period.
EXPECTED = {
    "fr": {
        "lang": '<html lang="fr">',
        "h1": "Rapport sur les actions clés au 15 janvier 2027",
        "headings": ["Mise en œuvre, portefeuille entier", "Les rappels sont-ils efficaces ?"],
        "plural": "(1 action achevée)",
        "share": "28,6\u00a0%",
        "median": "13,1",
    },
    "es": {
        "lang": '<html lang="es">',
        "h1": "Informe de acciones clave al 15 de enero de 2027",
        "headings": ["Implementación, cartera completa", "¿Funcionan los recordatorios?"],
        "plural": "(1 acción completada)",
        "share": "28,6\u00a0%",
        "median": "13,1",
    },
    "ru": {
        "lang": '<html lang="ru">',
        "h1": "Отчёт по ключевым действиям на 15 января 2027\u00a0г.",
        "headings": ["Выполнение, весь портфель", "Работают ли напоминания"],
        "plural": "(1 выполненное действие)",
        "share": "28,6\u00a0%",
        "median": "13,1",
    },
}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Report:
    return portfolio_report(tmp_path_factory.mktemp("report"), sqlite_template)


def _plain(html: str) -> str:
    """Babel's narrow no-break space (U+202F) as the ordinary one, to compare simply."""
    return html.replace("\u202f", "\u00a0")


@pytest.mark.parametrize("locale", ["fr", "es", "ru"])
def test_page_in_each_language(report: Report, locale: str) -> None:
    page = _plain(render_report_page(report, locale))
    want = EXPECTED[locale]
    assert want["lang"] in page
    assert f"<h1>{want['h1']}</h1>" in page
    for heading in want["headings"]:
        assert f"<h2>{heading}</h2>" in page
    assert want["plural"] in page and want["share"] in page and want["median"] in page
    assert "Implementation, whole portfolio" not in page and "28.6%" not in page


@pytest.mark.parametrize("locale", ["fr", "es", "ru"])
def test_office_body_in_each_language(report: Report, locale: str) -> None:
    body = _plain(str(render_report_body(report, locale=locale)))
    assert body.startswith('<div class="report">')
    assert EXPECTED[locale]["h1"] in body and EXPECTED[locale]["plural"] in body


def test_russian_plural_forms_of_the_page(report: Report) -> None:
    page = render_report_page(report, "ru")
    # Three charted parties: "few" in Russian ("3 сторон" would be wrong after "у").
    assert "Доля выполнения у 3 сторон с наибольшим числом ключевых действий." in page
    assert "(1 выполненное действие)" in page


def test_chart_labels_and_tables_follow_the_language(report: Report) -> None:
    page = render_report_page(report, "fr")
    assert "taux de mise en œuvre, %" in page  # the SVG's axis label, as text
    text = _plain(render_report(report, "text", "fr").decode())
    assert "Mise en œuvre par partie responsable" in text
    assert "Nombre médian de jours entre le premier rappel de retard et l'achèvement" in text
    assert "(sur 1 action achevée)." in text and "33,3\u00a0%" in text
    book = load_workbook(io.BytesIO(render_report(report, "xlsx", "es")))
    assert book.sheetnames[:2] == ["General", "Por parte"]
    assert book["General"]["A1"].value == "Implementación, cartera completa"
    assert book["General"]["B3"].value == 8  # numbers stay numbers


def test_email_parts_in_russian(report: Report) -> None:
    content = report_content(report, date(2027, 2, 1), "ru")
    assert (
        content.subject
        == "Отчёт по ключевым действиям за 2027-02: выполнено 28,6\u00a0%, просрочено 4"
    )
    assert "Ежемесячный отчёт по ключевым действиям на 15 января 2027" in content.text
    assert "Выполнение, весь портфель" in content.text
    assert 'alt="Доля выполнения по сторонам"' in content.html
    book = load_workbook(io.BytesIO(content.attachment[2]))
    assert book.sheetnames[0] == "Итого"


def test_an_unknown_language_falls_back_to_english(report: Report) -> None:
    assert "<h1>Key-action report as of January 15, 2027</h1>" in render_report_page(report, "de")


def test_cli_writes_the_report_in_the_language_asked(
    use_database: str, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with make_session_factory(engine)() as session:
        build_portfolio(session)
    html = tmp_path / "rapport.html"
    argv = ["report", "--as-of", "2027-01-15", "--since", "2026-12-01", "--format", "html"]
    assert main([*argv, "--lang", "fr", "--out", str(html)]) == 0
    page = _plain(html.read_text())
    assert '<html lang="fr">' in page and EXPECTED["fr"]["h1"] in page
    assert main([*argv[:-2], "--format", "text", "--lang", "ru"]) == 0
    assert "Выполнение, весь портфель" in capsys.readouterr().out
    assert main([*argv, "--lang", "de"]) == 0
    captured = capsys.readouterr()
    assert "Key-action report as of January 15, 2027" in captured.out
    assert "Warning: no message catalog for 'de'; the report is written in 'en'" in captured.err
    assert main([*argv, "--lang", "xx-nowhere"]) == 1
    assert "Error: --lang xx-nowhere: not a known locale" in capsys.readouterr().err


def _admin_catalogs(folder: Path) -> Path:
    """An administrator's REMINDER_LOCALE_DIR: a French catalog with one message of its own
    (a .po, as an admin may leave it uncompiled) and a German one the project does not ship."""
    for locale, msgid, msgstr in [
        ("fr", "Implementation, whole portfolio", "Mise en œuvre : tout le portefeuille"),
        ("de", "Implementation, whole portfolio", "Umsetzung, gesamtes Portfolio"),
    ]:
        catalog = Catalog(locale=locale)
        catalog.add(msgid, msgstr)
        target = folder / locale / "LC_MESSAGES"
        target.mkdir(parents=True)
        with (target / "messages.po").open("wb") as stream:
            write_po(stream, catalog)
    return folder


def test_the_admin_catalogs_win_and_the_shipped_ones_fill_the_rest(
    report: Report, tmp_path: Path
) -> None:
    admin = _admin_catalogs(tmp_path / "locale")
    text = _plain(render_report(report, "text", "fr", admin).decode())
    assert "Mise en œuvre : tout le portefeuille" in text  # the admin's message
    assert "Mise en œuvre par partie responsable" in text  # the shipped one, where it has none
    page = _plain(render_report_page(report, "fr", admin))
    assert "Mise en œuvre : tout le portefeuille" in page
    assert "Mise en œuvre : tout le portefeuille" in render_report_body(report, "fr", admin)
    book = load_workbook(io.BytesIO(render_report(report, "xlsx", "de", admin)))
    assert book["Overall"]["A1"].value == "Umsetzung, gesamtes Portfolio"  # a locale we lack
    content = report_content(report, date(2027, 2, 1), "fr", admin)
    assert "Mise en œuvre : tout le portefeuille" in _plain(content.text)
    # Without the folder, the shipped words as before.
    assert "Mise en œuvre, portefeuille entier" in _plain(
        render_report(report, "text", "fr").decode()
    )


def test_cli_reads_the_admin_catalogs_from_reminder_locale_dir(
    use_database: str,
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with make_session_factory(engine)() as session:
        build_portfolio(session)
    monkeypatch.setenv("REMINDER_LOCALE_DIR", str(_admin_catalogs(tmp_path / "locale")))
    argv = ["report", "--as-of", "2027-01-15", "--format", "text", "--lang", "de"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "Umsetzung, gesamtes Portfolio" in captured.out
    assert "Warning" not in captured.err  # German is spoken now: the admin's catalog
