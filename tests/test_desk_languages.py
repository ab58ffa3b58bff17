"""The status desk in four languages: the person's page, the action form, the confirmation
and the office view speak the reader's language (headings, statuses, buttons, plurals); the
language follows the person's locale, else the switch; the switch changes nothing stored;
and rendered with a pseudo-locale, no template word escapes the catalogs."""

from __future__ import annotations

import email
import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.dates import get_month_names
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from reminder import i18n
from reminder.db import make_session_factory
from reminder.models import ActionUpdate, Evaluation, FocalPoint, KeyAction, Party, Recommendation
from reminder.web.app import create_app
from reminder.web.languages import browser_languages
from reminder.web.rendering import Pages
from tests.desk_setup import AIDA, CHYNARA, NOW, OFFICE, actions_of, desk_settings, load_examples
from tests.test_desk_office import Sink
from tests.test_desk_web import csrf_of, history_count, link
from tests.test_i18n import PseudoCatalogs

LANGUAGES = ("en", "fr", "es", "ru")
# What each page must say: heading, a status name, the button, a plural phrase.
PERSON = {
    "en": ["Key actions for Aida Bekova", "Initiated", ">Update<", "4 open key actions."],
    "fr": [
        "Actions clés\u00a0: Aida Bekova",
        "Initiée",
        ">Mettre à jour<",
        "4 actions clés en cours.",
    ],
    "es": [
        "Acciones clave de Aida Bekova",
        "Iniciada",
        ">Actualizar<",
        "4 acciones clave abiertas.",
    ],
    "ru": [
        "Ключевые действия: Aida Bekova",
        "Начато",
        ">Обновить<",
        "4 открытых ключевых действия.",
    ],
}
SECTION = {"en": "Overdue", "fr": "En retard", "es": "Vencidas", "ru": "Просрочено"}
OVERDUE_BY = {"en": "overdue by", "fr": "en retard de", "es": "de retraso", "ru": "просрочено на"}
FORM = {
    "en": ["Update a key action", "Save update", "No longer applicable", "Propose a new deadline"],
    "fr": ["Mettre à jour une action clé", "Enregistrer la mise à jour", "Sans objet"],
    "es": ["Actualizar una acción clave", "Guardar la actualización", "Ya no aplicable"],
    "ru": ["Обновить ключевое действие", "Сохранить обновление", "Больше не применимо"],
}
RECORDED = {
    "en": ["Update recorded", "→ Completed", "The next digest reflects this update."],
    "fr": ["Mise à jour enregistrée", "→ Achevée", "Le prochain récapitulatif"],
    "es": ["Actualización registrada", "→ Completada", "El próximo resumen"],
    "ru": ["Обновление записано", "→ Выполнено", "Следующая сводка"],
}
OFFICE_VIEW = {
    "en": ["Office view", "Accept", "Decline", "1 proposal waits for a decision."],
    "fr": ["Vue du bureau", "Accepter", "Refuser", "1 proposition attend une décision."],
    "es": ["Vista de la oficina", "Aceptar", "Rechazar", "1 propuesta espera una decisión."],
    "ru": ["Раздел отдела", "Принять", "Отклонить", "1 предложение ожидает решения."],
}


@pytest.fixture
def desk(engine, database_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, Session, Sink]]:  # type: ignore[no-untyped-def]
    sink = Sink()
    with make_session_factory(engine)() as session:
        load_examples(session)
        settings = desk_settings(database_url, tmp_path)
        app = create_app(settings, clock=lambda: NOW, transport=lambda: sink)
        with TestClient(app, base_url="http://desk.test") as client:
            yield client, session, sink


def _stored(session: Session) -> list[tuple[Any, ...]]:
    session.expire_all()
    actions = [
        (a.id, a.status, a.comments, a.status_changed_at)
        for a in session.scalars(select(KeyAction))
    ]
    people = [(f.email, f.locale, f.away_until) for f in session.scalars(select(FocalPoint))]
    return [*actions, *people, history_count(session)]


@pytest.mark.parametrize("locale", LANGUAGES)
def test_the_person_page_speaks_each_language(desk, locale: str) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = desk
    page = client.get(f"/p/{link(AIDA)}?lang={locale}").text
    assert f'<html lang="{locale}">' in page
    for phrase in [*PERSON[locale], SECTION[locale], OVERDUE_BY[locale]]:
        assert phrase in page, phrase
    # The switch lists the four languages, the current one marked, each keeping the page.
    for other, name in (
        ("en", "English"),
        ("fr", "Français"),
        ("es", "Español"),
        ("ru", "Русский"),
    ):
        assert f'?lang={other}" hreflang="{other}" lang="{other}"' in page and name in page
    assert f'lang="{locale}" aria-current="true"' in page
    # Links and forms carry the choice on, so the next page speaks it too.
    assert re.search(rf'href="/p/[^"]+/actions/\d+\?lang={locale}"', page)
    assert re.search(rf'action="/p/[^"]+/away\?lang={locale}"', page)


@pytest.mark.parametrize("locale", LANGUAGES)
def test_the_action_form_and_the_confirmation_speak_each_language(desk, locale: str) -> None:  # type: ignore[no-untyped-def]
    client, session, _ = desk
    token = link(AIDA)
    action_id = actions_of(session, "UNW")[0]
    form = client.get(f"/p/{token}/actions/{action_id}?lang={locale}").text
    for phrase in FORM[locale]:
        assert phrase in form, phrase
    action = re.search(r'<form method="post" action="([^"]+)" class="update"', form).group(1)  # type: ignore[union-attr]
    assert action.endswith(f"?lang={locale}")
    refused = client.post(
        html.unescape(action), data={"csrf": csrf_of(form), "status": "no_longer_applicable"}
    )
    assert refused.status_code == 400 and f'<html lang="{locale}">' in refused.text
    recorded = client.post(
        html.unescape(action), data={"csrf": csrf_of(form), "status": "completed", "comment": "ok"}
    )
    assert recorded.status_code == 200
    for phrase in RECORDED[locale]:
        assert phrase in recorded.text, phrase


@pytest.mark.parametrize("locale", LANGUAGES)
def test_the_office_view_speaks_each_language(desk, locale: str) -> None:  # type: ignore[no-untyped-def]
    client, session, sink = desk
    actor_action = actions_of(session, "UNW")[0]
    from tests.test_desk_office import _propose

    _propose(session, actor_action)
    client.post(f"/office/signin?lang={locale}", data={"email": OFFICE})
    message = email.message_from_string(sink.sent[-1])
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    path = re.search(r"http://desk\.test(/office/signin/\S+)", body).group(1)  # type: ignore[union-attr]
    assert path.endswith(f"?lang={locale}")
    if locale == "fr":
        assert "Ouvrez ce lien dans les 15 minutes" in body
        assert "connexion" in str(
            email.header.make_header(email.header.decode_header(message["Subject"]))
        )
    view = client.post(path).text
    assert f'<html lang="{locale}">' in view
    for phrase in OFFICE_VIEW[locale]:
        assert phrase in view, phrase


def test_each_person_reads_their_own_language_until_they_switch(desk) -> None:  # type: ignore[no-untyped-def]
    client, session, _ = desk
    # Chynara's locale is ru; Aida's en; a party's default locale speaks for a person without one.
    assert '<html lang="ru">' in client.get(f"/p/{link(CHYNARA)}").text
    assert '<html lang="en">' in client.get(f"/p/{link(AIDA)}").text
    session.execute(
        FocalPoint.__table__.update().where(FocalPoint.email == AIDA).values(locale=None)
    )
    session.execute(Party.__table__.update().where(Party.code == "UNW").values(default_locale="es"))
    session.commit()
    assert '<html lang="es">' in client.get(f"/p/{link(AIDA)}").text
    assert '<html lang="fr">' in client.get(f"/p/{link(CHYNARA)}?lang=fr").text
    # An unknown choice is ignored, not an error.
    assert '<html lang="ru">' in client.get(f"/p/{link(CHYNARA)}?lang=xx").text


def test_switching_language_changes_nothing_stored(desk) -> None:  # type: ignore[no-untyped-def]
    client, session, _ = desk
    before = _stored(session)
    token = link(AIDA)
    action_id = actions_of(session, "UNW")[0]
    for locale in LANGUAGES:
        for path in (f"/p/{token}", f"/p/{token}/actions/{action_id}", "/office"):
            assert client.get(f"{path}?lang={locale}").status_code == 200
    assert _stored(session) == before
    assert not client.cookies  # the choice lives in the address, not in a cookie


def test_pages_for_nobody_in_particular_follow_the_browser(desk) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = desk
    expired = client.get("/p/not-a-token", headers={"accept-language": "es-AR, es;q=0.9, en;q=0.5"})
    assert expired.status_code == 403
    assert '<html lang="es">' in expired.text and "Este enlace no es válido" in expired.text
    signin = client.get("/office", headers={"accept-language": "de, ru;q=0.8"})
    assert '<html lang="ru">' in signin.text and "Прислать ссылку для входа" in signin.text
    assert '<html lang="en">' in client.get("/nowhere", headers={"accept-language": "de"}).text


def test_browser_languages_in_order_of_preference() -> None:
    assert browser_languages("fr-CH, fr;q=0.9, en;q=0.8, *;q=0.1") == ["fr_CH", "fr", "en"]
    assert browser_languages("en;q=0.2, ru") == ["ru", "en"]
    assert browser_languages("es;q=bad, ;q=1") == []


def _data_words(session: Session) -> set[str]:
    """Every word stored in the portfolio and directory: what a page may show as data."""
    words: set[str] = set()
    for model in (KeyAction, Evaluation, Recommendation, Party, FocalPoint, ActionUpdate):
        for row in session.scalars(select(model)):
            for column in inspect(model).columns:
                value = getattr(row, column.key)
                if isinstance(value, str):
                    words.update(re.findall(r"[^\W\d_]{2,}", value))
    return words


def test_no_desk_template_word_escapes_the_catalogs(desk) -> None:  # type: ignore[no-untyped-def]
    """Every page rendered with a pseudo-locale: each word is inside ⟦ ⟧, or data."""
    client, session, sink = desk
    state = client.app.app.app.state.desk  # type: ignore[attr-defined]
    state.pages = Pages(PseudoCatalogs())
    token = link(AIDA)
    action_id = actions_of(session, "UNW")[0]
    from tests.test_desk_office import _propose

    _propose(session, actions_of(session, "UNW")[1])
    form = client.get(f"/p/{token}/actions/{action_id}").text
    pages = [client.get(f"/p/{token}").text, form, client.get("/p/bad-token").text]
    pages.append(client.post(f"/p/{token}/actions/{action_id}", data={"csrf": csrf_of(form)}).text)
    data = {
        "csrf": csrf_of(form),
        "status": "completed",
        "comment": "done",
        "proposed_deadline": "2027-12",
        "proposal_reason": "late",
    }
    pages.append(client.post(f"/p/{token}/actions/{action_id}", data=data).text)
    pages.append(
        client.post(
            f"/p/{token}/away", data={"csrf": csrf_of(form), "away_until": "2027-02-01"}
        ).text
    )
    pages.append(client.get("/office").text)
    client.post("/office/signin", data={"email": OFFICE})
    mail = email.message_from_string(sink.sent[-1])
    body = mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
    signin = re.search(r"http://desk\.test(/office/signin/\S+)", body).group(1)  # type: ignore[union-attr]
    pages.append(body.replace(f"http://desk.test{signin}", " "))
    pages.append(str(email.header.make_header(email.header.decode_header(mail["Subject"]))))
    pages.append(client.get(signin).text)
    pages.append(client.post(signin).text)
    allowed = _data_words(session) | {
        "English",
        "Français",
        "Español",
        "Русский",
        "UTC",
        "CSV",
        "XLSX",
    }
    allowed |= set(get_month_names("wide", locale="en").values())  # long dates, from Babel
    assert "⟦Overdue⟧" in pages[0] and "⟦Initiated⟧" in pages[0]  # it did wrap
    for page in pages:
        text = page
        while re.search(r"⟦[^⟦⟧]*⟧", text):  # innermost first: messages nest
            text = re.sub(r"⟦[^⟦⟧]*⟧", " ", text)
        text = html.unescape(re.sub(r"<[^>]*>", " ", text))
        left = set(re.findall(r"[^\W\d_]{2,}", text)) - allowed
        assert left == set(), left


OPEN_ACTIONS = {
    "en": ["0 open key actions.", "1 open key action.", "2 open key actions.", "5 open key actions.",
           "21 open key actions.", "22 open key actions.", "25 open key actions.",
           "111 open key actions."],
    "fr": ["0 action clé en cours.", "1 action clé en cours.", "2 actions clés en cours.",
           "5 actions clés en cours.", "21 actions clés en cours.", "22 actions clés en cours.",
           "25 actions clés en cours.", "111 actions clés en cours."],
    "es": ["0 acciones clave abiertas.", "1 acción clave abierta.", "2 acciones clave abiertas.",
           "5 acciones clave abiertas.", "21 acciones clave abiertas.",
           "22 acciones clave abiertas.", "25 acciones clave abiertas.",
           "111 acciones clave abiertas."],
    "ru": ["0 открытых ключевых действий.", "1 открытое ключевое действие.",
           "2 открытых ключевых действия.", "5 открытых ключевых действий.",
           "21 открытое ключевое действие.", "22 открытых ключевых действия.",
           "25 открытых ключевых действий.", "111 открытых ключевых действий."],
}  # fmt: skip


@pytest.mark.parametrize("locale", LANGUAGES)
def test_the_desks_plurals_for_the_numbers_that_trip_languages_up(locale: str) -> None:
    env = Pages(i18n.Catalogs()).environment(locale)
    template = env.from_string(
        '{{ ngettext("%(num)d open key action.", "%(num)d open key actions.", n) }}'
    )
    said = [template.render(n=n) for n in (0, 1, 2, 5, 21, 22, 25, 111)]
    assert said == OPEN_ACTIONS[locale]
