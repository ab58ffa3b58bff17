"""Writes what the importers read: each file in one transaction, updating in place, never
duplicating, never deleting what is already stored."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from reminder.importers.directory import Directory
from reminder.importers.records import ActionRecord, EvaluationRecord, ImportBatch
from reminder.models import Evaluation, FocalPoint, ImportRecord, KeyAction, Party, Recommendation
from reminder.responsible import Resolver, normalise_name


@dataclass
class FileSummary:
    file: str
    file_format: str
    evaluations: Counter[str] = field(default_factory=Counter)
    recommendations: Counter[str] = field(default_factory=Counter)
    key_actions: Counter[str] = field(default_factory=Counter)
    unresolved: list[dict[str, Any]] = field(default_factory=list)
    guesses: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def counts(counter: Counter[str]) -> dict[str, int]:
            # created/updated/unchanged always present, in that order, then anything else.
            return {k: counter[k] for k in ("created", "updated", "unchanged")} | {
                k: v for k, v in counter.items() if k not in ("created", "updated", "unchanged")
            }

        return {
            "file": self.file,
            "file_format": self.file_format,
            "evaluations": counts(self.evaluations),
            "recommendations": counts(self.recommendations),
            "key_actions": counts(self.key_actions),
            "unresolved": self.unresolved,
            "guesses": self.guesses,
        }


def load_resolver(session: Session) -> Resolver:
    parties = session.execute(select(Party.code, Party.name, Party.aliases)).all()
    return Resolver.from_parties((code, name, aliases or []) for code, name, aliases in parties)


def evaluation_identity(record: EvaluationRecord) -> str:
    if record.source_id:
        return f"source:{record.source_id.strip()}"
    return f"title:{normalise_name(record.office or '')}|{normalise_name(record.title)}"[:600]


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set attributes that differ; True if anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _status_time(record: ActionRecord, now: datetime) -> datetime:
    if record.updated_on:
        return datetime.combine(record.updated_on, time(), UTC)
    return now


def _action_values(record: ActionRecord, unresolved: list[str]) -> dict[str, Any]:
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
        "unresolved": unresolved,
        "added_on": record.added_on,
        "updated_on": record.updated_on,
        "source_line": record.line,
    }


class _Writer:
    def __init__(self, session: Session, resolver: Resolver, summary: FileSummary, now: datetime):
        self.session = session
        self.resolver = resolver
        self.summary = summary
        self.now = now
        self.parties = {p.code: p for p in session.scalars(select(Party))}

    def evaluation(self, record: EvaluationRecord) -> None:
        identity = evaluation_identity(record)
        evaluation = self.session.scalars(
            select(Evaluation)
            .where(Evaluation.identity == identity)
            .options(
                selectinload(Evaluation.recommendations)
                .selectinload(Recommendation.key_actions)
                .selectinload(KeyAction.parties)
            )
        ).one_or_none()
        values = {
            "title": record.title,
            "office": record.office,
            "period": record.period,
            "source_id": record.source_id,
            "source_url": record.source_url,
            "response_state": record.response_state,
            "summary": record.summary or None,
        }
        if evaluation is None:
            evaluation = Evaluation(identity=identity, **values)
            self.session.add(evaluation)
            outcome = "created"
        else:
            outcome = "updated" if _assign(evaluation, values) else "unchanged"
        existing = {rec.position: rec for rec in evaluation.recommendations}
        for position, rec_record in enumerate(record.recommendations, start=1):
            self.recommendation(evaluation, existing.get(position), position, rec_record)
        kept = len(existing) - len(record.recommendations)
        if kept > 0:
            self.summary.recommendations["not in file (kept)"] += kept
        self.summary.evaluations[outcome] += 1

    def recommendation(
        self, evaluation: Evaluation, rec: Recommendation | None, position: int, record: Any
    ) -> None:
        values = {
            "number": record.number,
            "text": record.text,
            "management_response": record.management_response or None,
            "description": record.description or None,
            "category": record.category,
            "tags": record.tags,
            "added_on": record.added_on,
            "updated_on": record.updated_on,
        }
        if rec is None:
            rec = Recommendation(position=position, **values)
            evaluation.recommendations.append(rec)
            outcome = "created"
        else:
            outcome = "updated" if _assign(rec, values) else "unchanged"
        self.summary.recommendations[outcome] += 1
        existing = {action.position: action for action in rec.key_actions}
        for index, action_record in enumerate(record.actions, start=1):
            self.action(rec, existing.get(index), index, action_record)
        kept = len(existing) - len(record.actions)
        if kept > 0:
            self.summary.key_actions["not in file (kept)"] += kept

    def action(
        self, rec: Recommendation, action: KeyAction | None, position: int, record: ActionRecord
    ) -> None:
        resolution = self.resolver.resolve(record.responsible_text)
        for name in resolution.unresolved:
            self.summary.unresolved.append({"line": record.line, "name": name})
        values = _action_values(record, list(resolution.unresolved))
        parties = [self.parties[code] for code in resolution.codes]
        if action is None:
            action = KeyAction(
                position=position, status_changed_at=_status_time(record, self.now), **values
            )
            action.parties = parties
            rec.key_actions.append(action)
            self.summary.key_actions["created"] += 1
            return
        old_status = action.status
        changed = _assign(action, values)
        if sorted(p.code for p in action.parties) != sorted(p.code for p in parties):
            action.parties = parties
            changed = True
        if old_status != record.status:
            action.status_changed_at = self.now
        self.summary.key_actions["updated" if changed else "unchanged"] += 1


def load_batch(session: Session, batch: ImportBatch, now: datetime) -> FileSummary:
    """Write one file's records in the caller's transaction and return what changed."""
    summary = FileSummary(batch.file, batch.file_format)
    writer = _Writer(session, load_resolver(session), summary, now)
    for record in batch.evaluations:
        writer.evaluation(record)
    summary.guesses = [asdict(guess) for guess in batch.guesses]
    session.add(
        ImportRecord(
            file_name=batch.file,
            checksum=batch.checksum,
            file_format=batch.file_format,
            imported_at=now,
            summary=summary.as_dict(),
        )
    )
    session.flush()
    return summary


@dataclass
class DirectorySummary:
    file: str
    parties: Counter[str] = field(default_factory=Counter)
    focal_points: Counter[str] = field(default_factory=Counter)
    actions_reresolved: int = 0


def load_directory(session: Session, directory: Directory, now: datetime) -> DirectorySummary:
    """Upsert parties by code and focal points by (party, email, role); focal points of a listed
    party that the file no longer lists are deactivated, not deleted."""
    summary = DirectorySummary(directory.file)
    stored = {
        p.code: p for p in session.scalars(select(Party).options(selectinload(Party.focal_points)))
    }
    for record in directory.parties:
        party = stored.get(record.code)
        values = {
            "name": record.name,
            "aliases": record.aliases,
            "catch_all": record.catch_all,
            "parent_office": record.parent_office,
            "default_locale": record.locale,
        }
        if party is None:
            party = Party(code=record.code, **values)
            session.add(party)
            summary.parties["created"] += 1
        else:
            summary.parties["updated" if _assign(party, values) else "unchanged"] += 1
        people = {(fp.email, fp.role): fp for fp in party.focal_points}
        seen = set()
        for person in record.focal_points:
            key = (person.email, person.role)
            seen.add(key)
            values = {
                "name": person.name,
                "locale": person.locale,
                "active": person.active,
                "away_until": person.away_until,
                "alternate_email": person.alternate,
            }
            if key not in people:
                party.focal_points.append(
                    FocalPoint(email=person.email, role=person.role, **values)
                )
                summary.focal_points["created"] += 1
            else:
                summary.focal_points[
                    "updated" if _assign(people[key], values) else "unchanged"
                ] += 1
        for key, stored_person in people.items():
            if key not in seen and stored_person.active:
                stored_person.active = False
                summary.focal_points["deactivated"] += 1
    session.flush()
    summary.actions_reresolved = reresolve_actions(session)
    session.add(
        ImportRecord(
            file_name=directory.file,
            checksum=directory.checksum,
            file_format="directory",
            imported_at=now,
            summary={"parties": dict(summary.parties), "focal_points": dict(summary.focal_points)},
        )
    )
    session.flush()
    return summary


def reresolve_actions(session: Session) -> int:
    """Resolve every stored action's responsible text again against the current directory."""
    resolver = load_resolver(session)
    parties = {p.code: p for p in session.scalars(select(Party))}
    changed = 0
    actions = session.scalars(select(KeyAction).options(selectinload(KeyAction.parties)))
    cache: dict[str, Any] = {}
    for action in actions:
        resolution = cache.get(action.responsible_text)
        if resolution is None:
            resolution = cache[action.responsible_text] = resolver.resolve(action.responsible_text)
        codes = sorted(resolution.codes)
        if [p.code for p in action.parties] != codes or action.unresolved != list(
            resolution.unresolved
        ):
            action.parties = [parties[code] for code in codes]
            action.unresolved = list(resolution.unresolved)
            changed += 1
    return changed
