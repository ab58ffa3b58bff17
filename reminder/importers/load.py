"""Writes what the importers read: each file in one transaction, updating in place, never
duplicating, never deleting what is already stored. `import_file` reads and writes one file
with one resolver."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from reminder.importers import read_file
from reminder.importers.records import DirectoryFile, ImportBatch, PartyRecord
from reminder.importers.writer import BulkWriter, link_codes, resolution_for
from reminder.models import FocalPoint, ImportRecord, KeyAction, Party
from reminder.progress import SILENT, Progress
from reminder.responsible import Resolver


@dataclass
class FileSummary:
    file: str
    file_format: str
    evaluations: Counter[str] = field(default_factory=Counter)
    recommendations: Counter[str] = field(default_factory=Counter)
    key_actions: Counter[str] = field(default_factory=Counter)
    unresolved: list[dict[str, Any]] = field(default_factory=list)
    guesses: list[dict[str, Any]] = field(default_factory=list)
    encoding: str = "utf-8"
    warnings: list[dict[str, Any]] = field(default_factory=list)
    kept_desk_updates: list[dict[str, Any]] = field(default_factory=list)
    missing_actions: list[dict[str, Any]] = field(default_factory=list)  # kept, not in file
    missing_recommendations: list[dict[str, Any]] = field(default_factory=list)  # kept too

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
            "encoding": self.encoding,
            "unresolved": self.unresolved,
            "guesses": self.guesses,
            "warnings": self.warnings,
            "kept_desk_updates": self.kept_desk_updates,
            "missing_actions": self.missing_actions,
            "missing_recommendations": self.missing_recommendations,
        }


def load_resolver(session: Session) -> Resolver:
    """The directory's names, and its catch-all party."""
    parties = session.execute(
        select(Party.code, Party.name, Party.aliases, Party.catch_all).order_by(Party.code)
    ).all()
    catch_all = next((code for code, _, _, flag in parties if flag), None)
    return Resolver.from_parties(
        ((code, name, aliases or []) for code, name, aliases, _ in parties), catch_all
    )


def import_file(
    session: Session,
    path: Path,
    now: datetime,
    date_order: str = "dmy",
    shown: tuple[Progress, Progress] = (SILENT, SILENT),
) -> FileSummary:
    """Read one file and write it in the caller's transaction, with one resolver from read
    to write; raises SourceError (SourceErrors: every problem of the file) before writing.
    `shown` reports rows read and key actions written."""
    batch = read_file(path, load_resolver(session), date_order, shown[0])
    return load_batch(session, batch, now, shown[1])


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set attributes that differ; True if anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def load_batch(
    session: Session, batch: ImportBatch, now: datetime, shown: Progress = SILENT
) -> FileSummary:
    """Write one file's records in the caller's transaction and return what changed."""
    party_ids = dict(session.execute(select(Party.code, Party.id)).tuples().all())
    writer = BulkWriter(session, batch.resolver, party_ids, now, batch.file, shown)
    writer.write(batch.evaluations)
    summary = FileSummary(batch.file, batch.file_format, encoding=batch.encoding)
    for kind in ("evaluations", "recommendations", "key_actions"):
        getattr(summary, kind).update(writer.counts[kind])
    summary.unresolved = writer.unresolved
    summary.guesses = [asdict(guess) for guess in batch.guesses]
    summary.warnings = [
        {"line": line, "field": name, "message": message} for line, name, message in batch.warnings
    ]
    summary.kept_desk_updates = writer.actions.kept_desk
    summary.missing_actions = writer.actions.missing
    summary.missing_recommendations = writer.recommendations.missing
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


def load_directory(session: Session, directory: DirectoryFile, now: datetime) -> DirectorySummary:
    """Upsert parties by code and focal points by (party, email, role); focal points of a listed
    party that the file no longer lists are deactivated, not deleted."""
    summary = DirectorySummary(directory.file)
    stored = {
        p.code: p for p in session.scalars(select(Party).options(selectinload(Party.focal_points)))
    }
    for record in directory.parties:
        party = _upsert_party(session, stored.get(record.code), record, summary)
        _upsert_focal_points(party, record, summary)
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


def _upsert_party(
    session: Session, party: Party | None, record: PartyRecord, summary: DirectorySummary
) -> Party:
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
    return party


def _upsert_focal_points(party: Party, record: PartyRecord, summary: DirectorySummary) -> None:
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
            party.focal_points.append(FocalPoint(email=person.email, role=person.role, **values))
            summary.focal_points["created"] += 1
        else:
            outcome = "updated" if _assign(people[key], values) else "unchanged"
            summary.focal_points[outcome] += 1
    for key, stored_person in people.items():
        if key not in seen and stored_person.active:
            stored_person.active = False
            summary.focal_points["deactivated"] += 1


def reresolve_actions(session: Session) -> int:
    """Resolve every stored action's responsible text again against the current directory."""
    resolver = load_resolver(session)
    parties = {p.code: p for p in session.scalars(select(Party))}
    changed = 0
    actions = session.scalars(select(KeyAction).options(selectinload(KeyAction.parties)))
    cache: dict[str, Any] = {}
    for action in actions:
        resolution = resolution_for(resolver, action.responsible_text, action.text, cache)
        codes = sorted(link_codes(resolver, resolution))
        if [p.code for p in action.parties] != codes or action.unresolved != list(
            resolution.unresolved
        ):
            action.parties = [parties[code] for code in codes]
            action.unresolved = list(resolution.unresolved)
            changed += 1
    return changed
