"""The status desk in-process (Starlette's test client on the real app and a real database):
links, scope, CSRF, updates, away, headers and the access log."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from reminder.db import make_session_factory
from reminder.links import PAGE, LinkError, Links
from reminder.models import ActionUpdate, FocalPoint, KeyAction
from reminder.web.app import create_app
from tests.desk_setup import (
    AIDA,
    CHYNARA,
    KEY,
    MARAT,
    NOW,
    OTHER_KEY,
    TIMUR,
    actions_of,
    desk_settings,
    load_examples,
    only_of,
)


@pytest.fixture
def desk(engine, database_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, Session]]:  # type: ignore[no-untyped-def]
    factory = make_session_factory(engine)
    with factory() as session:
        load_examples(session)
        app = create_app(desk_settings(database_url, tmp_path), clock=lambda: NOW)
        with TestClient(app, base_url="http://desk.test") as client:
            yield client, session


def link(email: str, key: str = KEY, issued=NOW) -> str:  # type: ignore[no-untyped-def]
    return Links(key, 45, clock=lambda: issued).issue(email, PAGE)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def history_count(session: Session) -> int:
    """Rows the desk wrote (imports write their own history rows)."""
    session.expire_all()
    desk_rows = select(func.count()).where(ActionUpdate.source != "import")
    return session.scalar(desk_rows) or 0


def test_the_person_page_lists_their_open_actions_grouped_as_in_the_digest(desk) -> None:  # type: ignore[no-untyped-def]
    client, session = desk
    response = client.get(f"/p/{link(AIDA)}")
    assert response.status_code == 200
    assert "Key actions for Aida Bekova" in response.text
    for action_id in actions_of(session, "UNW"):
        assert f'id="action-{action_id}"' in response.text
    for action_id in set(actions_of(session, "ILO")) - set(actions_of(session, "UNW")):
        assert f'id="action-{action_id}"' not in response.text
    assert "Overdue" in response.text and "Recommendation" in response.text


def test_a_long_list_is_paged_most_urgent_first(desk, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """A catch-all party's primary may have tens of thousands of open actions: a page lists
    PAGE_SIZE of them, in the digest's order, and links to the rest."""
    from reminder import desk as desk_module

    client, _ = desk
    token = link(AIDA)
    whole = client.get(f"/p/{token}").text
    everyone = re.findall(r'id="action-(\d+)"', whole)
    assert len(everyone) >= 3 and "Next page" not in whole  # one page: no pager
    monkeypatch.setattr(desk_module, "PAGE_SIZE", 2)
    seen, path = [], f"/p/{token}"
    while path:
        page = client.get(path).text
        listed = re.findall(r'id="action-(\d+)"', page)
        assert 1 <= len(listed) <= 2
        first = len(seen) + 1
        assert f"Listed here: {first} to {len(seen) + len(listed)} of {len(everyone)}" in page
        assert f"{len(everyone)} open key actions." in page  # the count is of them all
        seen += listed
        found = re.search(r'href="([^"]+)" rel="next"', page)
        path = found.group(1).replace("&amp;", "&") if found else ""
    assert seen == everyone  # every action once, in the one-page order
    back = re.search(r'href="([^"]+)" rel="prev"', client.get(f"/p/{token}?from=2").text)
    assert back is not None and back.group(1) == f"/p/{token}"
    for bad in ("-1", "x", "²", "99999", "1" * 20):  # bad or past the end: the first page
        page = client.get(f"/p/{token}?from={bad}").text
        assert re.findall(r'id="action-(\d+)"', page) == everyone[:2]


def test_a_get_of_every_link_changes_nothing(desk) -> None:  # type: ignore[no-untyped-def]
    client, session = desk
    token = link(AIDA)
    action_id = actions_of(session, "UNW")[0]
    before = [
        (a.id, a.status, a.comments, a.status_changed_at)
        for a in session.scalars(select(KeyAction))
    ]
    for path in (
        f"/p/{token}",
        f"/p/{token}/actions/{action_id}",
        f"/p/{token}/away",
        "/office",
        "/office/signin/whatever",
    ):
        client.get(path)
    session.expire_all()
    after = [
        (a.id, a.status, a.comments, a.status_changed_at)
        for a in session.scalars(select(KeyAction))
    ]
    assert after == before
    assert history_count(session) == 0


@pytest.mark.parametrize(
    ("make_token", "words"),
    [
        (lambda: link(AIDA)[:-3] + "AAA", "not valid"),  # tampered signature
        (
            lambda: link(AIDA).replace(link(AIDA).split(".")[0], "eyJ4Ijoi"),
            "not valid",
        ),  # payload swapped
        (lambda: link(AIDA, issued=NOW - timedelta(days=46)), "expired"),  # past links_valid_days
        (lambda: link(AIDA, key=OTHER_KEY), "not valid"),  # signed with a rotated-out key
        (
            lambda: link("nobody@example.org"),
            "opens nothing",
        ),  # not (or no longer) in the directory
        (
            lambda: Links(KEY, 45, clock=lambda: NOW).issue(AIDA, "reminder.desk.calendar"),
            "not valid",
        ),  # a calendar token is no page token
    ],
)
def test_bad_links_get_a_clear_403(desk, make_token, words: str) -> None:  # type: ignore[no-untyped-def]
    client, _ = desk
    response = client.get(f"/p/{make_token()}")
    assert response.status_code == 403
    assert words in response.text
    assert "Traceback" not in response.text


def test_a_link_still_works_on_its_last_day(desk) -> None:  # type: ignore[no-untyped-def]
    client, _ = desk
    assert client.get(f"/p/{link(AIDA, issued=NOW - timedelta(days=44))}").status_code == 200


def test_an_update_is_recorded_with_history_and_a_confirmation(desk) -> None:  # type: ignore[no-untyped-def]
    client, session = desk
    token = link(AIDA)
    action_id = only_of(session, "UNW", ("ILO", "IOM"))
    page = client.get(f"/p/{token}/actions/{action_id}")
    response = client.post(
        f"/p/{token}/actions/{action_id}",
        data={
            "csrf": csrf_of(page.text),
            "status": "completed",
            "comment": "Done in December",
            "evidence_url": "https://example.org/report.pdf",
        },
    )
    assert response.status_code == 200, response.text
    assert "Update recorded" in response.text and "Done in December" in response.text
    session.expire_all()
    action = session.get_one(KeyAction, action_id)
    assert (action.status, action.status_label) == ("completed", "Completed")
    assert action.status_changed_at == NOW
    assert "Done in December" in (action.comments or "")
    row = session.scalars(select(ActionUpdate).where(ActionUpdate.source == "web")).one()
    assert (row.source, row.actor, row.actor_name, row.new_status) == (
        "web",
        AIDA,
        "Aida Bekova",
        "completed",
    )
    assert row.evidence_url == "https://example.org/report.pdf"


@pytest.mark.parametrize("csrf", [None, "", "0" * 64, "wrong"])
def test_a_post_without_the_right_csrf_token_is_refused(desk, csrf) -> None:  # type: ignore[no-untyped-def]
    client, session = desk
    token = link(AIDA)
    action_id = actions_of(session, "UNW")[0]
    data = {"status": "completed"} | ({"csrf": csrf} if csrf is not None else {})
    response = client.post(f"/p/{token}/actions/{action_id}", data=data)
    assert response.status_code == 403
    assert history_count(session) == 0


def test_a_csrf_token_of_another_persons_link_is_refused(desk) -> None:  # type: ignore[no-untyped-def]
    client, session = desk
    action_id = actions_of(session, "UNW")[0]
    marat_page = client.get(f"/p/{link(MARAT)}")
    response = client.post(
        f"/p/{link(AIDA)}/actions/{action_id}",
        data={"csrf": csrf_of(marat_page.text), "status": "completed"},
    )
    assert response.status_code == 403
    assert history_count(session) == 0


def test_editing_the_form_to_an_action_not_routed_to_the_person_is_refused(desk) -> None:  # type: ignore[no-untyped-def]
    client, session = desk
    token = link(AIDA)
    csrf = csrf_of(client.get(f"/p/{token}").text)
    foreign = only_of(session, "ILO", ("UNW",))
    response = client.post(
        f"/p/{token}/actions/{foreign}", data={"csrf": csrf, "status": "completed"}
    )
    assert response.status_code == 403
    assert "not among yours" in response.text
    assert client.get(f"/p/{token}/actions/{foreign}").status_code == 403
    assert history_count(session) == 0
    session.expire_all()
    assert session.get_one(KeyAction, foreign).status != "completed"


def test_an_alternate_sees_and_updates_the_actions_of_the_away_primary(desk) -> None:  # type: ignore[no-untyped-def]
    client, session = desk
    iom_action = only_of(session, "IOM", ("UNW", "ILO"))
    token = link(TIMUR)
    page = client.get(f"/p/{token}")
    assert f'id="action-{iom_action}"' in page.text
    assert "Chynara Asanova" in page.text  # says whom they stand in for
    response = client.post(
        f"/p/{token}/actions/{iom_action}", data={"csrf": csrf_of(page.text), "status": "initiated"}
    )
    assert response.status_code == 200


def test_the_confirmation_is_shown_by_a_get_so_a_refresh_records_nothing(desk) -> None:  # type: ignore[no-untyped-def]
    client, session = desk
    token = link(AIDA)
    action_id = only_of(session, "UNW", ("ILO", "IOM"))
    page = client.get(f"/p/{token}/actions/{action_id}")
    form = {"csrf": csrf_of(page.text), "status": "completed", "comment": "Halfway <there>"}
    posted = client.post(f"/p/{token}/actions/{action_id}", data=form, follow_redirects=False)
    assert posted.status_code == 303
    where = posted.headers["location"]
    assert where.startswith(f"/p/{token}/actions/{action_id}/recorded/")
    shown = [client.get(where) for _ in range(3)]  # the confirmation, then two refreshes
    assert {r.status_code for r in shown} == {200} and len({r.text for r in shown}) == 1
    recorded = re.search(r'<dl class="facts" id="recorded">(.*?)</dl>', shown[0].text, re.S)
    assert recorded is not None
    assert "Initiated → Completed" in recorded.group(1)
    assert "Halfway &lt;there&gt;" in recorded.group(1)
    assert history_count(session) == 1
    # Only its author sees it: not a colleague of the same party, not under another action.
    nurlan = "nurlan.osmonov@unwomen.example.org"
    assert client.get(where.replace(token, link(nurlan))).status_code == 404
    other = next(a for a in actions_of(session, "UNW") if a != action_id)
    assert client.get(where.replace(f"/{action_id}/", f"/{other}/")).status_code == 404
    assert history_count(session) == 1


@pytest.mark.parametrize(
    ("form", "field_words"),
    [
        ({"status": "no_longer_applicable"}, "Say why"),  # justification required
        ({"status": "done"}, "Choose one of the statuses"),  # not a desk status
        ({"comment": "x", "evidence_url": "javascript:alert(1)"}, "web address"),  # only http(s)
        ({"comment": "x", "proposed_deadline": "soon", "proposal_reason": "r"}, "quarter or year"),
        (
            {"comment": "x", "proposed_deadline": "2027-06-30"},
            "why the deadline",
        ),  # reason required
        ({"comment": "x", "proposed_deadline": "2020"}, "already passed"),
        ({}, "Nothing to record"),
    ],
)
def test_a_bad_form_is_shown_again_with_the_field_named_and_nothing_recorded(
    desk, form, field_words
) -> None:  # type: ignore[no-untyped-def]
    client, session = desk
    token = link(AIDA)
    action_id = actions_of(session, "UNW")[0]
    csrf = csrf_of(client.get(f"/p/{token}").text)
    response = client.post(f"/p/{token}/actions/{action_id}", data={"csrf": csrf, **form})
    assert response.status_code == 400
    assert field_words in response.text
    assert history_count(session) == 0


def test_away_until_sets_the_directory_and_says_who_receives(desk) -> None:  # type: ignore[no-untyped-def]
    client, session = desk
    token = link(CHYNARA)
    csrf = csrf_of(client.get(f"/p/{token}").text)
    response = client.post(f"/p/{token}/away", data={"csrf": csrf, "away_until": "2027-03-01"})
    assert response.status_code == 200
    assert "timur.ismailov@iom.example.org" in response.text
    session.expire_all()
    row = session.scalars(select(FocalPoint).where(FocalPoint.email == CHYNARA)).one()
    assert str(row.away_until) == "2027-03-01"
    back = client.post(f"/p/{token}/away", data={"csrf": csrf, "away_until": ""})
    assert "Вы вернулись" in back.text  # Chynara reads Russian (her locale in the directory)
    session.expire_all()
    assert (
        session.scalars(select(FocalPoint.away_until).where(FocalPoint.email == CHYNARA)).one()
        is None
    )
    past = client.post(f"/p/{token}/away", data={"csrf": csrf, "away_until": "2026-01-01"})
    assert past.status_code == 400


def test_security_headers_on_every_page(desk) -> None:  # type: ignore[no-untyped-def]
    client, _ = desk
    for path in (f"/p/{link(AIDA)}", "/p/bad", "/office", "/nowhere"):
        headers = client.get(path).headers
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["cache-control"] == "no-store"
        assert headers["x-frame-options"] == "DENY"
        assert "default-src 'none'" in headers["content-security-policy"]


def test_no_token_appears_in_any_log_line(desk, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    client, session = desk
    token = link(AIDA)
    action_id = actions_of(session, "UNW")[0]
    with caplog.at_level(logging.DEBUG):
        page = client.get(f"/p/{token}/actions/{action_id}")
        client.post(
            f"/p/{token}/actions/{action_id}",
            data={"csrf": csrf_of(page.text), "status": "initiated"},
        )
        client.get(f"/p/{token[:-2]}xx")
        client.get(f"/office/signin/{token}")
    # Every server-side logger (httpx is the test's own client, not part of the server).
    lines = [r.getMessage() for r in caplog.records if not r.name.startswith("httpx")]
    assert any('"GET /p/[link]/actions/' in line for line in lines), lines
    signature = token.rsplit(".", 1)[-1]
    assert not [line for line in lines if signature in line or token[:20] in line]


def test_the_calendar_link_on_the_page_serves_the_ics_and_only_with_its_own_token(desk) -> None:  # type: ignore[no-untyped-def]
    from icalendar import Calendar

    client, _ = desk
    page = client.get(f"/p/{link(AIDA)}").text
    path = re.search(r'href="http://desk\.test(/c/[^"]+/actions\.ics)"', page).group(1)  # type: ignore[union-attr]
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert Calendar.from_ical(response.content).walk("VEVENT")
    assert (
        client.get(f"/c/{link(AIDA)}/actions.ics").status_code == 403
    )  # a page token is not a calendar token


def test_links_derived_through_the_calendar_expire_with_the_first_link(desk) -> None:  # type: ignore[no-untyped-def]
    """An old page link cannot be renewed page -> calendar -> page: every derived link is
    issued at the first link's own time, so it dies when the first one does."""
    client, _ = desk
    old = NOW - timedelta(days=44)  # one day of validity left
    page = client.get(f"/p/{link(AIDA, issued=old)}").text
    calendar = re.search(r'href="http://desk\.test(/c/[^"]+/actions\.ics)"', page).group(1)  # type: ignore[union-attr]
    feed = client.get(calendar).text.replace("\r\n ", "")  # unfold the iCalendar lines
    derived = re.search(r"http://desk\.test/p/([A-Za-z0-9_.\-]+)", feed).group(1)  # type: ignore[union-attr]
    links = Links(KEY, 45, clock=lambda: NOW)
    assert links.issued(derived) == links.issued(link(AIDA, issued=old))
    later = Links(KEY, 45, clock=lambda: NOW + timedelta(days=2))
    with pytest.raises(LinkError):
        later.open(derived)
