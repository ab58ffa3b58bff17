"""action updates: the append-only history of status changes, comments and proposals

Revision ID: 0006
Revises: 0005

Desk updates, office decisions and imports each add a row; the key action keeps the newest
status and comment for the run's scan.
"""

import sqlalchemy as sa
from alembic import op

import reminder.models

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "action_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_action_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", reminder.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("actor_name", sa.String(length=255), nullable=True),
        sa.Column("old_status", sa.String(length=24), nullable=True),
        sa.Column("new_status", sa.String(length=24), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("evidence_url", sa.Text(), nullable=True),
        sa.Column("proposed_due_date", sa.Date(), nullable=True),
        sa.Column("proposed_deadline_label", sa.String(length=64), nullable=True),
        sa.Column("proposal_reason", sa.Text(), nullable=True),
        sa.Column("proposal_state", sa.String(length=16), nullable=True),
        sa.Column("decided_by", sa.String(length=320), nullable=True),
        sa.Column("decided_at", reminder.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["key_action_id"],
            ["key_actions.id"],
            name=op.f("fk_action_updates_key_action_id_key_actions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_updates")),
    )
    op.create_index(
        "ix_action_updates_action_at", "action_updates", ["key_action_id", "recorded_at"]
    )
    op.create_index("ix_action_updates_recorded_at", "action_updates", ["recorded_at"])


def downgrade() -> None:
    op.drop_index("ix_action_updates_recorded_at", table_name="action_updates")
    op.drop_index("ix_action_updates_action_at", table_name="action_updates")
    op.drop_table("action_updates")
