"""report indexes: what the report reads, in indexes it can read alone

Revision ID: 0009
Revises: 0008

The report counts every key action by evaluation (through its recommendation), status and
days overdue: `ix_key_actions_report` holds those three columns, so the count reads the index,
never the wide action rows. Its trend walks every action's status history in order:
`ix_action_updates_history` replaces `ix_action_updates_action_at` (same leading columns, so
the desk's and the importer's lookups are served as before), then the id that breaks ties in
its order, and the two statuses.
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_key_actions_report", "key_actions", ["recommendation_id", "status", "due_date"]
    )
    op.create_index(
        "ix_action_updates_history",
        "action_updates",
        ["key_action_id", "recorded_at", "id", "new_status", "old_status"],
    )
    op.drop_index("ix_action_updates_action_at", table_name="action_updates")


def downgrade() -> None:
    op.create_index(
        "ix_action_updates_action_at", "action_updates", ["key_action_id", "recorded_at"]
    )
    op.drop_index("ix_action_updates_history", table_name="action_updates")
    op.drop_index("ix_key_actions_report", table_name="key_actions")
