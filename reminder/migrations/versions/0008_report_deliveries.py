"""report deliveries: the ledger holds the monthly report as well as daily digests

Revision ID: 0008
Revises: 0007

A ledger row gains a `kind` (`digest` or `report`), and the unique key becomes (recipient,
digest_day, kind): the evaluation office may receive its digest and the monthly report on the
same day, each exactly once. Existing rows are digests.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=8), server_default="digest", nullable=False)
        )
        batch_op.drop_constraint("uq_deliveries_recipient_day", type_="unique")
        batch_op.create_unique_constraint(
            "uq_deliveries_recipient_day_kind", ["recipient", "digest_day", "kind"]
        )


def downgrade() -> None:
    # Reports cannot live in the old ledger (their day may collide with a digest's).
    op.execute(
        "DELETE FROM reminder_log WHERE delivery_id IN"
        " (SELECT id FROM deliveries WHERE kind = 'report')"
    )
    op.execute(
        "DELETE FROM delivery_messages WHERE delivery_id IN"
        " (SELECT id FROM deliveries WHERE kind = 'report')"
    )
    op.execute("DELETE FROM deliveries WHERE kind = 'report'")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_constraint("uq_deliveries_recipient_day_kind", type_="unique")
        batch_op.create_unique_constraint(
            "uq_deliveries_recipient_day", ["recipient", "digest_day"]
        )
        batch_op.drop_column("kind")
