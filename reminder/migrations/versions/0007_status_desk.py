"""status desk: original deadlines kept on revision, and office sign-in tokens

Revision ID: 0007
Revises: 0006

An accepted deadline proposal changes a key action's deadline; the deadline it replaced is
kept (the first one only) so digests can say "revised from 2026/11". Office members sign in
with emailed one-time links; only a SHA-256 of each token is stored. Focal points are
indexed by alternate address: the desk looks up whom a person stands in for on every page.
"""

import sqlalchemy as sa
from alembic import op

import reminder.models

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("key_actions") as batch:
        batch.add_column(sa.Column("original_due_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("original_deadline_label", sa.String(length=64), nullable=True))
    op.create_index(
        "ix_focal_points_alternate_email", "focal_points", ["alternate_email"], unique=False
    )
    op.create_table(
        "office_sign_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", reminder.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", reminder.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", reminder.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_sign_ins")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_office_sign_ins_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("office_sign_ins")
    op.drop_index("ix_focal_points_alternate_email", table_name="focal_points")
    with op.batch_alter_table("key_actions") as batch:
        batch.drop_column("original_deadline_label")
        batch.drop_column("original_due_date")
