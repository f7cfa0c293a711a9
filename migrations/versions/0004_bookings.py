"""Bookings.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import masu.persistence.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "counters",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counters")),
    )
    op.create_table(
        "bookings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("booking_number", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("professional_id", sa.String(length=32), nullable=True),
        sa.Column("treatment_id", sa.String(length=32), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("booking_date_time", masu.persistence.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("treatment_completed_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("recipient_name", sa.String(length=50), nullable=False),
        sa.Column("recipient_phone", sa.String(length=20), nullable=False),
        sa.Column("recipient_email", sa.String(length=254), nullable=True),
        sa.Column("is_for_someone_else", sa.Boolean(), nullable=False),
        sa.Column("city_id", sa.String(length=32), nullable=False),
        sa.Column("address_street", sa.String(length=100), nullable=False),
        sa.Column("address_city", sa.String(length=50), nullable=False),
        sa.Column("address_building", sa.String(length=20), nullable=True),
        sa.Column("address_apartment", sa.String(length=20), nullable=True),
        sa.Column("therapist_gender_preference", sa.String(length=8), nullable=False),
        sa.Column("notes", sa.String(length=500), nullable=True),
        sa.Column("coupon_id", sa.String(length=32), nullable=True),
        sa.Column("base_price", sa.Integer(), nullable=False),
        sa.Column(
            "surcharges",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("total_surcharges", sa.Integer(), nullable=False),
        sa.Column("discount", sa.Integer(), nullable=False),
        sa.Column("final_amount", sa.Integer(), nullable=False),
        sa.Column("base_professional_payment", sa.Integer(), nullable=False),
        sa.Column("surcharges_professional_payment", sa.Integer(), nullable=False),
        sa.Column("payment_bonus", sa.Integer(), nullable=False),
        sa.Column("total_professional_payment", sa.Integer(), nullable=False),
        sa.Column("company_fee", sa.Integer(), nullable=False),
        sa.Column("payment_status", sa.String(length=16), nullable=False),
        sa.Column("needs_attention", sa.Boolean(), nullable=False),
        sa.Column("cancellation_reason", sa.String(length=500), nullable=True),
        sa.Column("cancelled_by", sa.String(length=16), nullable=True),
        sa.Column("review_request_sent_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("first_reminder_sent_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("second_reminder_sent_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("final_reminder_sent_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["city_id"], ["cities.id"], name=op.f("fk_bookings_city_id_cities")),
        sa.ForeignKeyConstraint(["coupon_id"], ["coupons.id"], name=op.f("fk_bookings_coupon_id_coupons")),
        sa.ForeignKeyConstraint(
            ["professional_id"], ["users.id"], name=op.f("fk_bookings_professional_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["treatment_id"], ["treatments.id"], name=op.f("fk_bookings_treatment_id_treatments")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_bookings_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
        sa.UniqueConstraint("booking_number", name=op.f("uq_bookings_booking_number")),
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bookings_city_id_booking_date_time"),
            ["city_id", "booking_date_time"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_bookings_created_at_id"), ["created_at", "id"], unique=False)
        batch_op.create_index(
            "ix_bookings_open_created_at",
            ["created_at"],
            unique=False,
            postgresql_where=sa.text("status IN ('pending_professional', 'confirmed')"),
            sqlite_where=sa.text("status IN ('pending_professional', 'confirmed')"),
        )
        batch_op.create_index(
            batch_op.f("ix_bookings_professional_id_status"), ["professional_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_bookings_status_booking_date_time"), ["status", "booking_date_time"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_bookings_user_id_created_at_id"), ["user_id", "created_at", "id"], unique=False
        )

    op.create_table(
        "booking_status_history",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("booking_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("occurred_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("triggered_by", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_booking_status_history_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_status_history")),
    )
    with op.batch_alter_table("booking_status_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_booking_status_history_booking_id"), ["booking_id"], unique=False
        )

    op.create_table(
        "coupon_redemptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("coupon_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("booking_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_coupon_redemptions_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["coupon_id"], ["coupons.id"], name=op.f("fk_coupon_redemptions_coupon_id_coupons")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_coupon_redemptions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupon_redemptions")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_coupon_redemptions_booking_id")),
    )
    with op.batch_alter_table("coupon_redemptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coupon_redemptions_coupon_id_user_id"), ["coupon_id", "user_id"], unique=False
        )

    op.create_table(
        "offers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("booking_id", sa.String(length=32), nullable=False),
        sa.Column("professional_id", sa.String(length=32), nullable=False),
        sa.Column("wave", sa.Integer(), nullable=False),
        sa.Column("match_score", sa.Double(), nullable=False),
        sa.Column("notified_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("response_status", sa.String(length=12), nullable=False),
        sa.Column("response_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("channel", sa.String(length=8), nullable=True),
        sa.Column("delivery_status", sa.String(length=12), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_offers_booking_id_bookings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["professional_id"], ["users.id"], name=op.f("fk_offers_professional_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
        sa.UniqueConstraint(
            "booking_id", "professional_id", "wave", name=op.f("uq_offers_booking_id_professional_id_wave")
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_offers_token_hash")),
    )
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_offers_pending_expires_at",
            ["expires_at"],
            unique=False,
            postgresql_where=sa.text("response_status = 'pending'"),
            sqlite_where=sa.text("response_status = 'pending'"),
        )
        batch_op.create_index(
            batch_op.f("ix_offers_professional_id_response_status"),
            ["professional_id", "response_status"],
            unique=False,
        )

    if op.get_bind().dialect.name == "postgresql":
        # A sequence hands out booking numbers without holding a row lock until commit.
        op.execute("CREATE SEQUENCE booking_number_seq")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE booking_number_seq")
    op.drop_table("offers")
    op.drop_table("coupon_redemptions")
    op.drop_table("booking_status_history")
    op.drop_table("bookings")
    op.drop_table("counters")
