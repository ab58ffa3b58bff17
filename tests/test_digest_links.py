"""Digests link to the status desk when it has an address, and say who to act with."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from reminder.links import PAGE, Links
from reminder.mime import build_message, message_id_for
from reminder.planning import DigestFinder
from reminder.render import Renderer
from tests.desk_setup import AIDA, KEY, NOW, OFFICE, desk_settings, load_examples

AS_OF = NOW.date()


def rendered_for(session: Session, settings, email: str = AIDA):  # type: ignore[no-untyped-def]
    digest = DigestFinder(session, settings, AS_OF).digest_for(email)
    assert digest is not None
    renderer = Renderer(settings)
    rendered = renderer.render(digest, AS_OF, NOW)
    return digest, rendered


def test_every_action_has_an_update_link_and_the_top_opens_the_page(
    session: Session, database_url: str, tmp_path: Path
) -> None:
    load_examples(session)
    settings = desk_settings(database_url, tmp_path)
    digest, rendered = rendered_for(session, settings)
    for body in (rendered.text, rendered.html):
        for item in digest.items:
            assert re.search(rf"http://desk\.test/p/[\w.-]+/actions/{item.action_id}\b", body)
        assert "use the Update link" in body
        assert "reply to your evaluation focal point" not in body
    assert "Open my actions: http://desk.test/p/" in rendered.text
    token = re.search(r"Open my actions: http://desk\.test/p/([\w.-]+)", rendered.text).group(1)  # type: ignore[union-attr]
    links = Links(KEY, 45, clock=lambda: NOW + timedelta(days=1))
    assert links.open(token, PAGE) == AIDA  # names the person it was sent to


def test_without_a_base_url_digests_carry_no_links(
    session: Session, database_url: str, tmp_path: Path
) -> None:
    load_examples(session)
    settings = desk_settings(database_url, tmp_path, web_base_url=None)
    _, rendered = rendered_for(session, settings)
    assert "http://desk.test" not in rendered.text + rendered.html
    assert "Update:" not in rendered.text


def test_reply_to_is_the_evaluation_office_unless_set(
    session: Session, database_url: str, tmp_path: Path
) -> None:
    load_examples(session)
    for extra, expected in (
        ({}, OFFICE),
        ({"reply_to": "M&E <me@kg.example.org>"}, "me@kg.example.org"),
    ):
        settings = desk_settings(database_url, tmp_path, **extra)
        digest, rendered = rendered_for(session, settings)
        message = build_message(
            rendered, digest, settings, message_id_for(AIDA, AS_OF, settings.sender), NOW
        )
        [reply_to] = [line for line in message.split("\r\n") if line.startswith("Reply-To:")]
        assert expected in reply_to


def test_escalation_copies_name_who_to_chase(
    session: Session, database_url: str, tmp_path: Path
) -> None:
    load_examples(session)
    settings = desk_settings(database_url, tmp_path)
    digest, rendered = rendered_for(session, settings, "sara.lindqvist@ilo.example.org")
    assert any(item.capacity == "escalation" for item in digest.items)
    assert (
        "Please follow up with: Marat Dzhumabaev <marat.dzhumabaev@ilo.example.org>"
        in rendered.text
    )


def test_an_accepted_proposal_shows_the_deadline_it_revised(
    session: Session, database_url: str, tmp_path: Path
) -> None:
    from reminder import updates

    load_examples(session)
    settings = desk_settings(database_url, tmp_path)
    digest, _ = rendered_for(session, settings)
    item = next(i for i in digest.items if i.finding.action.due is not None)
    original = item.finding.action.deadline_label
    aida = updates.Actor(AIDA, "Aida", "web")
    change = updates.Change(proposed_deadline="2027-01-20", proposal_reason="Waiting for data")
    proposal = updates.record(session, item.action_id, aida, change, NOW, AS_OF)
    updates.decide(session, proposal.id, True, updates.Actor(OFFICE, None, "office"), None, NOW)
    session.commit()
    _, rendered = rendered_for(session, settings)
    assert f"Deadline revised from {original}" in rendered.text
    assert f"Deadline revised from {original}" in rendered.html
