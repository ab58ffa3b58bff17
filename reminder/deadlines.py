"""Deadlines as people write them, kept with their precision.

Each deadline is due on the last day of its period (a month, a quarter, a year). Month names
come from Babel's calendars for the languages the tracking systems write in."""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from babel.dates import get_month_names

# English, French, Spanish and Russian (wide and abbreviated, format and stand-alone forms:
# Russian writes "март 2022" but "15 марта 2022").
LANGUAGES = ("en", "fr", "es", "ru")
# How to read a numeric day whose year comes last (03/04/2027): day first, month first, or
# refuse it (year-first files).
DATE_ORDERS = ("dmy", "mdy", "ymd")


def fold(word: str) -> str:
    """Lower case without accents: old exports drop or mangle them ("decembre")."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _month_names() -> dict[str, int]:
    names: dict[str, int] = {"sept": 9}
    for language in LANGUAGES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, language).items():
                    names[name.casefold().rstrip(".")] = number
                    names[fold(name).rstrip(".")] = number
    return names


MONTHS = _month_names()

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
_DE = r"(?:de\s+)?"  # Spanish "15 de marzo de 2027"
_YEAR_MARK = r"(?:\s*г\.?)?"  # Russian "2022 г."
_FORMS = [
    ("iso_day", r"(?P<y1>\d{4})[-/.](?P<m1>\d{1,2})[-/.](?P<d1>\d{1,2})"),
    ("numeric_day", r"(?P<a2>\d{1,2})[/.](?P<b2>\d{1,2})[/.](?P<y2>\d{4})"),
    ("year_month", r"(?P<y3>\d{4})[-/.](?P<m3>\d{1,2})"),
    ("month_year", r"(?P<m4>\d{1,2})[/.](?P<y4>\d{4})"),
    (
        "day_month_name",
        rf"(?P<d5>\d{{1,2}})\s+{_DE}(?P<n5>{_MONTH_NAMES})\.?,?\s+{_DE}(?P<y5>\d{{4}}){_YEAR_MARK}",
    ),
    (
        "month_name",
        rf"(?P<n6>{_MONTH_NAMES})\.?,?\s+{_DE}(?:(?P<d6>\d{{1,2}}),?\s+)?(?P<y6>\d{{4}})"
        rf"{_YEAR_MARK}",
    ),
    ("quarter", r"Q(?P<q7>[1-4])[\s/-]*(?P<y7>\d{4})"),
    ("year_quarter", r"(?P<y8>\d{4})[\s/-]*Q(?P<q8>[1-4])"),
    ("year", r"(?P<y9>\d{4})"),
    ("none", r"No\s+due\s+date|No\s+deadline(?:\s+established)?|On-?going|TBD|N/A"),
]
DEADLINE_PATTERN = "|".join(f"(?P<{name}>{body})" for name, body in _FORMS)
_WHOLE = re.compile(rf"^(?:{DEADLINE_PATTERN})$", re.IGNORECASE)
_NUMERIC_DAY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.]\d{4}$")


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


def _check_year(year: int) -> int:
    if not 1950 <= year <= 2200:
        raise ValueError(f"year {year} is out of range")
    return year


def _month(name: str) -> int:
    return MONTHS.get(name.casefold().rstrip("."), 0) or MONTHS[fold(name).rstrip(".")]


def is_ambiguous(label: str) -> bool:
    """True for a numeric day whose first two numbers could each be the month (03/04/2027)."""
    match = _NUMERIC_DAY.match(label)
    if not match:
        return False
    first, second = int(match.group(1)), int(match.group(2))
    return first != second and max(first, second) <= 12


def _numeric_day(groups: dict[str, str], order: str) -> tuple[int, int, int]:
    first, second, year = int(groups["a2"]), int(groups["b2"]), int(groups["y2"])
    if order == "ymd":
        raise ValueError("a day with the year last; --date-order ymd reads only 2027-04-03")
    return (year, first, second) if order == "mdy" else (year, second, first)


def _day_of(form: str, groups: dict[str, str], order: str) -> tuple[int, int, int]:
    if form == "iso_day":
        return int(groups["y1"]), int(groups["m1"]), int(groups["d1"])
    if form == "numeric_day":
        return _numeric_day(groups, order)
    if form == "day_month_name":
        return int(groups["y5"]), _month(groups["n5"]), int(groups["d5"])
    return int(groups["y6"]), _month(groups["n6"]), int(groups["d6"])


def _period_of(form: str, groups: dict[str, str], label: str) -> Deadline:
    if form in ("year_month", "month_year", "month_name"):
        if form == "year_month":
            y, m = int(groups["y3"]), int(groups["m3"])
        elif form == "month_year":
            y, m = int(groups["y4"]), int(groups["m4"])
        else:
            y, m = int(groups["y6"]), _month(groups["n6"])
        return Deadline(_end_of_month(_check_year(y), m), "month", label)
    if form in ("quarter", "year_quarter"):
        quarter = int(groups.get("q7") or groups["q8"])
        year = _check_year(int(groups.get("y7") or groups["y8"]))
        return Deadline(_end_of_month(year, quarter * 3), "quarter", label)
    return Deadline(date(_check_year(int(groups["y9"])), 12, 31), "year", label)


@lru_cache(maxsize=65536)
def parse_deadline(text: str | None, order: str = "dmy") -> Deadline:
    """Parse a written deadline; raises ValueError saying what is wrong. Cached: trackers
    repeat the same few hundred labels, and Deadline is immutable."""
    label = " ".join((text or "").split())
    if label.lower().rstrip(".") in NO_DEADLINE_LABELS:
        return Deadline.none(label)
    match = _WHOLE.match(label)
    if not match:
        raise ValueError(
            f"cannot read {label!r} as a deadline "
            "(use 2022-03-15, 15/03/2022, 2022/03, March 2022, Q3 2022, 2022 or No due date)"
        )
    groups = {key: value for key, value in match.groupdict().items() if value is not None}
    form = match.lastgroup or ""
    if form == "none":
        return Deadline.none(label)
    if form in ("iso_day", "numeric_day", "day_month_name") or "d6" in groups:
        y, m, d = _day_of(form, groups, order)
        return Deadline(_day(_check_year(y), m, d), "day", label)
    return _period_of(form, groups, label)
