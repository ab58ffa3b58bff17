"""Implementation figures: counts by evaluation and by responsible party, in two GROUP BY
queries; the overall figures, and those by office and by evaluation year, are sums of the
per-evaluation rows (every action belongs to exactly one evaluation)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from reminder.models import Evaluation, KeyAction, Party, Recommendation, key_action_parties
from reminder.report.counting import Counts, count_columns, counts_from, total

_YEAR = re.compile(r"(\d{4})")


@dataclass(frozen=True)
class Group:
    """One row of a breakdown: a key (code or id), a name to show, and its counts."""

    key: str | None
    name: str
    counts: Counts


@dataclass(frozen=True)
class Implementation:
    overall: Counts
    by_evaluation: list[Group]
    by_party: list[Group]
    by_office: list[Group]
    by_year: list[Group]


def evaluation_year(period: str | None) -> str | None:
    """The evaluation's year: the last year its period names ("2023-2026" -> "2026")."""
    years = _YEAR.findall(period or "")
    return years[-1] if years else None


class _Evaluation(NamedTuple):
    id: int
    title: str
    office: str | None
    period: str | None


def _by_evaluation(session: Session, as_of: date) -> list[tuple[_Evaluation, Counts]]:
    query = (
        select(Recommendation.evaluation_id, *count_columns(as_of))
        .select_from(KeyAction)
        .join(Recommendation, Recommendation.id == KeyAction.recommendation_id)
        .group_by(Recommendation.evaluation_id)
    )
    counts = {row[0]: counts_from(row[1:]) for row in session.execute(query)}
    columns = (Evaluation.id, Evaluation.title, Evaluation.office, Evaluation.period)
    found = sorted(
        (_Evaluation(*row) for row in session.execute(select(*columns)) if row[0] in counts),
        key=lambda ev: (ev.title.lower(), ev.id),
    )
    return [(ev, counts[ev.id]) for ev in found]


def by_party(session: Session, as_of: date) -> list[Group]:
    """Each party's actions: a joint action counts once for each of its parties. Actions whose
    responsible names resolved to no party form a group of their own (key None)."""
    link = key_action_parties
    query = (
        select(link.c.party_id, *count_columns(as_of))
        .select_from(KeyAction)
        .outerjoin(link, link.c.key_action_id == KeyAction.id)
        .group_by(link.c.party_id)
    )
    counts = {row[0]: counts_from(row[1:]) for row in session.execute(query)}
    parties = session.execute(
        select(Party.id, Party.code, Party.name).where(Party.id.in_([k for k in counts if k]))
    ).all()
    groups = [Group(code, name, counts[party_id]) for party_id, code, name in parties]
    groups.sort(key=lambda group: (group.name.lower(), group.key or ""))
    if None in counts:
        groups.append(Group(None, "No party resolved", counts[None]))
    return groups


def _summed(rows: list[tuple[str | None, Counts]], missing: str) -> list[Group]:
    sums: dict[str | None, Counts] = defaultdict(Counts)
    for key, counts in rows:
        sums[key] = sums[key] + counts
    known = sorted(key for key in sums if key is not None)
    groups = [Group(key, key, sums[key]) for key in known]
    if None in sums:
        groups.append(Group(None, missing, sums[None]))
    return groups


def implementation(session: Session, as_of: date) -> Implementation:
    evaluations = _by_evaluation(session, as_of)
    return Implementation(
        overall=total(counts for _, counts in evaluations),
        by_evaluation=[Group(str(ev.id), ev.title, counts) for ev, counts in evaluations],
        by_party=by_party(session, as_of),
        by_office=_summed([(ev.office, counts) for ev, counts in evaluations], "No office"),
        by_year=_summed(
            [(evaluation_year(ev.period), counts) for ev, counts in evaluations], "No year"
        ),
    )
