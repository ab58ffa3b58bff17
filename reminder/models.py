"""SQLAlchemy 2 typed tables: the directory, the management responses, and the delivery ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored in UTC and always come back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# Statuses (DESIGN.md section 2); `open` covers labels that only say "not closed".
STATUSES = ("not_initiated", "initiated", "completed", "no_longer_applicable", "open")
CLOSED_STATUSES = ("completed", "no_longer_applicable")
PRECISIONS = ("day", "month", "quarter", "year", "none")
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
    alternate_email: Mapped[str | None] = mapped_column(String(320))

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

    recommendation: Mapped[Recommendation] = relationship(back_populates="key_actions")
    parties: Mapped[list[Party]] = relationship(secondary=key_action_parties, order_by="Party.code")


class ImportRecord(Base):
    """Provenance: which file was imported, its checksum, when, and what it changed."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(Text)
    checksum: Mapped[str] = mapped_column(String(64), index=True)
    file_format: Mapped[str] = mapped_column(String(32))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
