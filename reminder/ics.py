"""A person's open key actions as an iCalendar feed: one all-day event on each due day.

UIDs are stable per action (a calendar client updates the event when the deadline moves);
the description carries the evaluation and recommendation, and a link back to the desk.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, timedelta

from icalendar import Calendar, Event

from reminder.snapshots import ActionSnapshot

PRODUCT = "-//reminder//status desk//EN"


def uid_of(action_id: int) -> str:
    return f"key-action-{action_id}@reminder"


def calendar(actions: Iterable[ActionSnapshot], page_link: str) -> bytes:
    """The feed; actions without a due day are left out (they have no day to show)."""
    feed = Calendar()
    feed.add("prodid", PRODUCT)
    feed.add("version", "2.0")
    feed.add("x-wr-calname", "Key actions")
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
        event.add("summary", f"Due: {number}{action.text}"[:200])
        recommendation = action.recommendation_number or str(action.recommendation_position)
        event.add(
            "description",
            f"{action.evaluation}\n"
            f"Recommendation {recommendation}: {action.recommendation}\n"
            f"Deadline: {action.deadline_label} - status: {action.status_label}\n"
            f"Update: {page_link}",
        )
        if page_link:
            event.add("url", page_link)
        feed.add_component(event)
    return bytes(feed.to_ical())
