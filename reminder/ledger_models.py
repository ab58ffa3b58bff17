"""The delivery ledger's tables (docs/architecture.md, "Delivery"): planned messages, their
exact bytes, the reminder log, runs and the SQLite run lock. Re-exported by reminder.models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from reminder.model_base import Base, UTCDateTime

# States (docs/architecture.md, "Delivery"): pending -> sending -> sent | deferred | failed |
# ambiguous.


class Delivery(Base):
    """One planned message, a daily digest or the monthly report (`kind`): written before any
    SMTP traffic, updated after. The ledger is the queue; the unique (recipient, digest_day,
    kind) key is the last defence against double sends. A report's digest_day is the first day
    of its month."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint(
            "recipient", "digest_day", "kind", name="uq_deliveries_recipient_day_kind"
        ),
        Index("ix_deliveries_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320))
    recipient_name: Mapped[str | None] = mapped_column(String(255))
    digest_day: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(8), default="digest", server_default="digest")
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    subject: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(16))
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Set when a send may have reached the relay without us learning so (dropped after DATA,
    # or a crash while sending); a later successful send then ends as `ambiguous`.
    maybe_delivered: Mapped[bool] = mapped_column(Boolean, default=False)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))


class DeliveryMessage(Base):
    """The exact message of a ledger row, so a retry resends the same bytes with the same
    Message-ID. A table of its own: SQLite rewrites a whole row on every UPDATE, and the
    ledger's state changes would otherwise copy ~50 KB of message each time."""

    __tablename__ = "delivery_messages"

    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("deliveries.id", ondelete="CASCADE"), primary_key=True
    )
    payload: Mapped[str] = mapped_column(Text)


class ReminderLog(Base):
    """Which action was in which recipient's digest, for what reason: the rules' memory of
    milestones and repetition across runs."""

    __tablename__ = "reminder_log"
    __table_args__ = (
        Index("ix_reminder_log_action_recipient", "key_action_id", "recipient"),
        # The planner reads the history of one batch of recipients at a time.
        Index("ix_reminder_log_recipient_day", "recipient", "digest_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("deliveries.id", ondelete="CASCADE"), index=True
    )
    key_action_id: Mapped[int] = mapped_column(ForeignKey("key_actions.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(320))
    reason: Mapped[str] = mapped_column(String(16))
    milestone: Mapped[int | None] = mapped_column(Integer)
    digest_day: Mapped[date] = mapped_column(Date)


class Run(Base):
    """One reconcile: `run-once` or a daemon fire, with its report."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    as_of: Mapped[date] = mapped_column(Date)
    trigger: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str | None] = mapped_column(String(32))
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class RunLock(Base):
    """The single-flight lock row used on SQLite (PostgreSQL uses an advisory lock)."""

    __tablename__ = "run_lock"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(255))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
