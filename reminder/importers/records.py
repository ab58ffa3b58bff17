"""Validated records every importer produces and load.py writes: management responses
(evaluation → recommendation → key action) and the directory (party → focal point)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from reminder.deadlines import Deadline
from reminder.responsible import Resolver


@dataclass
class ActionRecord:
    line: int
    text: str
    responsible_text: str
    deadline: Deadline
    status: str
    status_label: str
    comments: str = ""
    number: str | None = None
    added_on: date | None = None
    updated_on: date | None = None


@dataclass
class RecommendationRecord:
    line: int
    text: str
    number: str | None = None
    management_response: str = ""
    description: str = ""
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    added_on: date | None = None
    updated_on: date | None = None
    actions: list[ActionRecord] = field(default_factory=list)


@dataclass
class EvaluationRecord:
    line: int
    title: str
    office: str | None = None
    period: str | None = None
    source_id: str | None = None
    source_url: str | None = None
    response_state: str | None = None
    summary: str = ""
    recommendations: list[RecommendationRecord] = field(default_factory=list)


@dataclass(frozen=True)
class Guess:
    """A flat row whose split between action text and responsible text rested on a guess."""

    line: int
    responsible_text: str
    reason: str


@dataclass
class ImportBatch:
    """Everything read from one file, and the resolver it was read with (the writer resolves
    with the same one, so read and write agree on every name)."""

    file: str
    file_format: str
    checksum: str
    resolver: Resolver
    encoding: str = "utf-8"
    evaluations: list[EvaluationRecord] = field(default_factory=list)
    guesses: list[Guess] = field(default_factory=list)
    warnings: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass
class FocalPointRecord:
    line: int
    name: str
    email: str
    role: str
    locale: str | None = None
    away_until: date | None = None
    alternate: str | None = None
    active: bool = True


@dataclass
class PartyRecord:
    line: int
    code: str
    name: str
    aliases: list[str] = field(default_factory=list)
    catch_all: bool = False
    parent_office: str | None = None
    locale: str | None = None
    focal_points: list[FocalPointRecord] = field(default_factory=list)


@dataclass
class DirectoryFile:
    """Everything read from one directory file."""

    file: str
    checksum: str
    parties: list[PartyRecord]
    warnings: list[str] = field(default_factory=list)  # file:line: email: look-alikes etc.
