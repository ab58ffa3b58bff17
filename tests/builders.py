"""Small builders for pure-stage tests: snapshots and directories with sensible defaults."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from reminder.deadlines import parse_deadline
from reminder.routing import Directory, PartyInfo, Person
from reminder.snapshots import ActionSnapshot

BASE = ActionSnapshot(
    id=1, evaluation_id=1, evaluation="Evaluation A", office="Bishkek (CO)", source_url=None,
    recommendation_position=1, recommendation_number="1", recommendation="Do better",
    number="1.1", position=1, text="Map the services", due=None, deadline_precision="none",
    deadline_label="", status="initiated", status_label="Initiated", comments=None,
    responsible=("UNW",), responsible_text="UN Women", unresolved=(),
    status_changed_at=datetime(2026, 1, 1, tzinfo=UTC), updated_on=None,
)  # fmt: skip


def action(
    deadline: str = "", *, changed: date = date(2026, 1, 1), **overrides: Any
) -> ActionSnapshot:
    parsed = parse_deadline(deadline)
    values: dict[str, Any] = {
        "due": parsed.due, "deadline_precision": parsed.precision, "deadline_label": parsed.label,
        "status_changed_at": datetime.combine(changed, datetime.min.time(), UTC),
    }  # fmt: skip
    values.update(overrides)
    return BASE._replace(**values)


def person(name: str, **kwargs: Any) -> Person:
    return Person(f"{name}@example.org", name.title(), kwargs.pop("locale", None), **kwargs)


def directory(*parties: PartyInfo) -> Directory:
    result = Directory()
    for party in parties:
        result.parties[party.code] = party
        for member in (*party.primaries, *party.escalations):
            result.people[member.email] = member
    return result
