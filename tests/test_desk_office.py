"""The office view: one-time sign-in links, the session, deadline proposals accepted or
declined, the downloads; and the run honouring desk updates (closed, away, proposals)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from reminder import updates
from reminder.db import make_session_factory
from reminder.importers.load import import_file
from reminder.models import ActionUpdate, KeyAction, OfficeSignIn
from reminder.planning import DigestFinder
from reminder.web.app import create_app
from reminder.web.security import SignInLimits
from tests.conftest import EXAMPLES
from tests.desk_setup import (
    AIDA,
    CHYNARA,
    NOW,
    OFFICE,
    TIMUR,
    desk_settings,
    load_examples,
    only_of,
)


class Sink:
    """A real transport that keeps what it is given (as the outbox would, in memory)."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, envelope: Any, following: Any = None) -> None:
        self.sent.append(envelope.data.decode())

    def close(self) -> None:
        pass


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now


@pytest.fixture
def office(
    engine, database_url: str, tmp_path: Path
) -> Iterator[tuple[TestClient, Session, Sink, Clock]]:  # type: ignore[no-untyped-def]
    sink, clock = Sink(), Clock()
    with make_session_factory(engine)() as session:
        load_examples(session)
        app = create_app(desk_settings(database_url, tmp_path), clock=clock, transport=lambda: sink)
        with TestClient(app, base_url="http://desk.test") as client:
            yield client, session, sink, clock


def sign_in_link(client: TestClient, sink: Sink, email: str = OFFICE) -> str:
    client.post("/office/signin", data={"email": email})
    return re.search(r"http://desk\.test(/office/signin/\S+)", sink.sent[-1]).group(1)  # type: ignore[union-attr]


def signed_in(client: TestClient, sink: Sink) -> str:
    response = client.post(sign_in_link(client, sink))
    assert "Office view" in response.text
    return (
        re.search(r'name="csrf" value="([^"]+)"', response.text).group(1)
        if 'name="csrf"' in response.text
        else ""
    )  # type: ignore[union-attr]


def test_sign_in_answers_the_same_for_members_and_others(office) -> None:  # type: ignore[no-untyped-def]
    client, session, sink, _ = office
    member = client.post("/office/signin", data={"email": OFFICE})
    stranger = client.post("/office/signin", data={"email": "someone@example.org"})
    assert member.status_code == stranger.status_code == 200
    assert member.text == stranger.text
    assert len(sink.sent) == 1 and f"To: {OFFICE}" in sink.sent[0]
    token = re.search(r"/office/signin/(\S+)", sink.sent[0]).group(1)  # type: ignore[union-attr]
    [row] = session.scalars(select(OfficeSignIn)).all()
    assert token not in row.token_hash and len(row.token_hash) == 64  # stored hashed


def test_a_sign_in_link_works_once_and_a_get_does_not_spend_it(office) -> None:  # type: ignore[no-untyped-def]
    client, _, sink, _ = office
    path = sign_in_link(client, sink)
    assert "Sign in" in client.get(path).text  # what a mail scanner sees: a button
    response = client.post(path, follow_redirects=False)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "max-age=28800" in cookie
    assert "Office view" in client.get("/office").text
    client.cookies.clear()
    assert client.post(path).status_code == 403  # spent


def test_a_sign_in_link_expires_after_15_minutes(office) -> None:  # type: ignore[no-untyped-def]
    client, _, sink, clock = office
    path = sign_in_link(client, sink)
    clock.now = NOW + timedelta(minutes=15, seconds=1)
    assert client.post(path).status_code == 403


def test_the_session_ends_after_8_hours(office) -> None:  # type: ignore[no-untyped-def]
    client, _, sink, clock = office
    client.post(sign_in_link(client, sink))
    clock.now = NOW + timedelta(hours=8, seconds=1)
    assert "Email me a sign-in link" in client.get("/office").text


def test_sign_in_requests_are_rate_limited_without_saying_so(office) -> None:  # type: ignore[no-untyped-def]
    client, _, sink, _ = office
    answers = {client.post("/office/signin", data={"email": OFFICE}).text for _ in range(8)}
    assert len(answers) == 1
    assert len(sink.sent) == SignInLimits.PAIR


def test_an_attacker_cannot_lock_a_member_out_of_signing_in(office) -> None:  # type: ignore[no-untyped-def]
    client, _, sink, clock = office
    for n in range(12):  # twelve clients ask for the member's links, five times each
        attacker = TestClient(
            client.app, base_url="http://desk.test", client=(f"198.51.100.{n}", 1)
        )
        for _ in range(5):
            attacker.post("/office/signin", data={"email": OFFICE})
    assert len(sink.sent) == SignInLimits.ADDRESS  # the member's mailbox, at most this full
    member = TestClient(client.app, base_url="http://desk.test", client=("203.0.113.5", 1))
    member.post("/office/signin", data={"email": OFFICE})
    assert len(sink.sent) == SignInLimits.ADDRESS  # no new link, but the newest one works:
    newest = re.search(r"http://desk\.test(/office/signin/\S+)", sink.sent[-1]).group(1)  # type: ignore[union-attr]
    clock.now = NOW + timedelta(minutes=14, seconds=59)
    assert "Office view" in member.post(newest).text
    clock.now = NOW + timedelta(minutes=15)  # the flood has aged out: the member asks again
    member.post("/office/signin", data={"email": OFFICE})
    assert len(sink.sent) == SignInLimits.ADDRESS + 1


@pytest.mark.parametrize(
    ("requests", "allowed"),
    [
        ([("c1", f"a{n}@x.org") for n in range(11)], [True] * 10 + [False]),  # per client
        ([("c1", "a@x.org")] * 4 + [("c2", "a@x.org")], [True] * 3 + [False, True]),  # per pair
        ([(f"c{n}", "a@x.org") for n in range(21)], [True] * 20 + [False]),  # per address
    ],
)
def test_sign_in_limits_per_client_pair_and_address(
    requests: list[tuple[str, str]], allowed: list[bool]
) -> None:
    limits = SignInLimits(lambda: 0.0)
    assert [limits.allow(client, email) for client, email in requests] == allowed


def test_signing_out_needs_the_sessions_csrf_token(office) -> None:  # type: ignore[no-untyped-def]
    client, _, sink, _ = office
    csrf = signed_in(client, sink)
    refused = client.post("/office/signout", data={"csrf": "forged"}, follow_redirects=False)
    assert refused.status_code == 403
    assert "Office view" in client.get("/office").text  # still signed in
    done = client.post("/office/signout", data={"csrf": csrf}, follow_redirects=False)
    assert done.status_code == 303
    assert "Email me a sign-in link" in client.get("/office").text


def _propose(session: Session, action_id: int, label: str = "2027-06-30") -> ActionUpdate:
    actor = updates.Actor(AIDA, "Aida Bekova", "web")
    change = updates.Change(proposed_deadline=label, proposal_reason="Funding arrives in May")
    row = updates.record(session, action_id, actor, change, NOW, NOW.date())
    session.commit()
    return row


def test_a_proposal_changes_nothing_until_the_office_accepts_it(office) -> None:  # type: ignore[no-untyped-def]
    client, session, sink, _ = office
    action_id = only_of(session, "UNW", ("ILO", "IOM"))
    original = session.get_one(KeyAction, action_id).deadline_label
    proposal = _propose(session, action_id)
    session.expire_all()
    assert session.get_one(KeyAction, action_id).deadline_label == original
    csrf = signed_in(client, sink)
    assert "Funding arrives in May" in client.get("/office").text
    missing_csrf = client.post(f"/office/proposals/{proposal.id}", data={"decision": "accept"})
    assert missing_csrf.status_code == 403
    client.post(
        f"/office/proposals/{proposal.id}",
        data={"csrf": csrf, "decision": "accept", "note": "Agreed"},
    )
    session.expire_all()
    action = session.get_one(KeyAction, action_id)
    assert (action.deadline_label, action.due_date) == ("2027-06-30", date(2027, 6, 30))
    assert action.original_deadline_label == original
    decided = session.get_one(ActionUpdate, proposal.id)
    assert (decided.proposal_state, decided.decided_by, decided.decision_note) == (
        "accepted",
        OFFICE,
        "Agreed",
    )
    assert "revised from" in client.get("/office").text
    # The tracker, imported again, still gives the original deadline: the accepted one stays.
    import_file(session, EXAMPLES / "fergana-valley-management-response.txt", NOW + timedelta(1))
    session.commit()
    session.expire_all()
    assert session.get_one(KeyAction, action_id).deadline_label == "2027-06-30"
    again = client.post(
        f"/office/proposals/{proposal.id}", data={"csrf": csrf, "decision": "decline"}
    )
    assert again.status_code == 409  # decided once


def test_a_declined_proposal_keeps_the_deadline(office) -> None:  # type: ignore[no-untyped-def]
    client, session, sink, _ = office
    action_id = only_of(session, "UNW", ("ILO", "IOM"))
    original = session.get_one(KeyAction, action_id).deadline_label
    proposal = _propose(session, action_id)
    csrf = signed_in(client, sink)
    client.post(
        f"/office/proposals/{proposal.id}", data={"csrf": csrf, "decision": "decline", "note": "No"}
    )
    session.expire_all()
    assert session.get_one(KeyAction, action_id).deadline_label == original
    assert session.get_one(KeyAction, action_id).original_deadline_label is None
    assert session.get_one(ActionUpdate, proposal.id).proposal_state == "declined"


def test_downloads_need_a_session(office) -> None:  # type: ignore[no-untyped-def]
    client, _, sink, _ = office
    assert client.get("/office/export.csv").status_code == 403
    signed_in(client, sink)
    csv_file = client.get("/office/export.csv")
    assert csv_file.status_code == 200 and "Key Action" in csv_file.text
    assert client.get("/office/export.xlsx").content[:2] == b"PK"
    assert client.get("/office/export.ods").status_code == 404


def test_the_report_page_needs_a_session_and_shows_the_portfolio(office) -> None:  # type: ignore[no-untyped-def]
    client, _, sink, _ = office
    assert client.get("/office/report").status_code == 403
    signed_in(client, sink)
    page = client.get("/office/report?as_of=2027-01-15")
    assert page.status_code == 200
    assert "Implementation" in page.text and "<svg" in page.text  # figures and their charts
    # Its charts need inline styles; scripts stay forbidden, and other pages keep the strict policy.
    policy = page.headers["content-security-policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy and "script-src" not in policy
    assert "default-src 'none'" in policy
    assert "unsafe-inline" not in client.get("/office").headers["content-security-policy"]
    assert client.get("/static/report.css").headers["content-type"].startswith("text/css")


def test_the_next_run_honours_completed_and_away(
    session: Session, database_url: str, tmp_path: Path
) -> None:
    load_examples(session)
    settings = desk_settings(database_url, tmp_path)
    as_of = NOW.date()
    before = DigestFinder(session, settings, as_of).digest_for(AIDA)
    assert before is not None
    done = before.items[0].action_id
    updates.record(
        session,
        done,
        updates.Actor(AIDA, "Aida", "web"),
        updates.Change(status="completed"),
        NOW,
        as_of,
    )
    session.commit()
    after = DigestFinder(session, settings, as_of).digest_for(AIDA)
    assert done not in {item.action_id for item in (after.items if after else [])}
    # Chynara comes back early: her reminders come to her, not to her alternate Timur.
    iom = only_of(session, "IOM", ("UNW", "ILO"))
    assert iom in {
        i.action_id for i in DigestFinder(session, settings, as_of).digest_for(TIMUR).items
    }  # type: ignore[union-attr]
    updates.set_away(session, CHYNARA, None, as_of)
    session.commit()
    back = DigestFinder(session, settings, as_of).digest_for(CHYNARA)
    assert back is not None and iom in {i.action_id for i in back.items}
