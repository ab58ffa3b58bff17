"""PURE routing: which people receive an action, and in what capacity (docs/architecture.md,
"Domain rules").

Each responsible party's active primary focal points receive its actions; while a primary is
away its alternate receives instead. Actions whose responsible text resolves to no party, and
parties with nobody to receive, go to the catch-all party, so nothing is silently unreminded.
Escalation contacts are copied from the first escalation level, the evaluation office from the
second.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    locale: str | None
    away_until: date | None = None
    alternate: str | None = None


@dataclass(frozen=True)
class PartyInfo:
    code: str
    name: str
    locale: str | None
    catch_all: bool = False
    primaries: tuple[Person, ...] = ()
    escalations: tuple[Person, ...] = ()


@dataclass(frozen=True)
class Recipient:
    """One person receiving an action, for one party, in one capacity."""

    person: Person
    party: str
    capacity: str  # "responsible", "alternate" (standing in), "catch-all", "escalation", "office"
    stands_in_for: str | None = None


@dataclass
class Directory:
    parties: dict[str, PartyInfo] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)  # active people by email

    @property
    def catch_all(self) -> PartyInfo | None:
        # Asked once per routed action: remember the answer (parties do not change mid-run).
        if not hasattr(self, "_catch_all"):
            self._catch_all = next((p for p in self.parties.values() if p.catch_all), None)
        return self._catch_all


def _receivers(directory: Directory, party: PartyInfo, as_of: date) -> list[Recipient]:
    receivers = []
    for person in party.primaries:
        alternate = directory.people.get(person.alternate or "")
        if person.away_until and person.away_until >= as_of and alternate:
            receivers.append(Recipient(alternate, party.code, "alternate", person.name))
        else:
            # Away without a stand-in: the primary still gets it, to read on return.
            receivers.append(Recipient(person, party.code, "responsible"))
    return receivers


def responsible_recipients(
    directory: Directory, codes: tuple[str, ...], as_of: date
) -> list[Recipient]:
    """Who is reminded of an action responsible to `codes` (empty: resolved to no party)."""
    receivers: list[Recipient] = []
    orphaned = not codes
    for code in codes:
        party = directory.parties.get(code)
        found = _receivers(directory, party, as_of) if party else []
        receivers.extend(found)
        orphaned = orphaned or not found
    catch_all = directory.catch_all
    if orphaned and catch_all is not None:
        receivers.extend(
            Recipient(r.person, catch_all.code, "catch-all", r.stands_in_for)
            for r in _receivers(directory, catch_all, as_of)
        )
    return _unique(receivers)


def escalation_recipients(
    directory: Directory, codes: tuple[str, ...], level: int, office: str | None
) -> list[Recipient]:
    """Level 1: the parties' escalation contacts; level 2 adds the evaluation office."""
    receivers: list[Recipient] = []
    if level < 1:
        return receivers
    parties = [directory.parties[c] for c in codes if c in directory.parties] or (
        [directory.catch_all] if directory.catch_all else []
    )
    for party in parties:
        receivers.extend(Recipient(p, party.code, "escalation") for p in party.escalations)
    if level >= 2 and office:
        receivers.append(Recipient(Person(office, "Evaluation office", None), "", "office"))
    return _unique(receivers)


def _unique(receivers: list[Recipient]) -> list[Recipient]:
    seen: set[tuple[str, str]] = set()
    result = []
    for receiver in receivers:
        key = (receiver.person.email, receiver.party)
        if key not in seen:
            seen.add(key)
            result.append(receiver)
    return result
