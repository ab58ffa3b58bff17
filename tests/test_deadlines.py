"""Deadline forms: each line says what it proves."""

import re
from datetime import date

import pytest

from reminder.deadlines import parse_deadline

CASES = [
    # label, due day, precision: what it proves
    ("2022/03", date(2022, 3, 31), "month"),  # year/month is due on the month's last day
    ("2022-03", date(2022, 3, 31), "month"),  # ISO year-month
    ("03/2022", date(2022, 3, 31), "month"),  # month/year
    ("2024/02", date(2024, 2, 29), "month"),  # leap-year February ends on the 29th
    ("2023/02", date(2023, 2, 28), "month"),  # common-year February ends on the 28th
    ("2022-03-15", date(2022, 3, 15), "day"),  # ISO day
    ("2022/03/15", date(2022, 3, 15), "day"),  # slashed ISO day
    ("15/03/2022", date(2022, 3, 15), "day"),  # day/month/year, as UN offices write it
    ("15.03.2022", date(2022, 3, 15), "day"),  # dotted day
    ("15 March 2022", date(2022, 3, 15), "day"),  # day and month name
    ("March 15, 2022", date(2022, 3, 15), "day"),  # US order with a month name
    ("March 2022", date(2022, 3, 31), "month"),  # month name and year
    ("Mar. 2022", date(2022, 3, 31), "month"),  # abbreviated month name
    ("september 2022", date(2022, 9, 30), "month"),  # month names are case-insensitive
    ("март 2022", date(2022, 3, 31), "month"),  # Russian month name
    ("15 мая 2023", date(2023, 5, 15), "day"),  # Russian genitive month name with a day
    ("Q3 2022", date(2022, 9, 30), "quarter"),  # quarter ends on its last month's last day
    ("Q4 2022", date(2022, 12, 31), "quarter"),  # fourth quarter ends on 31 December
    ("2022 Q1", date(2022, 3, 31), "quarter"),  # year-first quarter
    ("2022", date(2022, 12, 31), "year"),  # a bare year is due on 31 December
    ("No due date", None, "none"),  # the ERC's "no deadline" label
    ("Ongoing", None, "none"),  # ongoing actions have no deadline
    ("No deadline established", None, "none"),  # as written in some exports
    ("", None, "none"),  # empty cell
    ("  2022/03 ", date(2022, 3, 31), "month"),  # surrounding spaces are ignored
]


@pytest.mark.parametrize(("label", "due", "precision"), CASES)
def test_deadline_forms(label: str, due: date | None, precision: str) -> None:
    deadline = parse_deadline(label)
    assert (deadline.due, deadline.precision) == (due, precision)
    assert deadline.label == " ".join(label.split())


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("2022/13", "month 13 is not between 1 and 12"),
        ("31/02/2022", "day 31 does not exist in February 2022"),
        ("2022-02-30", "day 30 does not exist in February 2022"),
        ("Q5 2022", "cannot read 'Q5 2022' as a deadline"),
        ("next year", "cannot read 'next year' as a deadline"),
        ("1066", "year 1066 is out of range"),
    ],
)
def test_bad_deadlines_say_what_is_wrong(label: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_deadline(label)
