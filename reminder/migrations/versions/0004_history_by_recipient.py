"""history by recipient: an index for the planner's per-batch history lookup

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_reminder_log_recipient_day", "reminder_log", ["recipient", "digest_day"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_reminder_log_recipient_day", table_name="reminder_log")
