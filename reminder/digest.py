"""PURE: findings routed to people -> one Digest per recipient, never empty, in a fixed order.

Sections run escalation, overdue, due soon, needs an update, needs a deadline; inside each,
evaluation -> recommendation -> key action. A recipient who receives the same action for two
parties sees it once, naming both; an action is shown in its most urgent section only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from reminder.routing import Directory, Person, Recipient, responsible_recipients
from reminder.rules import REASONS, Finding, Told


@dataclass(frozen=True)
class Chase:
    name: str
    email: str
    last_reminded: date | None


@dataclass
class DigestItem:
    finding: Finding
    parties: list[str]  # codes of the parties this recipient receives the action for
    capacity: str
    stands_in_for: str | None
    shared_with: list[str]  # other responsible parties (names) and unresolved names
    # For escalation copies: the people responsible, to chase, and when last reminded.
    chase: list[Chase] = field(default_factory=list)

    @property
    def action_id(self) -> int:
        return self.finding.action.id


@dataclass
class RecommendationGroup:
    label: str
    text: str
    items: list[DigestItem] = field(default_factory=list)


@dataclass
class EvaluationGroup:
    title: str
    office: str | None
    source_url: str | None
    recommendations: list[RecommendationGroup] = field(default_factory=list)


@dataclass
class Section:
    reason: str
    evaluations: list[EvaluationGroup] = field(default_factory=list)

    @property
    def items(self) -> list[DigestItem]:
        return [i for e in self.evaluations for r in e.recommendations for i in r.items]


@dataclass
class Digest:
    recipient: Person
    locale: str
    digest_day: date
    party_names: list[str]
    sections: list[Section]
    # Due but not listed (over max_actions_per_digest), by reason: not told, so due again.
    omitted: dict[str, int] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        """Listed actions by reason: what the digest tells, and what the ledger records."""
        return {section.reason: len(section.items) for section in self.sections}

    @property
    def items(self) -> list[DigestItem]:
        return [item for section in self.sections for item in section.items]


class DigestCollector:
    """Accumulates (recipient, finding) pairs, then builds the digests."""

    def __init__(
        self,
        directory: Directory,
        default_locale: str,
        digest_day: date,
        limit: int | None = None,
        told: Mapping[tuple[int, str], Told] | None = None,
    ) -> None:
        self.directory = directory
        # What each person was told of each action: escalations say when the people to chase
        # were last reminded (a batch holds a party's primaries with its escalation contacts).
        self.told = told or {}
        self.default_locale = default_locale
        self.digest_day = digest_day
        self.limit = limit  # most actions one digest lists
        self._people: dict[str, Person] = {}
        self._items: dict[str, dict[int, DigestItem]] = {}

    def add(self, recipient: Recipient, finding: Finding) -> None:
        email = recipient.person.email
        self._people.setdefault(email, recipient.person)
        items = self._items.setdefault(email, {})
        existing = items.get(finding.action.id)
        if existing is not None:
            if REASONS.index(finding.reason) < REASONS.index(existing.finding.reason):
                existing.finding, existing.capacity = finding, recipient.capacity
            if recipient.party and recipient.party not in existing.parties:
                existing.parties.append(recipient.party)
                existing.shared_with = self._shared_with(finding, existing.parties)
            return
        parties = [recipient.party] if recipient.party else []
        items[finding.action.id] = DigestItem(
            finding,
            parties,
            recipient.capacity,
            recipient.stands_in_for,
            self._shared_with(finding, parties),
            self._chase(finding) if recipient.capacity in ("escalation", "office") else [],
        )

    def _shared_with(self, finding: Finding, own: list[str]) -> list[str]:
        names = [self._party_with_people(c) for c in finding.action.responsible if c not in own]
        return names + list(finding.action.unresolved)

    def _party_name(self, code: str) -> str:
        party = self.directory.parties.get(code)
        return party.name if party else code

    def _party_with_people(self, code: str) -> str:
        """ "UN Women (Aida Bekova <aida@…>)": who to act with on a shared action."""
        party = self.directory.parties.get(code)
        if party is None:
            return code
        people = ", ".join(f"{p.name} <{p.email}>" for p in party.primaries)
        return f"{party.name} ({people})" if people else party.name

    def _chase(self, finding: Finding) -> list[Chase]:
        """Who an escalation contact should follow up with: the people reminded of it."""
        receivers = responsible_recipients(
            self.directory, finding.action.responsible, self.digest_day
        )
        chase = []
        for receiver in receivers:
            told = self.told.get((finding.action.id, receiver.person.email))
            last = max(told.last.values()) if told and told.last else None
            chase.append(Chase(receiver.person.name, receiver.person.email, last))
        return chase

    def _locale(self, person: Person, items: Iterable[DigestItem]) -> str:
        if person.locale:
            return person.locale
        for item in items:
            for code in item.parties:
                party = self.directory.parties.get(code)
                if party and party.locale:
                    return party.locale
        return self.default_locale

    def digests(self) -> list[Digest]:
        result = []
        for email in sorted(self._items):
            items = list(self._items[email].values())
            if not items:
                continue
            person = self._people[email]
            codes = sorted({code for item in items for code in item.parties})
            listed, omitted = most_urgent(items, self.limit)
            result.append(
                Digest(
                    recipient=person,
                    locale=self._locale(person, items),
                    digest_day=self.digest_day,
                    party_names=[self._party_name(code) for code in codes],
                    sections=build_sections(listed),
                    omitted=dict(Counter(item.finding.reason for item in omitted)),
                )
            )
        return result


def _urgency(item: DigestItem) -> tuple[int, int]:
    # Section order first; inside a section the longest overdue (or soonest due) first.
    days = item.finding.days
    return (
        REASONS.index(item.finding.reason),
        days if item.finding.reason == "due_soon" else -days,
    )


def most_urgent(
    items: list[DigestItem], limit: int | None
) -> tuple[list[DigestItem], list[DigestItem]]:
    """(listed, omitted): the `limit` most urgent items, and the rest."""
    if limit is None or len(items) <= limit:
        return items, []
    ranked = sorted(items, key=_urgency)
    return ranked[:limit], ranked[limit:]


def build_sections(items: list[DigestItem]) -> list[Section]:
    """Group items by reason, then evaluation, then recommendation, in reading order."""

    def order(item: DigestItem) -> tuple[int, str, int, int]:
        action = item.finding.action
        return (
            REASONS.index(item.finding.reason),
            action.evaluation,
            action.recommendation_position,
            action.position,
        )

    sections: list[Section] = []
    for item in sorted(items, key=order):
        action = item.finding.action
        if not sections or sections[-1].reason != item.finding.reason:
            sections.append(Section(item.finding.reason))
        evaluations = sections[-1].evaluations
        if not evaluations or evaluations[-1].title != action.evaluation:
            evaluations.append(EvaluationGroup(action.evaluation, action.office, action.source_url))
        recommendations = evaluations[-1].recommendations
        label = action.recommendation_number or str(action.recommendation_position)
        if not recommendations or recommendations[-1].label != label:
            recommendations.append(RecommendationGroup(label, action.recommendation))
        recommendations[-1].items.append(item)
    return sections
