"""The review cycle: requests, reminders and single-use review links.

`review_cycles` holds, for each booking waiting for its review, the next step of its cycle (the request, a
reminder, or closing the window) and when it falls due, indexed so the worker reads only due rows. Bookings
already waiting in pending_review get a row due at once: a request if none was sent, else the next reminder.
Reviews gain an index for a professional's reviews newest first.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import masu.persistence.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_cycles",
        sa.Column("booking_id", sa.String(length=32), nullable=False),
        sa.Column("next_step", sa.String(length=16), nullable=False),
        sa.Column("next_step_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_review_cycles_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("booking_id", name=op.f("pk_review_cycles")),
    )
    with op.batch_alter_table("review_cycles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_cycles_next_step_at"), ["next_step_at"], unique=False)
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reviews_professional_id_created_at"),
            ["professional_id", "created_at"],
            unique=False,
        )
    op.execute(
        "INSERT INTO review_cycles (booking_id, next_step, next_step_at)"
        " SELECT id,"
        " CASE WHEN review_request_sent_at IS NULL THEN 'request' ELSE 'first_reminder' END,"
        " COALESCE(review_request_sent_at, treatment_completed_at, updated_at)"
        " FROM bookings WHERE status = 'pending_review'"
    )


def downgrade() -> None:
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviews_professional_id_created_at"))
    with op.batch_alter_table("review_cycles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_cycles_next_step_at"))
    op.drop_table("review_cycles")
