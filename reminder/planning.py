"""Who gets a digest today, worked out in batches of recipients so memory stays bounded
however many key actions and focal points there are.

Each batch names its recipients and the parties they receive for; only the open actions of
those parties that can be due are read (in SQL, by status and due day), and routing, rules and
digests run on them exactly as for one action at a time. Recipients who already have today's
digest are left out before anything is read, so a second run the same day reads nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from reminder import store
from reminder.config import Settings
from reminder.digest import Digest, DigestCollector
from reminder.models import Party
from reminder.routing import (
    Directory,
    Recipient,
    escalation_recipients,
    responsible_recipients,
)
from reminder.rules import (
    NOTHING_TOLD,
    Finding,
    condition,
    escalation_of,
    history_since,
    is_due,
    office_escalations_due_before,
    scan_bounds,
)

BATCH_RECIPIENTS = 200
# A run's first batches are smaller, so that its first messages go out sooner: while the
# worker processes start, the run's own process plans the first one (planning_workers).
FIRST_BATCH_RECIPIENTS = 50


@dataclass
class RecipientBatch:
    emails: set[str] = field(default_factory=set)
    party_codes: set[str] = field(default_factory=set)
    unassigned: bool = False  # receives actions that resolved to no party (catch-all)
    office: bool = False  # the evaluation office: second-level escalations of every party


@dataclass
class Audience:
    """For every possible recipient, what they can receive."""

    parties: dict[str, set[str]] = field(default_factory=dict)  # email -> party codes
    unassigned: set[str] = field(default_factory=set)
    office: str | None = None

    @property
    def emails(self) -> set[str]:
        found = set(self.parties) | self.unassigned
        return found | {self.office} if self.office else found


def audience(directory: Directory, as_of: date, office: str | None) -> Audience:
    """Inverts routing: the same functions decide, asked once per party instead of per action."""
    result = Audience(office=office)
    for code, party in directory.parties.items():
        for receiver in responsible_recipients(directory, (code,), as_of):
            result.parties.setdefault(receiver.person.email, set()).add(code)
        for person in party.escalations:
            result.parties.setdefault(person.email, set()).add(code)
    for receiver in responsible_recipients(directory, (), as_of):
        result.unassigned.add(receiver.person.email)
    return result


def recipient_batches(
    who: Audience, skip: set[str], size: int | None = None, small: int = 0
) -> Iterator[RecipientBatch]:
    """Recipients in batches of about `size` (the first `small` of them smaller, see
    FIRST_BATCH_RECIPIENTS), a party's recipients kept together: a party's actions are then
    read once (for its primaries, alternates and escalation contacts at once) instead of
    once per batch that holds one of them."""
    size = size or BATCH_RECIPIENTS
    sizes = itertools.chain(
        itertools.repeat(min(FIRST_BATCH_RECIPIENTS, size), small), itertools.repeat(size)
    )
    wanted = next(sizes)
    by_party: dict[str, list[str]] = {}
    for email, codes in who.parties.items():
        for code in codes:
            by_party.setdefault(code, []).append(email)
    groups = [sorted(by_party[code]) for code in sorted(by_party)]
    groups.append(sorted(who.emails))  # the catch-all's and the office's, and anyone left
    batch, placed = RecipientBatch(), set(skip)
    for group in groups:
        for email in group:
            if email in placed:
                continue
            placed.add(email)
            batch.emails.add(email)
            batch.party_codes |= who.parties.get(email, set())
            batch.unassigned = batch.unassigned or email in who.unassigned
            batch.office = batch.office or email == who.office
        if len(batch.emails) >= wanted:
            yield batch
            batch, wanted = RecipientBatch(), next(sizes)
    if batch.emails:
        yield batch


class DigestFinder:
    """Digests due on `as_of`, batch by batch of recipients."""

    def __init__(self, session: Session, settings: Settings, as_of: date) -> None:
        self.session = session
        self.settings = settings
        self.as_of = as_of
        self.directory = store.directory_snapshot(session)
        self.party_ids = dict(session.execute(select(Party.code, Party.id)).tuples().all())
        self.audience = audience(self.directory, as_of, settings.evaluation_office)
        # Routing depends only on the parties (and the level): thousands of actions share them.
        # Emptied per batch (a batch holds whole parties), so memory does not grow with N.
        self._responsible: dict[tuple[str, ...], list[Recipient]] = {}
        self._escalation: dict[tuple[tuple[str, ...], int], list[Recipient]] = {}

    def _responsible_for(self, codes: tuple[str, ...]) -> list[Recipient]:
        found = self._responsible.get(codes)
        if found is None:
            found = responsible_recipients(self.directory, codes, self.as_of)
            self._responsible[codes] = found
        return found

    def _escalation_for(self, codes: tuple[str, ...], level: int) -> list[Recipient]:
        found = self._escalation.get((codes, level))
        if found is None:
            office = self.settings.evaluation_office
            found = escalation_recipients(self.directory, codes, level, office)
            self._escalation[(codes, level)] = found
        return found

    def recipient_batches(self, skip: set[str], small: int = 0) -> Iterator[RecipientBatch]:
        return recipient_batches(self.audience, skip, small=small)

    def digests(self, batch: RecipientBatch) -> list[Digest]:
        self._responsible.clear()
        self._escalation.clear()
        policy = self.settings.policy
        history = store.reminder_history(
            self.session, history_since(self.as_of, policy), batch.emails
        )
        actions = store.actions_needing_attention(
            self.session,
            bounds=scan_bounds(self.as_of, policy),
            party_ids=[self.party_ids[c] for c in batch.party_codes if c in self.party_ids],
            unassigned=batch.unassigned,
            overdue_before=office_escalations_due_before(self.as_of, policy)
            if batch.office
            else None,
        )
        collector = DigestCollector(
            self.directory,
            self.settings.default_locale,
            self.as_of,
            policy.max_actions_per_digest,
            told=history,
        )

        def offer(receivers: list[Recipient], finding: Finding) -> None:
            """Add the finding for each receiver in this batch who should hear it today."""
            for receiver in receivers:
                email = receiver.person.email
                told = history.get((finding.action.id, email), NOTHING_TOLD)
                if email in batch.emails and is_due(finding, told, self.as_of, policy):
                    collector.add(receiver, finding)

        for action in actions:
            finding = condition(action, self.as_of, policy)
            if finding is None:
                continue
            offer(self._responsible_for(action.responsible), finding)
            escalation = escalation_of(finding)
            if escalation is not None:
                offer(
                    self._escalation_for(action.responsible, escalation.milestone or 0), escalation
                )
        return collector.digests()

    def digest_for(self, email: str) -> Digest | None:
        """One person's digest (for `reminder preview`), reading only their actions."""
        batch = next(recipient_batches(self.audience, self.audience.emails - {email}), None)
        if batch is None:
            return None
        return next(iter(self.digests(batch)), None)
