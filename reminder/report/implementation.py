"""Implementation figures: counts by evaluation and by responsible party, in two GROUP BY
queries; the overall figures, and those by office and by evaluation year, are sums of the
per-evaluation rows (every action belongs to exactly one evaluation)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from reminder.models import Evaluation, KeyAction, Party, Recommendation, key_action_parties
from reminder.report.counting import Counts, count_columns, counts_from, total
from reminder.report.parallel import EVERY_ACTION, Shard

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


class EvaluationRow(NamedTuple):
    id: int
    title: str
    office: str | None
    period: str | None


def evaluation_counts(session: Session, as_of: date) -> list[tuple[EvaluationRow, Counts]]:
    """Each evaluation with actions, and their counts, by title."""
    query = (
        select(Recommendation.evaluation_id, *count_columns(as_of))
        .select_from(KeyAction)
        .join(Recommendation, Recommendation.id == KeyAction.recommendation_id)
        .group_by(Recommendation.evaluation_id)
    )
    counts = {row[0]: counts_from(row[1:]) for row in session.execute(query)}
    columns = (Evaluation.id, Evaluation.title, Evaluation.office, Evaluation.period)
    found = sorted(
        (EvaluationRow(*row) for row in session.execute(select(*columns)) if row[0] in counts),
        key=lambda ev: (ev.title.lower(), ev.id),
    )
    return [(ev, counts[ev.id]) for ev in found]


PartyCounts = dict[int | None, Counts]


def party_counts(session: Session, as_of: date, shard: Shard = EVERY_ACTION) -> PartyCounts:
    """Counts by party id of the actions in `shard`: a joint action counts once for each of
    its parties; actions whose responsible names resolved to no party under None."""
    link = key_action_parties
    query = (
        select(link.c.party_id, *count_columns(as_of))
        .select_from(KeyAction)
        .outerjoin(link, link.c.key_action_id == KeyAction.id)
        .where(shard.holds(KeyAction.id))
        .group_by(link.c.party_id)
    )
    return {row[0]: counts_from(row[1:]) for row in session.execute(query)}


PartyNames = dict[int, tuple[str, str]]


def party_names(session: Session | Connection) -> PartyNames:
    """Every party's (code, name) by id (parties are never deleted: a read after the counts
    names every party they found)."""
    query = select(Party.id, Party.code, Party.name)
    return {id_: (code, name) for id_, code, name in session.execute(query)}


def party_groups(shares: list[PartyCounts], names: PartyNames) -> list[Group]:
    """The parties' groups from the counts of each shard, by name; no party resolved last."""
    counts: PartyCounts = defaultdict(Counts)
    for share in shares:
        for party_id, part in share.items():
            counts[party_id] = counts[party_id] + part
    groups = [Group(*names[party_id], counts[party_id]) for party_id in counts if party_id]
    groups.sort(key=lambda group: (group.name.lower(), group.key or ""))
    if None in counts:
        groups.append(Group(None, "No party resolved", counts[None]))
    return groups


def by_party(session: Session, as_of: date) -> list[Group]:
    return party_groups([party_counts(session, as_of)], party_names(session))


def _summed(rows: list[tuple[str | None, Counts]], missing: str) -> list[Group]:
    sums: dict[str | None, Counts] = defaultdict(Counts)
    for key, counts in rows:
        sums[key] = sums[key] + counts
    known = sorted(key for key in sums if key is not None)
    groups = [Group(key, key, sums[key]) for key in known]
    if None in sums:
        groups.append(Group(None, missing, sums[None]))
    return groups


def assemble(
    evaluations: list[tuple[EvaluationRow, Counts]], parties: list[Group]
) -> Implementation:
    """The overall figures, and those by office and by year, are sums of the evaluations'."""
    return Implementation(
        overall=total(counts for _, counts in evaluations),
        by_evaluation=[Group(str(ev.id), ev.title, counts) for ev, counts in evaluations],
        by_party=parties,
        by_office=_summed([(ev.office, counts) for ev, counts in evaluations], "No office"),
        by_year=_summed(
            [(evaluation_year(ev.period), counts) for ev, counts in evaluations], "No year"
        ),
    )


def implementation(session: Session, as_of: date) -> Implementation:
    """Every implementation figure in one session, one query after the other."""
    return assemble(evaluation_counts(session, as_of), by_party(session, as_of))
