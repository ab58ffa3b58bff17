"""SQLAlchemy 2 typed tables: the directory, the management responses and their history, and
the office's sign-ins. The base lives in reminder.model_base and the delivery ledger in
reminder.ledger_models; both are re-exported here, so `reminder.models` names every table."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reminder.ledger_models import Delivery, DeliveryMessage, ReminderLog, Run, RunLock
from reminder.model_base import Base, UTCDateTime, table

# Statuses (docs/architecture.md, "Domain rules"); `open` covers labels that only say "not
# closed".
STATUSES = ("not_initiated", "initiated", "completed", "no_longer_applicable", "open")
CLOSED_STATUSES = ("completed", "no_longer_applicable")
ROLES = ("primary", "alternate", "escalation")

key_action_parties = Table(
    "key_action_parties",
    Base.metadata,
    Column("key_action_id", ForeignKey("key_actions.id", ondelete="CASCADE"), primary_key=True),
    Column("party_id", ForeignKey("parties.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_key_action_parties_party_id", "party_id"),
)


class Party(Base):
    """An agency or unit that can be responsible for key actions."""

    __tablename__ = "parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    parent_office: Mapped[str | None] = mapped_column(String(255))
    default_locale: Mapped[str | None] = mapped_column(String(16))
    catch_all: Mapped[bool] = mapped_column(Boolean, default=False)

    focal_points: Mapped[list[FocalPoint]] = relationship(
        back_populates="party", cascade="all, delete-orphan", order_by="FocalPoint.id"
    )


class FocalPoint(Base):
    """A person who receives digests for a party, in one role."""

    __tablename__ = "focal_points"
    __table_args__ = (UniqueConstraint("party_id", "email", "role", name="uq_focal_points_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(320), index=True)
    role: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    away_until: Mapped[date | None] = mapped_column(Date)
    # Indexed: the desk asks "whom does this person stand in for?" on every page.
    alternate_email: Mapped[str | None] = mapped_column(String(320), index=True)

    party: Mapped[Party] = relationship(back_populates="focal_points")


class Evaluation(Base):
    """One evaluated programme and its management response."""

    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "source:<id>" when the file carries an id, else "title:<office>|<title>", normalised.
    identity: Mapped[str] = mapped_column(String(600), unique=True)
    source_id: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(Text)
    office: Mapped[str | None] = mapped_column(String(255))
    period: Mapped[str | None] = mapped_column(String(64))
    source_url: Mapped[str | None] = mapped_column(Text)
    response_state: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str | None] = mapped_column(Text)

    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="evaluation",
        cascade="all, delete-orphan",
        order_by="Recommendation.position",
    )


class Recommendation(Base):
    __tablename__ = "recommendations"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "position", name="uq_recommendations_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    management_response: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(128))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    added_on: Mapped[date | None] = mapped_column(Date)
    updated_on: Mapped[date | None] = mapped_column(Date)

    evaluation: Mapped[Evaluation] = relationship(back_populates="recommendations")
    key_actions: Mapped[list[KeyAction]] = relationship(
        back_populates="recommendation", cascade="all, delete-orphan", order_by="KeyAction.position"
    )


class KeyAction(Base):
    __tablename__ = "key_actions"
    __table_args__ = (
        UniqueConstraint("recommendation_id", "position", name="uq_key_actions_position"),
        # The scan asks for open actions by due day; this index serves it.
        Index("ix_key_actions_status_due", "status", "due_date"),
        # The report's counts by evaluation read this index alone (migration 0009).
        Index("ix_key_actions_report", "recommendation_id", "status", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date | None] = mapped_column(Date)
    deadline_precision: Mapped[str] = mapped_column(String(8))
    deadline_label: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(24))
    status_label: Mapped[str] = mapped_column(String(64))
    comments: Mapped[str | None] = mapped_column(Text)
    responsible_text: Mapped[str] = mapped_column(Text)
    unresolved: Mapped[list[str]] = mapped_column(JSON, default=list)
    added_on: Mapped[date | None] = mapped_column(Date)
    updated_on: Mapped[date | None] = mapped_column(Date)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source_line: Mapped[int | None] = mapped_column(Integer)
    # The deadline before the office accepted a proposed one (the first such only).
    original_due_date: Mapped[date | None] = mapped_column(Date)
    original_deadline_label: Mapped[str | None] = mapped_column(String(64))

    recommendation: Mapped[Recommendation] = relationship(back_populates="key_actions")
    parties: Mapped[list[Party]] = relationship(secondary=key_action_parties, order_by="Party.code")


class ActionUpdate(Base):
    """One change to a key action, append-only: from the status desk (`web`), the evaluation
    office (`office`) or an import (`import`). The action's current status and comments are the
    newest of these; older rows are never rewritten, except a proposal's decision fields."""

    __tablename__ = "action_updates"
    __table_args__ = (
        # An action's history in order, with its statuses: the report's trend reads the
        # index alone (migration 0009).
        Index(
            "ix_action_updates_history",
            *("key_action_id", "recorded_at", "id", "new_status", "old_status"),
        ),
        Index("ix_action_updates_recorded_at", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key_action_id: Mapped[int] = mapped_column(ForeignKey("key_actions.id", ondelete="CASCADE"))
    # When the change took effect: the moment of a desk or office update; for an import, the
    # row's [Last Updated] stamp when the file gave one, else the time of the import.
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(16))
    # Who: a focal point's or office member's address, or the imported file's name.
    actor: Mapped[str] = mapped_column(String(320))
    actor_name: Mapped[str | None] = mapped_column(String(255))
    # None on the first import of an action; new_status None when the status did not change.
    old_status: Mapped[str | None] = mapped_column(String(24))
    new_status: Mapped[str | None] = mapped_column(String(24))
    comment: Mapped[str | None] = mapped_column(Text)
    evidence_url: Mapped[str | None] = mapped_column(Text)
    proposed_due_date: Mapped[date | None] = mapped_column(Date)
    proposed_deadline_label: Mapped[str | None] = mapped_column(String(64))
    proposal_reason: Mapped[str | None] = mapped_column(Text)
    # pending -> accepted | declined, for rows that carry a proposed deadline.
    proposal_state: Mapped[str | None] = mapped_column(String(16))
    decided_by: Mapped[str | None] = mapped_column(String(320))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)


class OfficeSignIn(Base):
    """A one-time sign-in link emailed to an office member: single use, short-lived, and
    stored only as a SHA-256 of the token, so the table alone opens nothing."""

    __tablename__ = "office_sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ImportRecord(Base):
    """Provenance: which file was imported, its checksum, when, and what it changed."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(Text)
    checksum: Mapped[str] = mapped_column(String(64), index=True)
    file_format: Mapped[str] = mapped_column(String(32))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


__all__ = [
    "CLOSED_STATUSES",
    "ROLES",
    "STATUSES",
    "ActionUpdate",
    "Base",
    "Delivery",
    "DeliveryMessage",
    "Evaluation",
    "FocalPoint",
    "ImportRecord",
    "KeyAction",
    "OfficeSignIn",
    "Party",
    "Recommendation",
    "ReminderLog",
    "Run",
    "RunLock",
    "UTCDateTime",
    "key_action_parties",
    "table",
]
