"""Plain, detached views of stored rows that the pure stages (rules, digest) work on."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from reminder.models import CLOSED_STATUSES


class ActionSnapshot(NamedTuple):
    """Everything the rules and the digests need about one key action, detached from the ORM.
    A named tuple: immutable, and built from a row in one step (a frozen dataclass sets its
    22 fields one by one, which shows at a million rows)."""

    id: int
    evaluation_id: int
    evaluation: str
    office: str | None
    source_url: str | None
    recommendation_position: int
    recommendation_number: str | None
    recommendation: str
    number: str | None
    position: int
    text: str
    due: date | None
    deadline_precision: str
    deadline_label: str
    status: str
    status_label: str
    comments: str | None
    responsible: tuple[str, ...]
    responsible_text: str
    unresolved: tuple[str, ...]
    status_changed_at: datetime
    updated_on: date | None
    # The deadline before the office accepted a revised one ("revised from 2026/11").
    original_deadline_label: str | None = None

    @property
    def closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def last_update(self) -> date:
        """The later of the recorded status change and the source's own last-update stamp."""
        changed = self.status_changed_at.date()
        return max(changed, self.updated_on) if self.updated_on else changed
