"""Status labels: many spellings, five codes; "Overdue" is never trusted."""

import re

import pytest

from reminder.statuses import parse_status

CASES = [
    ("Not Initiated", "not_initiated"),  # the ERC spelling
    ("not initiated", "not_initiated"),  # case is ignored
    ("Not  initiated", "not_initiated"),  # repeated spaces are ignored
    ("Not-Initiated", "not_initiated"),  # hyphens read as spaces
    ("Initiated", "initiated"),
    ("In progress", "initiated"),
    ("Completed", "completed"),
    ("COMPLETED.", "completed"),  # a trailing full stop is ignored
    ("No longer applicable", "no_longer_applicable"),
    ("Overdue", "open"),  # overdue is computed from the deadline, never trusted
    ("Over due", "open"),  # the split spelling from old exports
    ("No deadline established", "open"),  # only says the action is not closed
    ("Ongoing", "open"),
    ("Pending", "open"),
]


@pytest.mark.parametrize(("label", "code"), CASES)
def test_status_labels(label: str, code: str) -> None:
    assert parse_status(label) == code


@pytest.mark.parametrize("label", ["Finished?", "Delayed", "50%"])
def test_unknown_status_is_refused_with_the_label(label: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"unknown status {label!r}")):
        parse_status(label)


def test_empty_status_is_refused() -> None:
    with pytest.raises(ValueError, match="status is empty"):
        parse_status("  ")
