"""A person's open key actions as an iCalendar feed: one all-day event on each due day.

UIDs are stable per action (a calendar client updates the event when the deadline moves);
the description carries the evaluation and recommendation, and a link back to the desk. The
words speak the person's language as their desk page does (the caller passes its catalog).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, timedelta

from babel.support import Translations
from icalendar import Calendar, Event

from reminder import i18n
from reminder.snapshots import ActionSnapshot

PRODUCT = "-//reminder//status desk//EN"


def uid_of(action_id: int) -> str:
    return f"key-action-{action_id}@reminder"


def calendar(
    actions: Iterable[ActionSnapshot],
    page_link: str,
    translations: Translations | None = None,
) -> bytes:
    """The feed; actions without a due day are left out (they have no day to show)."""
    words = translations or Translations()  # no catalog: English
    status_name = i18n.status_namer(words)
    feed = Calendar()
    feed.add("prodid", PRODUCT)
    feed.add("version", "2.0")
    feed.add("x-wr-calname", words.gettext("Key actions"))
    for action in actions:
        if action.due is None:
            continue
        event = Event()
        event.add("uid", uid_of(action.id))
        # DTSTAMP must be UTC; the last status change is stable between fetches.
        event.add("dtstamp", action.status_changed_at.astimezone(UTC))
        event.add("dtstart", action.due)
        event.add("dtend", action.due + timedelta(days=1))
        number = f"{action.number} " if action.number else ""
        summary = words.gettext("Due: %(action)s") % {"action": number + action.text}
        event.add("summary", summary[:200])
        event.add("description", _description(action, page_link, words, status_name))
        if page_link:
            event.add("url", page_link)
        feed.add_component(event)
    return bytes(feed.to_ical())


def _description(
    action: ActionSnapshot,
    page_link: str,
    words: Translations,
    status_name: Callable[[str], str],
) -> str:
    recommendation = action.recommendation_number or str(action.recommendation_position)
    lines = [
        action.evaluation,
        words.gettext("Recommendation %(number)s: %(text)s")
        % {"number": recommendation, "text": action.recommendation},
        words.gettext("Deadline: %(deadline)s - status: %(status)s")
        % {"deadline": action.deadline_label, "status": status_name(action.status)},
    ]
    if page_link:
        lines.append(words.gettext("Update: %(link)s") % {"link": page_link})
    return "\n".join(lines)
