"""Sending days: configured workdays minus public holidays (the `holidays` package)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays

from reminder.config import WEEKDAYS, Settings
from reminder.errors import ConfigError


@lru_cache(maxsize=16)
def _holidays(country: str, year: int) -> holidays.HolidayBase:
    try:
        return holidays.country_holidays(country, years=year)
    except NotImplementedError:
        raise ConfigError(
            f"holiday_country (REMINDER_HOLIDAY_COUNTRY): no calendar for {country!r}"
        ) from None


def non_sending_reason(settings: Settings, day: date) -> str | None:
    """Why nothing is sent on `day` (a weekend, a named holiday), or None on a sending day."""
    if WEEKDAYS[day.weekday()] not in settings.workdays:
        return f"{day:%A} is not a workday"
    if settings.holiday_country:
        name = _holidays(settings.holiday_country.upper(), day.year).get(day)
        if name:
            return f"public holiday ({name})"
    return None
