"""Rules, table-driven: one line per case, saying what it proves."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from reminder.clock import local_today
from reminder.config import Policy
from reminder.rules import Told, action_state, condition, escalation_of, is_due
from tests.builders import action

POLICY = Policy()

CONDITIONS = [
    # deadline, status, as_of, last change, expected (reason, days, milestone): what it proves
    ("2022/02", "initiated", date(2022, 2, 28), None, ("due_soon", 0, 1)),  # due on the month's last day
    ("2022/02", "initiated", date(2022, 3, 1), None, ("overdue", 1, 0)),  # overdue from the next day
    ("2024/02", "initiated", date(2024, 2, 29), None, ("due_soon", 0, 1)),  # leap day is still in time
    ("2024/02", "initiated", date(2024, 3, 1), None, ("overdue", 1, 0)),  # leap February ends on the 29th
    ("Q3 2022", "not_initiated", date(2022, 9, 30), None, ("due_soon", 0, 1)),  # quarter ends 30 Sep
    ("Q3 2022", "not_initiated", date(2022, 10, 1), None, ("overdue", 1, 0)),
    ("2022", "open", date(2023, 1, 1), None, ("overdue", 1, 0)),  # a year ends on 31 Dec
    ("2022-03-31", "initiated", date(2022, 3, 1), None, ("due_soon", 30, 30)),  # first milestone
    ("2022-03-31", "initiated", date(2022, 2, 28), None, None),  # 31 days out: nothing yet
    ("2022-03-31", "initiated", date(2022, 3, 23), None, ("due_soon", 8, 30)),  # between milestones
    ("2022-03-31", "initiated", date(2022, 3, 24), None, ("due_soon", 7, 7)),  # second milestone
    ("2022-03-31", "initiated", date(2022, 3, 30), None, ("due_soon", 1, 1)),  # last milestone
    ("2022-03-31", "completed", date(2022, 5, 1), None, None),  # closed actions never appear
    ("2022-03-31", "no_longer_applicable", date(2022, 5, 1), None, None),
    ("2022-03-31", "initiated", date(2022, 4, 30), None, ("overdue", 30, 1)),  # escalation level 1
    ("2022-03-31", "initiated", date(2022, 4, 29), None, ("overdue", 29, 0)),  # not yet escalated
    ("2022-03-31", "initiated", date(2022, 6, 29), None, ("overdue", 90, 2)),  # office level
    ("2022-03-31", "initiated", date(2022, 6, 28), None, ("overdue", 89, 1)),
    ("", "initiated", date(2022, 6, 1), date(2022, 5, 1), ("no_deadline", 0, None)),
    ("No due date", "open", date(2022, 6, 1), date(2021, 1, 1), ("no_deadline", 0, None)),  # a deadline first
    ("2023/12", "initiated", date(2022, 6, 1), date(2022, 3, 3), ("stale", 90, None)),  # 90 days idle
    ("2023/12", "initiated", date(2022, 6, 1), date(2022, 3, 4), None),  # 89 days: not stale
]  # fmt: skip


@pytest.mark.parametrize(("deadline", "status", "as_of", "changed", "expected"), CONDITIONS)
def test_conditions(deadline, status, as_of, changed, expected):  # type: ignore[no-untyped-def]
    snapshot = action(deadline, status=status, changed=changed or date(2022, 1, 1))
    finding = condition(snapshot, as_of, POLICY)
    got = (finding.reason, finding.days, finding.milestone) if finding else None
    assert got == expected


def test_last_update_stamp_counts_as_a_status_change() -> None:
    snapshot = action("2023/12", changed=date(2021, 1, 1), updated_on=date(2022, 5, 1))
    assert condition(snapshot, date(2022, 6, 1), POLICY) is None


CADENCE = [
    # reason, days, milestone, told, as_of, due?: what it proves
    ("due_soon", 30, 30, Told(), date(2022, 3, 1), True),  # first milestone, never told
    ("due_soon", 25, 30, Told(milestones=frozenset({30})), date(2022, 3, 6), False),  # once only
    ("due_soon", 5, 7, Told(milestones=frozenset({30})), date(2022, 3, 26), True),  # next milestone
    ("due_soon", 5, 7, Told(milestones=frozenset({7})), date(2022, 3, 26), False),
    ("due_soon", 0, 1, Told(milestones=frozenset({30, 7})), date(2022, 3, 31), True),
    ("due_soon", 5, 7, Told(), date(2022, 3, 26), True),  # 30 and 7 crossed between runs: one reminder
    ("due_soon", 0, 1, Told(milestones=frozenset({1})), date(2022, 3, 31), False),  # day 1 then day 0
    ("overdue", 3, 0, Told(), date(2022, 4, 3), True),
    ("overdue", 9, 0, Told(last={"overdue": date(2022, 4, 3)}), date(2022, 4, 9), False),  # 6 days later
    ("overdue", 10, 0, Told(last={"overdue": date(2022, 4, 3)}), date(2022, 4, 10), True),  # 7 days later
    ("stale", 95, None, Told(last={"stale": date(2022, 6, 1)}), date(2022, 6, 20), False),
    ("stale", 120, None, Told(last={"stale": date(2022, 6, 1)}), date(2022, 7, 1), True),  # 30 days
    ("no_deadline", 0, None, Told(last={"no_deadline": date(2022, 6, 1)}), date(2022, 6, 30), False),
    ("no_deadline", 0, None, Told(last={"no_deadline": date(2022, 6, 1)}), date(2022, 7, 1), True),
    # One cadence per (person, action), whatever the reason (issue 11, 8b): a primary who is
    # also the escalation contact, told "overdue" yesterday, is not told "escalation" today.
    ("escalation", 40, 1, Told(last={"overdue": date(2022, 5, 9)}), date(2022, 5, 10), False),
    ("overdue", 41, 1, Told(last={"escalation": date(2022, 5, 9)}), date(2022, 5, 11), False),
    ("escalation", 47, 1, Told(last={"overdue": date(2022, 5, 9), "escalation": date(2022, 5, 2)}), date(2022, 5, 16), True),
]  # fmt: skip


@pytest.mark.parametrize(("reason", "days", "milestone", "told", "as_of", "due"), CADENCE)
def test_cadence(reason, days, milestone, told, as_of, due):  # type: ignore[no-untyped-def]
    from reminder.rules import Finding

    assert (
        is_due(Finding(action("2022-03-31"), reason, days, milestone), told, as_of, POLICY) is due
    )


def test_escalation_copy_only_from_level_one() -> None:
    late = condition(action("2022-03-31"), date(2022, 4, 29), POLICY)
    assert late is not None and escalation_of(late) is None
    later = condition(action("2022-03-31"), date(2022, 4, 30), POLICY)
    assert later is not None
    copy = escalation_of(later)
    assert copy is not None and (copy.reason, copy.milestone) == ("escalation", 1)


LOCAL_DAYS = [
    # UTC instant, zone, local day: deadlines and digests are counted in the configured zone
    (datetime(2027, 1, 14, 19, 30, tzinfo=UTC), "Asia/Bishkek", date(2027, 1, 15)),  # UTC+6
    (datetime(2027, 1, 14, 17, 59, tzinfo=UTC), "Asia/Bishkek", date(2027, 1, 14)),
    (datetime(2026, 3, 29, 22, 30, tzinfo=UTC), "Europe/Berlin", date(2026, 3, 30)),  # after DST: UTC+2
    (datetime(2026, 3, 28, 22, 30, tzinfo=UTC), "Europe/Berlin", date(2026, 3, 28)),  # before: UTC+1
    (datetime(2026, 10, 25, 22, 30, tzinfo=UTC), "Europe/Berlin", date(2026, 10, 25)),  # back to UTC+1
]  # fmt: skip


@pytest.mark.parametrize(("instant", "zone", "day"), LOCAL_DAYS)
def test_local_day_decides_overdue(instant: datetime, zone: str, day: date) -> None:
    as_of = local_today(ZoneInfo(zone), instant)
    assert as_of == day
    # An action due on the UTC day is overdue exactly when the local day has moved past it.
    due_utc_day = instant.date()
    state = action_state(action(due_utc_day.isoformat()), as_of, POLICY)
    assert state == ("overdue" if day > due_utc_day else "due-soon")
