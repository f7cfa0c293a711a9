"""Phone ownership: verified phones, one-time codes sent by SMS, coupon uses counted per phone.

`users.phone_verified_at` says when the user proved the phone is theirs (by a code sent to it). Accounts an
admin created (professionals, admins) count as verified from their creation; customers prove theirs at their
next log-in. `phone_codes` holds each code sent, only as a keyed hash, with its purpose, expiry and tries.
`coupon_redemptions.phone` keeps the phone of the account that used a coupon, so a once-per-customer coupon is
once per phone however many accounts that phone has had.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import masu.persistence.base

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN and CREATE INDEX (SQLite has both): batch mode would copy the tables and
    # reflect their foreign keys' tables too.
    op.add_column(
        "users",
        sa.Column("phone_verified_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=True),
    )
    op.execute(
        "UPDATE users SET phone_verified_at = created_at WHERE id IN "
        "(SELECT user_id FROM user_roles WHERE role IN ('professional', 'admin'))"
    )
    op.create_table(
        "phone_codes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("used_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_codes")),
    )
    op.create_index(op.f("ix_phone_codes_phone_created_at"), "phone_codes", ["phone", "created_at"])
    op.add_column("coupon_redemptions", sa.Column("phone", sa.String(length=20), nullable=True))
    op.create_index(
        op.f("ix_coupon_redemptions_coupon_id_phone"), "coupon_redemptions", ["coupon_id", "phone"]
    )
    op.execute(
        "UPDATE coupon_redemptions SET phone = "
        "(SELECT phone FROM users WHERE users.id = coupon_redemptions.user_id)"
    )
    op.create_index(
        op.f("ix_notifications_recipient_next_attempt_at"), "notifications", ["recipient", "next_attempt_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_notifications_recipient_next_attempt_at"), table_name="notifications")
    op.drop_index(op.f("ix_coupon_redemptions_coupon_id_phone"), table_name="coupon_redemptions")
    op.drop_index(op.f("ix_phone_codes_phone_created_at"), table_name="phone_codes")
    op.drop_table("phone_codes")
    # DROP COLUMN exists on PostgreSQL and on SQLite since 3.35; batch mode would copy the tables instead.
    op.execute("ALTER TABLE coupon_redemptions DROP COLUMN phone")
    op.execute("ALTER TABLE users DROP COLUMN phone_verified_at")
