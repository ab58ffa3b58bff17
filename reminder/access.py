"""Who may see and update which key actions on the status desk.

A person sees the open actions routed to them: those of the parties they are a primary focal
point or escalation contact of, those of parties whose primary they stand in for as the
alternate while the primary is away, and (for the catch-all party's people) the actions that
resolved to no party. Checked on the server for every action id a form names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, bindparam, exists, or_, select
from sqlalchemy.orm import Session

from reminder import store, updates
from reminder.models import CLOSED_STATUSES, FocalPoint, KeyAction, Party, key_action_parties
from reminder.snapshots import ActionSnapshot


@dataclass(frozen=True)
class Scope:
    """What one person may see: their name, party ids, and the unassigned actions or not."""

    email: str
    name: str | None
    party_ids: frozenset[int] = field(default_factory=frozenset)
    unassigned: bool = False
    stands_in_for: tuple[str, ...] = ()  # names of away primaries this person replaces

    @property
    def known(self) -> bool:
        return self.name is not None


# The desk's reads run on every request, so each statement is built once, with bound
# parameters: building and keying a statement cost more CPU than SQLite's work for it
# (bench/README.md, "The status desk under load").
_OWN = (
    select(FocalPoint.name, FocalPoint.party_id, Party.catch_all)
    .join(Party, Party.id == FocalPoint.party_id)
    .where(
        FocalPoint.email == bindparam("email"),
        FocalPoint.active.is_(True),
        FocalPoint.role.in_(("primary", "escalation")),
    )
)
_STANDING_IN = (
    select(FocalPoint.name, FocalPoint.party_id, Party.catch_all)
    .join(Party, Party.id == FocalPoint.party_id)
    .where(
        FocalPoint.alternate_email == bindparam("email"),
        FocalPoint.role == "primary",
        FocalPoint.active.is_(True),
        FocalPoint.away_until >= bindparam("as_of"),
    )
)
_ANY_NAME = select(FocalPoint.name).where(FocalPoint.email == bindparam("email")).limit(1)


def scope_of(session: Session, email: str, as_of: date) -> Scope:
    """The person's scope on `as_of` (an address not in the directory sees nothing)."""
    email = email.strip().lower()
    own = session.execute(_OWN, {"email": email}).all()
    standing_in = session.execute(_STANDING_IN, {"email": email, "as_of": as_of}).all()
    name = next((row.name for row in own), None)
    if name is None:
        # An alternate who is not otherwise a primary anywhere is still a known person.
        name = session.scalar(_ANY_NAME, {"email": email})
    rows = [*own, *standing_in]
    return Scope(
        email=email,
        name=name,
        party_ids=frozenset(row.party_id for row in rows),
        unassigned=any(row.catch_all for row in rows),
        stands_in_for=tuple(sorted({row.name for row in standing_in})),
    )


def _in_scope(unassigned: bool) -> ColumnElement[bool]:
    """Routed to the parties bound as `party_ids`, or (`unassigned`) to no party at all."""
    linked = select(key_action_parties.c.key_action_id).where(
        key_action_parties.c.key_action_id == KeyAction.id
    )
    of_parties = select(key_action_parties.c.key_action_id).where(
        key_action_parties.c.party_id.in_(bindparam("party_ids", expanding=True))
    )
    conditions: list[ColumnElement[bool]] = [KeyAction.id.in_(of_parties)]
    if unassigned:
        conditions.append(~exists(linked))
    return or_(*conditions)


# By `Scope.unassigned`.
_OPEN = {
    unassigned: store.snapshot_query().where(
        KeyAction.status.not_in(CLOSED_STATUSES), _in_scope(unassigned)
    )
    for unassigned in (False, True)
}
_OPEN_VERSIONED = {
    unassigned: query.add_columns(updates.history_version()) for unassigned, query in _OPEN.items()
}
_MAY_UPDATE = {
    unassigned: select(KeyAction.id).where(
        KeyAction.id == bindparam("action_id"), _in_scope(unassigned)
    )
    for unassigned in (False, True)
}


def open_actions(session: Session, scope: Scope) -> Iterator[ActionSnapshot]:
    """The open actions this person may see and update."""
    if not scope.party_ids:
        return iter(())
    return store.stream_snapshots(
        session, _OPEN[scope.unassigned], {"party_ids": sorted(scope.party_ids)}
    )


def open_actions_versioned(session: Session, scope: Scope) -> Iterator[tuple[ActionSnapshot, int]]:
    """As `open_actions`, each with its history's version (`updates.history_version`)."""
    if not scope.party_ids:
        return
    params = {"party_ids": sorted(scope.party_ids)}
    for row in session.connection().execute(_OPEN_VERSIONED[scope.unassigned], params):
        yield store.snapshot_of(row[:-1]), row[-1]


def may_update(session: Session, scope: Scope, action_id: int) -> bool:
    """Whether `action_id` is routed to this person (open or closed: a closed action can be
    reopened by its own people)."""
    if not scope.party_ids:
        return False
    found = session.scalar(
        _MAY_UPDATE[scope.unassigned],
        {"action_id": action_id, "party_ids": sorted(scope.party_ids)},
    )
    return found is not None
