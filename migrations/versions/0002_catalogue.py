"""Catalogue.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import masu.persistence.base

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cities",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("name_he", sa.String(length=50), nullable=True),
        sa.Column("latitude", sa.Double(), nullable=False),
        sa.Column("longitude", sa.Double(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cities")),
    )
    op.create_table(
        "treatments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("pricing_type", sa.String(length=10), nullable=False),
        sa.Column("fixed_price", sa.Integer(), nullable=True),
        sa.Column("fixed_professional_pay", sa.Integer(), nullable=True),
        sa.Column("default_duration_minutes", sa.Integer(), nullable=False),
        sa.Column("allows_gender_preference", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatments")),
    )
    op.create_table(
        "treatment_durations",
        sa.Column("treatment_id", sa.String(length=32), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("professional_pay", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["treatment_id"],
            ["treatments.id"],
            name=op.f("fk_treatment_durations_treatment_id_treatments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("treatment_id", "minutes", name=op.f("pk_treatment_durations")),
    )
    op.create_table(
        "surcharge_rules",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("description", sa.String(length=100), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("on_date", sa.Date(), nullable=True),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.Column("amount_kind", sa.String(length=8), nullable=False),
        sa.Column("amount_value", sa.Integer(), nullable=False),
        sa.Column("share_kind", sa.String(length=8), nullable=True),
        sa.Column("share_value", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surcharge_rules")),
    )
    op.create_table(
        "coupons",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("valid_from", masu.persistence.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("valid_until", masu.persistence.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("usage_limit", sa.Integer(), nullable=True),
        sa.Column("per_user_limit", sa.Integer(), nullable=True),
        sa.Column("times_used", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "usage_limit IS NULL OR times_used <= usage_limit", name=op.f("ck_coupons_within_limit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupons")),
        sa.UniqueConstraint("code", name=op.f("uq_coupons_code")),
    )
    op.create_index("uq_cities_lower_name", "cities", [sa.text("lower(name)")], unique=True)


def downgrade() -> None:
    op.drop_table("coupons")
    op.drop_table("surcharge_rules")
    op.drop_table("treatment_durations")
    op.drop_table("treatments")
    op.drop_table("cities")
