"""Reads of the directory for people (the CLI and the desk): who is listed, and whether an
address receives digests on a day, or who receives in its place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from reminder.models import FocalPoint, Party


@dataclass(frozen=True)
class Entry:
    """One focal point of one party, as `reminder directory list` shows it."""

    party: str
    party_name: str
    aliases: list[str]
    catch_all: bool
    name: str
    email: str
    role: str
    locale: str | None
    active: bool
    away_until: date | None
    alternate: str | None


def entries(session: Session) -> list[Entry]:
    """Every focal point, by party code then as stored."""
    parties = session.scalars(
        select(Party).options(selectinload(Party.focal_points)).order_by(Party.code)
    ).all()
    return [
        Entry(
            party=p.code,
            party_name=p.name,
            aliases=p.aliases,
            catch_all=p.catch_all,
            name=fp.name,
            email=fp.email,
            role=fp.role,
            locale=fp.locale,
            active=fp.active,
            away_until=fp.away_until,
            alternate=fp.alternate_email,
        )
        for p in parties
        for fp in p.focal_points
    ]


@dataclass(frozen=True)
class Standing:
    """Whether an address receives digests on a day. `listed`: an active focal point (or the
    evaluation office); `stand_ins`: the alternates who receive while it is away."""

    address: str
    listed: bool
    inactive: bool = False
    away_until: date | None = None
    stand_ins: tuple[str, ...] = ()


def standing(session: Session, address: str, as_of: date, office: str | None) -> Standing:
    """The standing of `address` on `as_of` (routing's rule: an away primary with an active
    alternate is replaced by it until the return day)."""
    address = address.strip().lower()
    if office and address == office.strip().lower():
        return Standing(address, listed=True)
    rows = session.scalars(select(FocalPoint).where(FocalPoint.email == address)).all()
    active = [fp for fp in rows if fp.active]
    if not active:
        return Standing(address, listed=False, inactive=bool(rows))
    away = [fp for fp in active if fp.away_until and fp.away_until >= as_of and fp.alternate_email]
    alternates = {fp.alternate_email for fp in away if fp.alternate_email}
    present = set(
        session.scalars(
            select(FocalPoint.email).where(
                FocalPoint.email.in_(alternates), FocalPoint.active.is_(True)
            )
        )
    )
    stand_ins = tuple(sorted(present))
    returns = [fp.away_until for fp in away if fp.away_until and fp.alternate_email in present]
    until = max(returns, default=None)
    return Standing(address, listed=True, away_until=until, stand_ins=stand_ins)
