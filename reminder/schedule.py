"""The daemon's schedule: crontab syntax in the configured zone, as an APScheduler 3.x trigger.

APScheduler 3.x numbers weekdays from Monday = 0, while crontab uses Sunday = 0 (its FAQ and
issue 286): numeric weekdays are translated to names here so `0 8 * * 1-5` means what a
crontab user expects.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from apscheduler.triggers.cron import CronTrigger

_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _day_token(token: str) -> str:
    if "/" in token or not any(ch.isdigit() for ch in token):
        return token  # names, "*" and steps pass through
    if "-" in token:
        start, end = (int(part) for part in token.split("-", 1))
        if not (0 <= start <= 7 and 0 <= end <= 7 and start <= end):
            raise ValueError(f"weekday range {token!r} is not within 0-7")
        return ",".join(_CRON_DAYS[day] for day in range(start, end + 1))
    day = int(token)
    if not 0 <= day <= 7:
        raise ValueError(f"weekday {token!r} is not within 0-7")
    return _CRON_DAYS[day]


def cron_trigger(expression: str, zone: tzinfo) -> CronTrigger:
    """A trigger for a five-field crontab expression; raises ValueError saying what is wrong."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"{expression!r} needs five fields: minute hour day month weekday")
    fields[4] = ",".join(_day_token(token) for token in fields[4].split(","))
    minute, hour, day, month, weekday = fields
    return CronTrigger(
        minute=minute, hour=hour, day=day, month=month, day_of_week=weekday, timezone=zone
    )


def next_fire(trigger: CronTrigger, now: datetime) -> datetime | None:
    return trigger.get_next_fire_time(None, now)


def previous_fire(trigger: CronTrigger, now: datetime, look_back: timedelta) -> datetime | None:
    """The last scheduled time at or before `now`, within `look_back` (None if there is none)."""
    moment = trigger.get_next_fire_time(None, now - look_back)
    last = None
    while moment is not None and moment <= now:
        last = moment
        moment = trigger.get_next_fire_time(moment, just_after(moment))
    return last


def just_after(moment: datetime) -> datetime:
    """One second later, counted in UTC: wall-clock arithmetic on an aware datetime drops the
    DST `fold`, and in the repeated hour of autumn that would step back an hour."""
    return (moment.astimezone(UTC) + timedelta(seconds=1)).astimezone(moment.tzinfo)
