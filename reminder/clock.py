"""The one place that reads the wall clock; everything else takes `as_of`/`now` as arguments."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def now_utc() -> datetime:
    return datetime.now(UTC)


def local_today(zone: ZoneInfo, now: datetime | None = None) -> date:
    """Today's date in `zone`: digests and deadlines are counted in local days."""
    return (now or now_utc()).astimezone(zone).date()
