"""Deadlines as people write them, kept with their precision.

Each deadline is due on the last day of its period (a month, a quarter, a year)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
MONTHS["sept"] = 9
# Russian month names, nominative and genitive, as Russian-language trackers write them.
_RU = [
    "январ",
    "феврал",
    "март",
    "апрел",
    "ма",
    "июн",
    "июл",
    "август",
    "сентябр",
    "октябр",
    "ноябр",
    "декабр",
]

NO_DEADLINE_LABELS = {
    "",
    "-",
    "n/a",
    "na",
    "none",
    "no due date",
    "no deadline",
    "no deadline established",
    "ongoing",
    "on-going",
    "continuous",
    "tbd",
    "to be determined",
}

# Regular expressions for each written form; the text importers reuse DEADLINE_PATTERN.
_MONTH_NAMES = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_FORMS = [
    ("iso_day", r"(?P<y1>\d{4})[-/.](?P<m1>\d{1,2})[-/.](?P<d1>\d{1,2})"),
    ("dmy_day", r"(?P<d2>\d{1,2})[/.](?P<m2>\d{1,2})[/.](?P<y2>\d{4})"),
    ("year_month", r"(?P<y3>\d{4})[-/.](?P<m3>\d{1,2})"),
    ("month_year", r"(?P<m4>\d{1,2})[/.](?P<y4>\d{4})"),
    ("day_month_name", rf"(?P<d5>\d{{1,2}})\s+(?P<n5>{_MONTH_NAMES})\.?,?\s+(?P<y5>\d{{4}})"),
    ("month_name", rf"(?P<n6>{_MONTH_NAMES})\.?,?\s+(?:(?P<d6>\d{{1,2}}),?\s+)?(?P<y6>\d{{4}})"),
    ("quarter", r"Q(?P<q7>[1-4])[\s/-]*(?P<y7>\d{4})"),
    ("year_quarter", r"(?P<y8>\d{4})[\s/-]*Q(?P<q8>[1-4])"),
    ("year", r"(?P<y9>\d{4})"),
    ("none", r"No\s+due\s+date|No\s+deadline(?:\s+established)?|On-?going|TBD|N/A"),
]
DEADLINE_PATTERN = "|".join(f"(?P<{name}>{body})" for name, body in _FORMS)
_WHOLE = re.compile(rf"^(?:{DEADLINE_PATTERN})$", re.IGNORECASE)


@dataclass(frozen=True)
class Deadline:
    """A deadline as written (`label`), its precision, and its due day (None: no deadline)."""

    due: date | None
    precision: str
    label: str

    @classmethod
    def none(cls, label: str = "") -> Deadline:
        return cls(None, "none", label)


def _day(year: int, month: int, day: int) -> date:
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} is not between 1 and 12")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise ValueError(f"day {day} does not exist in {calendar.month_name[month]} {year}")
    return date(year, month, day)


def _end_of_month(year: int, month: int) -> date:
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} is not between 1 and 12")
    return date(year, month, calendar.monthrange(year, month)[1])


def _russian_month(word: str) -> int | None:
    word = word.lower().rstrip(".")
    for number, stem in enumerate(_RU, start=1):
        if word.startswith(stem) and (stem != "ма" or word in ("май", "мая")):
            return number
    return None


def _check_year(year: int) -> int:
    if not 1950 <= year <= 2200:
        raise ValueError(f"year {year} is out of range")
    return year


@lru_cache(maxsize=65536)
def parse_deadline(text: str | None) -> Deadline:
    """Parse a written deadline; raises ValueError saying what is wrong. Cached: trackers
    repeat the same few hundred labels, and Deadline is immutable."""
    label = " ".join((text or "").split())
    if label.lower().rstrip(".") in NO_DEADLINE_LABELS:
        return Deadline.none(label)
    russian = re.fullmatch(r"(?:(\d{1,2})\s+)?([А-Яа-яЁё]+)\.?\s+(\d{4})(?:\s*г\.?)?", label)
    if russian and (month := _russian_month(russian.group(2))):
        year = _check_year(int(russian.group(3)))
        if russian.group(1):
            return Deadline(_day(year, month, int(russian.group(1))), "day", label)
        return Deadline(_end_of_month(year, month), "month", label)
    match = _WHOLE.match(label)
    if not match:
        raise ValueError(
            f"cannot read {label!r} as a deadline "
            "(use 2022-03-15, 15/03/2022, 2022/03, March 2022, Q3 2022, 2022 or No due date)"
        )
    groups = {key: value for key, value in match.groupdict().items() if value is not None}
    form = match.lastgroup
    if form == "none":
        return Deadline.none(label)
    if form in ("iso_day", "dmy_day", "day_month_name") or (
        form == "month_name" and "d6" in groups
    ):
        if form == "iso_day":
            y, m, d = int(groups["y1"]), int(groups["m1"]), int(groups["d1"])
        elif form == "dmy_day":
            y, m, d = int(groups["y2"]), int(groups["m2"]), int(groups["d2"])
        elif form == "day_month_name":
            y, m, d = int(groups["y5"]), MONTHS[groups["n5"].lower()], int(groups["d5"])
        else:
            y, m, d = int(groups["y6"]), MONTHS[groups["n6"].lower()], int(groups["d6"])
        return Deadline(_day(_check_year(y), m, d), "day", label)
    if form in ("year_month", "month_year", "month_name"):
        if form == "year_month":
            y, m = int(groups["y3"]), int(groups["m3"])
        elif form == "month_year":
            y, m = int(groups["y4"]), int(groups["m4"])
        else:
            y, m = int(groups["y6"]), MONTHS[groups["n6"].lower()]
        return Deadline(_end_of_month(_check_year(y), m), "month", label)
    if form in ("quarter", "year_quarter"):
        quarter = int(groups.get("q7") or groups["q8"])
        year = _check_year(int(groups.get("y7") or groups["y8"]))
        return Deadline(_end_of_month(year, quarter * 3), "quarter", label)
    return Deadline(date(_check_year(int(groups["y9"])), 12, 31), "year", label)
