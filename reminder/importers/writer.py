"""Bulk writer for imported management responses: evaluations in groups, a handful of
statements per group (look up what exists, insert what is new, update what changed), so a
million key actions import in minutes, not hours. Nothing stored is ever deleted.
Recommendations are written by recommendation_writer, key actions by action_writer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from reminder.db import analyze
from reminder.importers.action_writer import KeyActionWriter
from reminder.importers.recommendation_writer import RecommendationWriter
from reminder.importers.records import ActionRecord, EvaluationRecord
from reminder.models import Evaluation, table
from reminder.progress import SILENT, Progress
from reminder.responsible import Resolution, Resolver, normalise_name, repeats_action

GROUP = 200  # evaluations per round of statements

EVALUATION_FIELDS = (
    "title",
    "office",
    "period",
    "source_id",
    "source_url",
    "response_state",
    "summary",
)


def evaluation_identity(record: EvaluationRecord) -> str:
    if record.source_id:
        return f"source:{record.source_id.strip()}"
    return f"title:{normalise_name(record.office or '')}|{normalise_name(record.title)}"[:600]


def _evaluation_values(record: EvaluationRecord) -> dict[str, Any]:
    return {
        "title": record.title,
        "office": record.office,
        "period": record.period,
        "source_id": record.source_id,
        "source_url": record.source_url,
        "response_state": record.response_state,
        "summary": record.summary or None,
    }


def _differs(stored: Any, values: dict[str, Any], names: Sequence[str]) -> bool:
    return any(getattr(stored, name) != values[name] for name in names)


class BulkWriter:
    def __init__(
        self,
        session: Session,
        resolver: Resolver,
        party_ids: dict[str, int],
        now: datetime,
        file: str = "",
        shown: Progress = SILENT,
    ) -> None:
        self.shown = shown
        self.session = session
        self.resolver = resolver
        self.party_ids = party_ids
        self.now = now
        self.counts: dict[str, Counter[str]] = {
            kind: Counter() for kind in ("evaluations", "recommendations", "key_actions")
        }
        self.unresolved: list[dict[str, Any]] = []
        self._resolutions: dict[str, Resolution] = {}
        self.recommendations = RecommendationWriter(session)
        self.counts["recommendations"] = self.recommendations.counts
        self.actions = KeyActionWriter(session, file, now, self.resolve)
        self.counts["key_actions"] = self.actions.counts

    def resolve(self, action: ActionRecord) -> tuple[Resolution, set[int]]:
        """The action's names and the parties to link: those named, plus the catch-all party
        when a name is not in the directory (so nothing is silently unreminded)."""
        resolution = resolution_for(
            self.resolver, action.responsible_text, action.text, self._resolutions
        )
        for name in resolution.unresolved:
            self.unresolved.append({"line": action.line, "name": name})
        return resolution, {self.party_ids[code] for code in link_codes(self.resolver, resolution)}

    def write(self, records: Sequence[EvaluationRecord]) -> None:
        analyzed_at = 0
        for start in range(0, len(records), GROUP):
            group = records[start : start + GROUP]
            evaluation_ids = self._evaluations(group)
            self.actions.write(group, self.recommendations.write(group, evaluation_ids))
            self.shown.advance(sum(len(r.actions) for e in group for r in e.recommendations))
            created = self.counts["key_actions"]["created"]
            if created >= max(2 * analyzed_at, 10_000):
                # Foreign-key checks planned while the tables looked empty scan them on every
                # row (see db.analyze; a 1M import spent 130 s there): refresh the statistics
                # each time the tables double, a few times in all.
                analyze(self.session)
                analyzed_at = created

    def _count(self, kind: str, outcome: str, amount: int = 1) -> None:
        self.counts[kind][outcome] += amount

    def _evaluations(self, records: Sequence[EvaluationRecord]) -> list[int]:
        identities = [evaluation_identity(r) for r in records]
        stored = {
            row.identity: row
            for row in self.session.execute(
                select(
                    Evaluation.id,
                    Evaluation.identity,
                    *(getattr(Evaluation, f) for f in EVALUATION_FIELDS),
                ).where(Evaluation.identity.in_(identities))
            )
        }
        ids = self._insert_evaluations(records, identities, stored)
        changed = []
        for record, identity in zip(records, identities, strict=True):
            if identity in stored:
                values = _evaluation_values(record)
                if _differs(stored[identity], values, EVALUATION_FIELDS):
                    changed.append(dict(id=stored[identity].id, **values))
                else:
                    self._count("evaluations", "unchanged")
        if changed:
            self.session.execute(update(Evaluation), changed)
            self._count("evaluations", "updated", len(changed))
        return ids

    def _insert_evaluations(
        self, records: Sequence[EvaluationRecord], identities: list[str], stored: dict[str, Any]
    ) -> list[int]:
        """Ids of the group's evaluations, in order, inserting those not yet stored."""
        new = [(i, identity) for i, identity in enumerate(identities) if identity not in stored]
        ids: list[int] = [stored[k].id if k in stored else 0 for k in identities]
        if not new:
            return ids
        # Plain executemany, then look the ids up: INSERT ... RETURNING with ordered
        # results degrades to one statement per row on SQLite.
        self.session.execute(
            insert(table(Evaluation)),
            [dict(identity=identity, **_evaluation_values(records[i])) for i, identity in new],
        )
        query = select(Evaluation.identity, Evaluation.id)
        created = dict(
            self.session.execute(
                query.where(Evaluation.identity.in_([identity for _, identity in new]))
            )
            .tuples()
            .all()
        )
        for i, identity in new:
            ids[i] = created[identity]
        self._count("evaluations", "created", len(new))
        return ids


def resolution_for(
    resolver: Resolver, text: str, action_text: str, cache: dict[str, Resolution] | None = None
) -> Resolution:
    """The names in an action's responsible text (cached by text)."""
    if repeats_action(action_text, text):
        return Resolution((), ())
    if cache is None:
        return resolver.resolve(text)
    found = cache.get(text)
    if found is None:
        found = cache[text] = resolver.resolve(text)
    return found


def link_codes(resolver: Resolver, resolution: Resolution) -> list[str]:
    """Party codes an action is linked to: the resolved ones, and the catch-all party when
    some name is not in the directory (an action naming nobody reaches it through routing)."""
    codes = list(resolution.codes)
    if resolution.unresolved and codes and resolver.catch_all and resolver.catch_all not in codes:
        codes.append(resolver.catch_all)
    return codes
