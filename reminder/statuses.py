"""Key-action statuses: many written labels, five codes (docs/architecture.md, "Domain
rules")."""

from __future__ import annotations

import re

# Written label (normalised) -> status code. "Overdue" and friends only say "not closed":
# whether an action is overdue is computed from its deadline, never trusted from the file.
LABELS = {
    "not initiated": "not_initiated",
    "not yet initiated": "not_initiated",
    "not started": "not_initiated",
    "initiated": "initiated",
    "in progress": "initiated",
    "started": "initiated",
    "partially completed": "initiated",
    "completed": "completed",
    "complete": "completed",
    "no longer applicable": "no_longer_applicable",
    "not applicable": "no_longer_applicable",
    "overdue": "open",
    "over due": "open",
    "no deadline established": "open",
    "ongoing": "open",
    "on going": "open",
    "pending": "open",
}

# Matches any label inside a longer line, longest first so "Not Initiated" beats "Initiated".
STATUS_PATTERN = "|".join(
    r"\s*[-\s]\s*".join(re.escape(word) for word in label.split())
    for label in sorted(LABELS, key=len, reverse=True)
)


def normalise_label(label: str) -> str:
    return " ".join(re.sub(r"[-_]", " ", label).lower().split()).rstrip(".")


def parse_status(label: str | None) -> str:
    """The status code for a written label; raises ValueError naming the accepted labels."""
    key = normalise_label(label or "")
    if not key:
        raise ValueError("status is empty (use Not initiated, Initiated, Completed, ...)")
    try:
        return LABELS[key]
    except KeyError:
        raise ValueError(
            f"unknown status {label!r} (use Not initiated, Initiated, Completed, "
            "No longer applicable, Overdue, Ongoing or Pending)"
        ) from None
