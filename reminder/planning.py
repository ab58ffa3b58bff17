"""Who gets a digest today, worked out in batches of recipients so memory stays bounded
however many key actions and focal points there are.

Each batch names its recipients and the parties they receive for; only the open actions of
those parties that can be due are read (in SQL, by status and due day), and routing, rules and
digests run on them exactly as for one action at a time. Recipients who already have today's
digest are left out before anything is read, so a second run the same day reads nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

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
from reminder.rules import NOTHING_TOLD, Finding, condition, escalation_of, is_due

BATCH_RECIPIENTS = 200


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


def batches(who: Audience, skip: set[str], size: int | None = None) -> Iterator[RecipientBatch]:
    size = size or BATCH_RECIPIENTS
    batch = RecipientBatch()
    for email in sorted(who.emails - skip):
        batch.emails.add(email)
        batch.party_codes |= who.parties.get(email, set())
        batch.unassigned = batch.unassigned or email in who.unassigned
        batch.office = batch.office or email == who.office
        if len(batch.emails) >= size:
            yield batch
            batch = RecipientBatch()
    if batch.emails:
        yield batch


class Planner:
    """Digests due on `as_of`, batch by batch."""

    def __init__(self, session: Session, settings: Settings, as_of: date) -> None:
        self.session = session
        self.settings = settings
        self.as_of = as_of
        self.directory = store.directory_snapshot(session)
        self.party_ids = dict(session.execute(select(Party.code, Party.id)).tuples().all())
        self.audience = audience(self.directory, as_of, settings.evaluation_office)

    def batches(self, skip: set[str]) -> Iterator[RecipientBatch]:
        return batches(self.audience, skip)

    def digests(self, batch: RecipientBatch) -> list[Digest]:
        policy = self.settings.policy
        window = max(
            policy.overdue_repeat_days,
            policy.stale_repeat_days,
            policy.no_deadline_repeat_days,
            *policy.due_soon_days,
            1,
        )
        history = store.reminder_history(
            self.session, self.as_of - timedelta(days=window + 1), batch.emails
        )
        office_after = policy.escalate_office_after_days
        actions = store.actions_needing_attention(
            self.session,
            as_of=self.as_of,
            policy=policy,
            party_ids=[self.party_ids[c] for c in batch.party_codes if c in self.party_ids],
            unassigned=batch.unassigned,
            overdue_before=self.as_of - timedelta(days=office_after - 1) if batch.office else None,
        )
        collector = DigestCollector(self.directory, self.settings.default_locale, self.as_of)

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
            offer(responsible_recipients(self.directory, action.responsible, self.as_of), finding)
            escalation = escalation_of(finding)
            if escalation is not None:
                offer(
                    escalation_recipients(
                        self.directory,
                        action.responsible,
                        escalation.milestone or 0,
                        self.settings.evaluation_office,
                    ),
                    escalation,
                )
        return collector.digests()

    def digest_for(self, email: str) -> Digest | None:
        """One person's digest (for `reminder preview`), reading only their actions."""
        batch = next(batches(self.audience, self.audience.emails - {email}), None)
        if batch is None:
            return None
        return next(iter(self.digests(batch)), None)
