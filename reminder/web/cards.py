"""The action cards of a person's page, written in Python and kept in a bounded cache.

A page lists some forty cards; through Jinja2 macros, one gettext call per string and
markupsafe per value they were two thirds of its CPU (bench/README.md, "The status desk under
load"). Here each locale's words are looked up once (`Words`), a card is built with plain
string joins, and its HTML is cached by everything it shows: the locale, the action's
snapshot, its reason and day count on the day, and its history's version (`desk.DeskAction`).
The card's Update link holds the person's token, so the cache keeps the HTML around it and
the link is put in per page. Each server process has its own cache; a key never goes stale,
it just stops being asked for. The output is the same as the template macros give the action
page (`templates/web/_macros.html`, `facts` and `history`); tests/test_desk_cards.py holds
the two together.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date

from babel.support import Translations
from markupsafe import Markup

from reminder import i18n
from reminder.desk import DeskAction, DeskEvaluation, DeskSection
from reminder.updates import HistoryRow

CACHE_SIZE = 20_000  # cards; ~3 KB each with its key, so at most ~60 MB per process
SOURCES = {"web": "status desk", "office": "evaluation office"}
# Section headings by reason, as the `heading` macro of templates/web/_macros.html.
HEADINGS = {
    "escalation": "Escalated: long overdue",
    "overdue": "Overdue",
    "due_soon": "Due soon",
    "stale": "Please confirm the status",
    "no_deadline": "Needs a deadline",
    "open": "Other open actions",
}
WORDS = (
    "Deadline",
    "none",
    "Status",
    "Responsible",
    "Comments",
    "Update",
    "due today",
    "no deadline",
    "on track",
    "status desk",
    "evaluation office",
    "import",
    "Evidence:",
    "No updates recorded yet.",
    *HEADINGS.values(),
)


PROPOSAL_STATES = {
    "pending": "waiting for the evaluation office",
    "accepted": "accepted",
    "declined": "declined",
}


def escape(value: object) -> str:
    """HTML-escaped as markupsafe (and so Jinja2) escapes it, as a plain string: markupsafe's
    `escape` builds a Markup object per value, and a page never seen escapes some 750."""
    html = getattr(value, "__html__", None)
    if html is not None:
        return str(html())
    text = str(value)
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = text.replace('"', "&#34;").replace("'", "&#39;")
    return text


class Words:
    """One locale's words for the cards, looked up once (gettext per string per card was a
    large part of a page's CPU)."""

    def __init__(self, locale: str, translations: Translations) -> None:
        self.locale = locale
        self.t = translations
        self.word = {w: Markup(_fill(translations.gettext(w), {})) for w in WORDS}
        self.proposal = {
            state: Markup(_fill(str(translations.pgettext("proposal", message)), {}))
            for state, message in PROPOSAL_STATES.items()
        }
        self.status_name = i18n.status_namer(translations)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _fill(self.t.ngettext(singular, plural, n), {"num": n})

    def gettext(self, message: str, **values: object) -> str:
        return _fill(self.t.gettext(message), {k: escape(v) for k, v in values.items()})

    def long_date(self, day: date) -> str:
        return str(escape(i18n.long_date(day, self.locale)))


def _fill(text: str, values: dict[str, object]) -> str:
    """As the templates' newstyle gettext: always %-formatted, the translation trusted."""
    return text % values


class CardCache:
    """The cards' HTML by key, least recently used dropped first; safe across the server's
    worker threads."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._cards: OrderedDict[Hashable, tuple[str, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[str, str] | None:
        with self._lock:
            found = self._cards.get(key)
            if found is not None:
                self._cards.move_to_end(key)
            return found

    def put(self, key: Hashable, card: tuple[str, str]) -> None:
        with self._lock:
            self._cards[key] = card
            self._cards.move_to_end(key)
            while len(self._cards) > self.size:
                self._cards.popitem(last=False)

    def __len__(self) -> int:
        return len(self._cards)


def key_of(item: DeskAction, locale: str) -> Hashable:
    """Everything a card shows, but the person's link."""
    return (locale, item.action, item.reason, item.days, item.history_version)


def cards(
    items: list[DeskAction],
    words: Words,
    cache: CardCache,
    path_of: Callable[[int], str],
    load_history: Callable[[list[DeskAction]], None],
) -> dict[int, Markup]:
    """Each item's card (by action id), from the cache or built; `load_history` fills the
    history of the items not cached (one query for them all)."""
    found: dict[int, tuple[str, str]] = {}
    missing = []
    for item in items:
        card = cache.get(key_of(item, words.locale))
        if card is None:
            missing.append(item)
        else:
            found[item.action.id] = card
    if missing:
        load_history(missing)
        for item in missing:
            card = card_parts(item, words)
            cache.put(key_of(item, words.locale), card)
            found[item.action.id] = card
    return {
        action_id: Markup(f"{head}{escape(path_of(action_id))}{tail}")
        for action_id, (head, tail) in found.items()
    }


def sections_html(sections: list[DeskSection], words: Words, card: dict[int, Markup]) -> Markup:
    """The page's sections, evaluations and recommendations around the cards, as
    person.html wrote them with a Jinja2 loop (a third of the page's remaining CPU)."""
    out = []
    for section in sections:
        reason = escape(section.reason)
        heading = words.word.get(HEADINGS.get(section.reason, "open"), HEADINGS["open"])
        lines = [
            f'<section class="section reason-{reason}" aria-labelledby="s-{reason}">',
            f'<h2 id="s-{reason}">{heading} ({section.count})</h2>',
        ]
        for ev in section.evaluations:
            lines.append(_evaluation_heading(ev))
            for rec in ev.recommendations:
                label = words.gettext("Recommendation %(label)s:", label=rec.label)
                lines.append(f'<p class="rec">{label} {escape(rec.text)}</p>')
                lines.extend(card[item.action.id] for item in rec.actions)
        lines.append("</section>")
        out.append("\n".join(lines))
    return Markup("\n".join(out))


def _evaluation_heading(ev: DeskEvaluation) -> str:
    title = escape(ev.title)
    if ev.source_url:
        title = Markup(f'<a href="{escape(ev.source_url)}" rel="noreferrer noopener">{title}</a>')
    office = f' <span class="muted">&middot; {escape(ev.office)}</span>' if ev.office else ""
    return f"<h3>{title}{office}</h3>"


def card_parts(item: DeskAction, words: Words) -> tuple[str, str]:
    """A card's HTML before and after its Update link's address."""
    a = item.action
    number = f"{escape(a.number)} " if a.number else ""
    head = (
        f'<article class="card" id="action-{a.id}">\n'
        f"<h4>{number}{escape(a.text)}</h4>\n"
        f"{facts(item, words)}\n"
    )
    proposal = item.pending_proposal
    if proposal is not None:
        head += (
            '<p class="note">'
            + words.gettext(
                "Deadline %(label)s proposed; waiting for the evaluation office.",
                label=proposal.proposed_deadline_label,
            )
            + "</p>"
        )
    head += '<p><a class="button" href="'
    summary = words.ngettext(
        "History (%(num)d update)", "History (%(num)d updates)", len(item.history)
    )
    tail = (
        f'">{words.word["Update"]}</a></p>\n'
        f"<details><summary>{summary}</summary>{history(item.history, words)}</details>\n"
        "</article>"
    )
    return head, tail


def facts(item: DeskAction, words: Words) -> str:
    """As the `facts` macro: deadline, status, responsible and comments."""
    a, w = item.action, words.word
    due = ""
    if a.due:
        due = " &middot; " + words.gettext("due on %(day)s", day=Markup(words.long_date(a.due)))
    comments = ""
    if a.comments:
        comments = f'<dt>{w["Comments"]}</dt><dd class="comment">{escape(a.comments)}</dd>'
    return (
        '<dl class="facts">\n'
        f"<dt>{w['Deadline']}</dt><dd>{escape(a.deadline_label or w['none'])}{due}"
        f" &middot; <strong>{when(item, words)}</strong></dd>\n"
        f"<dt>{w['Status']}</dt><dd>{escape(words.status_name(a.status))}</dd>\n"
        f"<dt>{w['Responsible']}</dt><dd>{escape(a.responsible_text)}</dd>\n"
        f"{comments}</dl>\n"
    )


def when(item: DeskAction, words: Words) -> str:
    """As the `when` macro: the day count of the action's reason."""
    if item.reason in ("overdue", "escalation"):
        return words.ngettext("overdue by %(num)s day", "overdue by %(num)s days", item.days)
    if item.reason == "due_soon":
        if item.days == 0:
            return words.word["due today"]
        return words.ngettext("due in %(num)s day", "due in %(num)s days", item.days)
    if item.reason == "stale":
        return words.ngettext("no update for %(num)s day", "no update for %(num)s days", item.days)
    if item.reason == "no_deadline":
        return words.word["no deadline"]
    return words.word["on track"]


def history(rows: list[HistoryRow], words: Words) -> str:
    """As the `history` macro: the updates, newest first."""
    if not rows:
        return f'<p class="muted">{words.word["No updates recorded yet."]}</p>\n'
    return '<ol class="history">\n' + "".join(_row(row, words) for row in rows) + "</ol>\n"


def _row(row: HistoryRow, words: Words) -> str:
    w = words.word
    source = w[SOURCES.get(row.source, "import")]
    at = row.recorded_at
    line = (
        f'<li><span class="muted">{words.long_date(at.date())}, {at.strftime("%H:%M")} UTC'
        f" &middot; {escape(row.actor_name or row.actor)} &middot; {source}</span><br>\n"
    )
    if row.new_status:
        old = escape(words.status_name(row.old_status)) if row.old_status else "-"
        change = Markup(f"{old} → {escape(words.status_name(row.new_status))}")
        line += words.gettext("Status: %(change)s", change=change) + "<br>"
    if row.comment:
        line += f'<span class="comment">{escape(row.comment)}</span><br>'
    if row.evidence_url:
        url = escape(row.evidence_url)
        line += f'{w["Evidence:"]} <a href="{url}" rel="noreferrer noopener">{url}</a><br>'
    if row.proposed_deadline_label:
        state = words.proposal.get(row.proposal_state or "", escape(str(row.proposal_state)))
        line += words.gettext(
            "Proposed deadline %(label)s (%(state)s)",
            label=row.proposed_deadline_label,
            state=Markup(state),
        )
        if row.proposal_reason:
            line += f": {escape(row.proposal_reason)}"
    return line + "</li>\n"
