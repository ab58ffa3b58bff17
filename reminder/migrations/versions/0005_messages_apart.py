"""messages apart: the ledger's message bodies move to delivery_messages

Revision ID: 0005
Revises: 0004

State changes (pending -> sending -> sent) no longer rewrite the stored message on SQLite.
Existing messages are copied across before the column goes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery_messages",
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_delivery_messages_delivery_id_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("delivery_id", name=op.f("pk_delivery_messages")),
    )
    op.execute(
        "INSERT INTO delivery_messages (delivery_id, payload) SELECT id, payload FROM deliveries"
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("payload")


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payload", sa.Text(), nullable=True))
    op.execute(
        "UPDATE deliveries SET payload = (SELECT m.payload FROM delivery_messages m"
        " WHERE m.delivery_id = deliveries.id)"
    )
    op.execute("UPDATE deliveries SET payload = '' WHERE payload IS NULL")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.alter_column("payload", existing_type=sa.Text(), nullable=False)
    op.drop_table("delivery_messages")
