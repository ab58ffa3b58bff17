"""Bulk writer for imported management responses: evaluations in groups, a handful of
statements per group (look up what exists, insert what is new, update what changed), so a
million key actions import in minutes, not hours. Nothing stored is ever deleted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from reminder.bulk import insert_rows
from reminder.db import analyze
from reminder.importers.records import ActionRecord, EvaluationRecord, RecommendationRecord
from reminder.models import Evaluation, KeyAction, Recommendation, key_action_parties, table
from reminder.responsible import Resolution, Resolver, normalise_name

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
RECOMMENDATION_FIELDS = (
    "number",
    "text",
    "management_response",
    "description",
    "category",
    "tags",
    "added_on",
    "updated_on",
)
ACTION_FIELDS = (
    "number",
    "text",
    "due_date",
    "deadline_precision",
    "deadline_label",
    "status",
    "status_label",
    "comments",
    "responsible_text",
    "unresolved",
    "added_on",
    "updated_on",
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


def _recommendation_values(record: RecommendationRecord) -> dict[str, Any]:
    return {
        "number": record.number,
        "text": record.text,
        "management_response": record.management_response or None,
        "description": record.description or None,
        "category": record.category,
        "tags": record.tags,
        "added_on": record.added_on,
        "updated_on": record.updated_on,
    }


def _action_values(record: ActionRecord, resolution: Resolution) -> dict[str, Any]:
    return {
        "number": record.number,
        "text": record.text,
        "due_date": record.deadline.due,
        "deadline_precision": record.deadline.precision,
        "deadline_label": record.deadline.label,
        "status": record.status,
        "status_label": record.status_label,
        "comments": record.comments or None,
        "responsible_text": record.responsible_text,
        "unresolved": list(resolution.unresolved),
        "added_on": record.added_on,
        "updated_on": record.updated_on,
        "source_line": record.line,
    }


def _differs(stored: Any, values: dict[str, Any], names: Sequence[str]) -> bool:
    return any(getattr(stored, name) != values[name] for name in names)


class BulkWriter:
    def __init__(
        self, session: Session, resolver: Resolver, party_ids: dict[str, int], now: datetime
    ) -> None:
        self.session = session
        self.resolver = resolver
        self.party_ids = party_ids
        self.now = now
        self.counts: dict[str, dict[str, int]] = {
            kind: {} for kind in ("evaluations", "recommendations", "key_actions")
        }
        self.unresolved: list[dict[str, Any]] = []
        self._resolutions: dict[str, Resolution] = {}

    def _count(self, kind: str, outcome: str, amount: int = 1) -> None:
        self.counts[kind][outcome] = self.counts[kind].get(outcome, 0) + amount

    def _resolve(self, text: str) -> Resolution:
        found = self._resolutions.get(text)
        if found is None:
            found = self._resolutions[text] = self.resolver.resolve(text)
        return found

    def write(self, records: Sequence[EvaluationRecord]) -> None:
        analyzed_at = 0
        for start in range(0, len(records), GROUP):
            self._group(records[start : start + GROUP])
            created = self.counts["key_actions"].get("created", 0)
            if created >= max(2 * analyzed_at, 10_000):
                # Foreign-key checks planned while the tables looked empty scan them on every
                # row (see db.analyze; a 1M import spent 130 s there): refresh the statistics
                # each time the tables double, a few times in all.
                analyze(self.session)
                analyzed_at = created

    # -- one group of evaluations ---------------------------------------------------------
    def _group(self, records: Sequence[EvaluationRecord]) -> None:
        evaluation_ids = self._evaluations(records)
        rec_ids = self._recommendations(records, evaluation_ids)
        self._actions(records, evaluation_ids, rec_ids)

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
        new = [(i, identity) for i, identity in enumerate(identities) if identity not in stored]
        ids: list[int | None] = [stored[k].id if k in stored else None for k in identities]
        if new:
            # Plain executemany, then look the ids up: INSERT ... RETURNING with ordered
            # results degrades to one statement per row on SQLite.
            self.session.execute(
                insert(table(Evaluation)),
                [dict(identity=identity, **_evaluation_values(records[i])) for i, identity in new],
            )
            created = dict(
                self.session.execute(
                    select(Evaluation.identity, Evaluation.id).where(
                        Evaluation.identity.in_([identity for _, identity in new])
                    )
                )
                .tuples()
                .all()
            )
            for i, identity in new:
                ids[i] = created[identity]
            self._count("evaluations", "created", len(new))
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
        return [i for i in ids if i is not None]

    def _recommendations(
        self, records: Sequence[EvaluationRecord], evaluation_ids: list[int]
    ) -> dict[tuple[int, int], int]:
        stored = {
            (row.evaluation_id, row.position): row
            for row in self.session.execute(
                select(
                    Recommendation.id,
                    Recommendation.evaluation_id,
                    Recommendation.position,
                    *(getattr(Recommendation, f) for f in RECOMMENDATION_FIELDS),
                ).where(Recommendation.evaluation_id.in_(evaluation_ids))
            )
        }
        ids = {key: row.id for key, row in stored.items()}
        per_evaluation = Counter(evaluation_id for evaluation_id, _ in stored)
        new_rows, changed = [], []
        for evaluation_id, record in zip(evaluation_ids, records, strict=True):
            for position, rec in enumerate(record.recommendations, start=1):
                key, values = (evaluation_id, position), _recommendation_values(rec)
                if key not in stored:
                    new_rows.append(dict(evaluation_id=evaluation_id, position=position, **values))
                elif _differs(stored[key], values, RECOMMENDATION_FIELDS):
                    changed.append(dict(id=stored[key].id, **values))
                else:
                    self._count("recommendations", "unchanged")
            kept = per_evaluation.get(evaluation_id, 0) - len(record.recommendations)
            if kept > 0:
                self._count("recommendations", "not in file (kept)", kept)
        if new_rows:
            insert_rows(self.session, table(Recommendation), new_rows)
            for evaluation_id, position, rec_id in self.session.execute(
                select(
                    Recommendation.evaluation_id, Recommendation.position, Recommendation.id
                ).where(Recommendation.evaluation_id.in_(evaluation_ids))
            ):
                ids[(evaluation_id, position)] = rec_id
            self._count("recommendations", "created", len(new_rows))
        if changed:
            self.session.execute(update(Recommendation), changed)
            self._count("recommendations", "updated", len(changed))
        return ids

    def _actions(
        self,
        records: Sequence[EvaluationRecord],
        evaluation_ids: list[int],
        rec_ids: dict[tuple[int, int], int],
    ) -> None:
        wanted = [
            rec_ids[(e, p)]
            for e, r in zip(evaluation_ids, records, strict=True)
            for p in range(1, len(r.recommendations) + 1)
        ]
        stored = (
            {
                (row.recommendation_id, row.position): row
                for row in self.session.execute(
                    select(
                        KeyAction.id,
                        KeyAction.recommendation_id,
                        KeyAction.position,
                        KeyAction.status_changed_at,
                        KeyAction.source_line,
                        *(getattr(KeyAction, f) for f in ACTION_FIELDS),
                    ).where(KeyAction.recommendation_id.in_(wanted))
                )
            }
            if wanted
            else {}
        )
        per_rec = Counter(rec_id for rec_id, _ in stored)  # positions run 1..n
        links: dict[int, set[int]] = {}
        if stored:
            for action_id, party_id in self.session.execute(
                select(key_action_parties.c.key_action_id, key_action_parties.c.party_id).where(
                    key_action_parties.c.key_action_id.in_([r.id for r in stored.values()])
                )
            ):
                links.setdefault(action_id, set()).add(party_id)
        new_rows: list[dict[str, Any]] = []
        new_parties: list[set[int]] = []
        changed: list[dict[str, Any]] = []
        relink: dict[int, set[int]] = {}
        for evaluation_id, record in zip(evaluation_ids, records, strict=True):
            for rec_position, rec in enumerate(record.recommendations, start=1):
                rec_id = rec_ids[(evaluation_id, rec_position)]
                for position, action in enumerate(rec.actions, start=1):
                    resolution = self._resolve(action.responsible_text)
                    for name in resolution.unresolved:
                        self.unresolved.append({"line": action.line, "name": name})
                    values = _action_values(action, resolution)
                    parties = {self.party_ids[c] for c in resolution.codes}
                    row = stored.get((rec_id, position))
                    if row is None:
                        stamp = (
                            datetime.combine(action.updated_on, time(), UTC)
                            if action.updated_on
                            else self.now
                        )
                        new_rows.append(
                            dict(
                                recommendation_id=rec_id,
                                position=position,
                                status_changed_at=stamp,
                                **values,
                            )
                        )
                        new_parties.append(parties)
                        continue
                    moved = _differs(row, values, ACTION_FIELDS)
                    if parties != links.get(row.id, set()):
                        relink[row.id] = parties
                        moved = True
                    if moved or row.source_line != action.line:
                        update_values = dict(id=row.id, **values)
                        if row.status != action.status:
                            update_values["status_changed_at"] = self.now
                        changed.append(update_values)
                    self._count("key_actions", "updated" if moved else "unchanged")
                kept = per_rec.get(rec_id, 0) - len(rec.actions)
                if kept > 0:
                    self._count("key_actions", "not in file (kept)", kept)
        if new_rows:
            insert_rows(self.session, table(KeyAction), new_rows)
            action_ids = {
                (rec_id, position): action_id
                for rec_id, position, action_id in self.session.execute(
                    select(KeyAction.recommendation_id, KeyAction.position, KeyAction.id).where(
                        KeyAction.recommendation_id.in_(wanted)
                    )
                )
            }
            self._count("key_actions", "created", len(new_rows))
            link_rows = [
                {
                    "key_action_id": action_ids[(row["recommendation_id"], row["position"])],
                    "party_id": p,
                }
                for row, parties in zip(new_rows, new_parties, strict=True)
                for p in parties
            ]
            insert_rows(self.session, key_action_parties, link_rows)
        if changed:
            self.session.execute(update(KeyAction), changed)
        if relink:
            self.session.execute(
                delete(key_action_parties).where(
                    key_action_parties.c.key_action_id.in_(list(relink))
                )
            )
            rows = [{"key_action_id": a, "party_id": p} for a, ps in relink.items() for p in ps]
            if rows:
                self.session.execute(insert(key_action_parties), rows)
