"""Writes one group's recommendations: look up what each evaluation holds, match the file's
recommendations to it (matching.match_recommendations), update what changed or moved, insert
what is new. A stored recommendation the file no longer has is kept, with its key actions,
after the file's, and named in the summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from reminder import bulk
from reminder.importers.matching import match_recommendations
from reminder.importers.records import EvaluationRecord, RecommendationRecord
from reminder.models import Recommendation, table

FIELDS = (
    "number",
    "text",
    "management_response",
    "description",
    "category",
    "tags",
    "added_on",
    "updated_on",
)
MISSING_LISTED = 1000  # recommendations not in the file listed by name per import


def recommendation_values(record: RecommendationRecord) -> dict[str, Any]:
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


@dataclass
class Plan:
    """What one group's statements write; `ids[e][p]` is 0 until a new row is inserted."""

    ids: list[list[int]] = field(default_factory=list)
    new: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    parked: list[int] = field(default_factory=list)  # recommendations that change place


@dataclass
class RecommendationWriter:
    session: Session
    counts: Counter[str] = field(default_factory=Counter)
    missing: list[dict[str, Any]] = field(default_factory=list)

    def write(
        self, records: Sequence[EvaluationRecord], evaluation_ids: list[int]
    ) -> list[list[int]]:
        """The ids of each evaluation's recommendations, in file order."""
        stored = self.lookup(evaluation_ids)
        plan = Plan()
        for evaluation_id, record in zip(evaluation_ids, records, strict=True):
            plan.ids.append(self.diff(plan, evaluation_id, record, stored.get(evaluation_id, [])))
        bulk.park(self.session, Recommendation, plan.parked)
        if plan.changed:
            self.session.execute(update(Recommendation), plan.changed)
        if plan.new:
            self.insert(plan, evaluation_ids)
        return plan.ids

    def lookup(self, evaluation_ids: list[int]) -> dict[int, list[Any]]:
        """Each evaluation's stored recommendations, in position order."""
        query = select(
            Recommendation.id,
            Recommendation.evaluation_id,
            Recommendation.position,
            *(getattr(Recommendation, name) for name in FIELDS),
        ).where(Recommendation.evaluation_id.in_(evaluation_ids))
        stored: dict[int, list[Any]] = {}
        for row in self.session.execute(query):
            stored.setdefault(row.evaluation_id, []).append(row)
        for rows in stored.values():
            rows.sort(key=attrgetter("position"))
        return stored

    def diff(
        self, plan: Plan, evaluation_id: int, record: EvaluationRecord, rows: list[Any]
    ) -> list[int]:
        recs = record.recommendations
        matched = match_recommendations(
            [(row.number, row.text) for row in rows], [(rec.number, rec.text) for rec in recs]
        )
        ids = []
        for position, (rec, index) in enumerate(zip(recs, matched.found, strict=True), start=1):
            values = recommendation_values(rec)
            if index is None:
                plan.new.append(dict(evaluation_id=evaluation_id, position=position, **values))
                ids.append(0)
                continue
            row = rows[index]
            ids.append(row.id)
            if row.position != position:
                plan.parked.append(row.id)
                values["position"] = position
            if "position" in values or any(getattr(row, k) != values[k] for k in FIELDS):
                plan.changed.append(dict(id=row.id, **values))
                self.counts["updated"] += 1
            else:
                self.counts["unchanged"] += 1
        # Not in the file: kept as it was, key actions and all, after the file's.
        for position, index in enumerate(matched.missing, start=len(recs) + 1):
            if rows[index].position != position:
                plan.parked.append(rows[index].id)
                plan.changed.append({"id": rows[index].id, "position": position})
            self.report_missing(record.title, rows[index])
        return ids

    def report_missing(self, evaluation: str, row: Any) -> None:
        self.counts["not in file (kept)"] += 1
        if len(self.missing) < MISSING_LISTED:
            name = row.number or str(row.position)
            self.missing.append(
                {"id": row.id, "evaluation": evaluation, "recommendation": name, "text": row.text}
            )

    def insert(self, plan: Plan, evaluation_ids: list[int]) -> None:
        """Insert the new recommendations into the places the others left free."""
        bulk.insert_rows(self.session, table(Recommendation), plan.new)
        self.counts["created"] += len(plan.new)
        query = select(Recommendation.evaluation_id, Recommendation.position, Recommendation.id)
        found = {
            (evaluation_id, position): rec_id
            for evaluation_id, position, rec_id in self.session.execute(
                query.where(Recommendation.evaluation_id.in_(evaluation_ids))
            )
        }
        for evaluation_id, ids in zip(evaluation_ids, plan.ids, strict=True):
            for place, rec_id in enumerate(ids):
                if not rec_id:
                    ids[place] = found[(evaluation_id, place + 1)]
