"""The person page's action cards (reminder.web.cards): the same HTML as the template macros
the action page uses, in every language, and a cache that never shows a stale card."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import markupsafe
import pytest
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from reminder import access, desk, i18n, updates
from reminder.config import load_settings
from reminder.db import make_session_factory
from reminder.models import ActionUpdate
from reminder.web import cards
from reminder.web.app import create_app
from reminder.web.rendering import Pages
from tests.desk_setup import AIDA, NOW, actions_of, desk_settings, load_examples
from tests.test_desk_web import link

WEB = updates.Actor(AIDA, "Aida <Bekova>", "web")
OFFICE = updates.Actor("office@kg.example.org", None, "office")


def _histories(session: Session, action_ids: list[int]) -> None:
    """Every kind of history row: status changes, markup in comments and links, and deadline
    proposals pending, accepted and declined."""
    for n, action_id in enumerate(action_ids[:4]):
        change = updates.Change(
            status=("initiated", "not_initiated", None, "no_longer_applicable")[n],
            comment=f"Done <b>{n}</b> & reported",
            evidence_url="https://ex.org/report?a=1&b=<2>" if n % 2 else None,
            proposed_deadline="Q3 2027" if n else None,
            proposal_reason="Needs <time>" if n else None,
        )
        row = updates.record(session, action_id, WEB, change, NOW, NOW.date())
        if n in (1, 2):
            later = NOW + timedelta(hours=n)
            updates.decide(session, row.id, n == 1, OFFICE, "ok & <fine>", later)
        if n == 3:  # reopened, so it is still on the page
            reopen = updates.Change(status="initiated", comment="Reopened")
            updates.record(session, action_id, WEB, reopen, NOW, NOW.date())
    session.commit()


@pytest.fixture
def examples(engine) -> Iterator[Session]:  # type: ignore[no-untyped-def]
    with make_session_factory(engine)() as session:
        load_examples(session)
        yield session


def test_cards_match_the_macros_of_the_action_page_in_every_language(
    examples: Session, tmp_path: Path
) -> None:
    _histories(examples, actions_of(examples, "UNW"))
    settings = load_settings(database_url="sqlite://", timezone="UTC")
    scope = access.scope_of(examples, AIDA, NOW.date())
    sections = desk.person_page(examples, scope, NOW.date(), settings.policy).sections
    items = [
        i for s in sections for e in s.evaluations for r in e.recommendations for i in r.actions
    ]
    desk.load_history(examples, items)
    assert {len(i.history) for i in items} >= {2, 3}  # imported and updated, decided
    assert {i.reason for i in items} >= {"overdue", "open"}
    pages = Pages(i18n.Catalogs())
    for locale in pages.catalogs.locales:
        macros = pages.environment(locale).get_template("_macros.html").module
        words = pages.words(locale)
        for item in items:
            assert cards.facts(item, words) == str(macros.facts(item)), (locale, item.action.id)
            assert cards.history(item.history, words) == str(macros.history(item.history)), (
                locale,
                item.action.id,
            )
    assert cards.history([], pages.words("fr")) == str(
        pages.environment("fr").get_template("_macros.html").module.history([])
    )
    for locale in pages.catalogs.locales:  # the loop person.html had, cards given
        card = {i.action.id: Markup(f"<article>{i.action.id}</article>") for i in items}
        loop = pages.environment(locale).from_string(SECTIONS_LOOP)
        expected = loop.render(sections=sections, cards=card)
        # person.html puts the line's end after it
        assert cards.sections_html(sections, pages.words(locale), card) + "\n" == expected, locale


def test_sections_keep_their_markup_escaped() -> None:
    ev = desk.DeskEvaluation("A <b> & co", "Office <1>", "https://ex.org/?a=1&b=<2>")
    ev.recommendations.append(desk.DeskRecommendation("<3>", "Do <this> & that"))
    html = cards.sections_html([desk.DeskSection("odd<reason>", [ev])], _english(), {})
    expected = Pages(i18n.Catalogs()).environment("en").from_string(SECTIONS_LOOP)
    assert html + "\n" == expected.render(
        sections=[desk.DeskSection("odd<reason>", [ev])], cards={}
    )
    assert "<b>" not in html and "<this>" not in html


def _english() -> cards.Words:
    return Pages(i18n.Catalogs()).words("en")


SECTIONS_LOOP = """{% import "_macros.html" as m %}
{%- for section in sections %}
<section class="section reason-{{ section.reason }}" aria-labelledby="s-{{ section.reason }}">
<h2 id="s-{{ section.reason }}">{{ m.heading(section.reason) }} ({{ section.count }})</h2>
{% for ev in section.evaluations %}
<h3>{% if ev.source_url %}<a href="{{ ev.source_url }}" rel="noreferrer noopener">{{ ev.title }}</a>\
{% else %}{{ ev.title }}{% endif %}{% if ev.office %} <span class="muted">&middot; \
{{ ev.office }}</span>{% endif %}</h3>
{% for rec in ev.recommendations %}
<p class="rec">{% trans label=rec.label %}Recommendation {{ label }}:{% endtrans %} {{ rec.text }}</p>
{% for item in rec.actions %}
{{ cards[item.action.id] }}
{% endfor %}
{% endfor %}
{% endfor %}
</section>
{% endfor %}"""


def test_a_cached_card_follows_its_history(engine, database_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with make_session_factory(engine)() as session:
        load_examples(session)
        action_id = actions_of(session, "UNW")[0]
        app = create_app(desk_settings(database_url, tmp_path), clock=lambda: NOW)
        with TestClient(app, base_url="http://desk.test") as client:
            page = f"/p/{link(AIDA)}"
            assert "proposed; waiting" not in client.get(page).text  # the card is now cached
            change = updates.Change(proposed_deadline="Q4 2027", proposal_reason="late data")
            updates.record(session, action_id, WEB, change, NOW, NOW.date())
            session.commit()
            assert "Deadline Q4 2027 proposed; waiting" in client.get(page).text
            pending = session.scalar(
                select(ActionUpdate.id).where(ActionUpdate.proposal_state == "pending")
            )
            assert pending is not None
            # Declining changes nothing of the action itself, only its history.
            updates.decide(session, pending, False, OFFICE, "no", NOW + timedelta(hours=1))
            session.commit()
            shown = client.get(page).text
            assert "proposed; waiting" not in shown
            assert "Proposed deadline Q4 2027 (declined): late data" in shown


def test_the_card_cache_keeps_the_most_recently_used() -> None:
    cache = cards.CardCache(size=2)
    cache.put("a", ("a1", "a2"))
    cache.put("b", ("b1", "b2"))
    assert cache.get("a") == ("a1", "a2")  # a is now the most recent
    cache.put("c", ("c1", "c2"))
    assert len(cache) == 2
    assert cache.get("b") is None  # the least recently used went
    assert cache.get("a") == ("a1", "a2") and cache.get("c") == ("c1", "c2")


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        "a & b",
        "<script>alert(1)</script>",
        'say "hi"',
        "it's",
        "",
        42,
        Markup("<b>ok</b>"),
    ],
)
def test_cards_escape_as_markupsafe_does(value: object) -> None:
    # The cards must stay byte for byte what the templates give, which escape with markupsafe.
    assert cards.escape(value) == str(markupsafe.escape(value))
