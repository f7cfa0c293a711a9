"""Notification delivery: the render context (for an email fallback), urgency, a send-by time, fallbacks.

The due index now also covers rows being sent, so a message whose worker died becomes due again.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import masu.persistence.base

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "context",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(
            sa.Column("send_before", masu.persistence.base.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("fallback_for_id", sa.String(length=32), nullable=True))
        batch_op.drop_index("ix_notifications_due")
        batch_op.create_index(
            "ix_notifications_due",
            ["next_attempt_at"],
            postgresql_where=sa.text("status IN ('queued', 'sending')"),
            sqlite_where=sa.text("status IN ('queued', 'sending')"),
        )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.alter_column("urgent", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_due")
        batch_op.create_index(
            "ix_notifications_due",
            ["next_attempt_at"],
            postgresql_where=sa.text("status = 'queued'"),
            sqlite_where=sa.text("status = 'queued'"),
        )
        batch_op.drop_column("fallback_for_id")
        batch_op.drop_column("send_before")
        batch_op.drop_column("urgent")
        batch_op.drop_column("context")
