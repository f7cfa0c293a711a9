"""Professionals.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import masu.persistence.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "professional_profiles",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("bio", sa.Text(), nullable=True),
        sa.Column("base_latitude", sa.Double(), nullable=True),
        sa.Column("base_longitude", sa.Double(), nullable=True),
        sa.Column("service_radius_km", sa.Integer(), nullable=True),
        sa.Column("approved_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_professional_profiles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_professional_profiles")),
    )
    with op.batch_alter_table("professional_profiles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_professional_profiles_status_is_active"), ["status", "is_active"], unique=False
        )

    op.create_table(
        "professional_treatments",
        sa.Column("professional_id", sa.String(length=32), nullable=False),
        sa.Column("treatment_id", sa.String(length=32), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("professional_pay", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professional_profiles.user_id"],
            name=op.f("fk_professional_treatments_professional_id_professional_profiles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["treatment_id"],
            ["treatments.id"],
            name=op.f("fk_professional_treatments_treatment_id_treatments"),
        ),
        sa.PrimaryKeyConstraint(
            "professional_id", "treatment_id", "duration_minutes", name=op.f("pk_professional_treatments")
        ),
    )
    with op.batch_alter_table("professional_treatments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_professional_treatments_treatment_id_duration_minutes"),
            ["treatment_id", "duration_minutes"],
            unique=False,
        )

    op.create_table(
        "professional_cities",
        sa.Column("professional_id", sa.String(length=32), nullable=False),
        sa.Column("city_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["city_id"], ["cities.id"], name=op.f("fk_professional_cities_city_id_cities")
        ),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professional_profiles.user_id"],
            name=op.f("fk_professional_cities_professional_id_professional_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("professional_id", "city_id", name=op.f("pk_professional_cities")),
    )
    with op.batch_alter_table("professional_cities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_professional_cities_city_id"), ["city_id"], unique=False)

    op.create_table(
        "working_hours",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("professional_id", sa.String(length=32), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute",
            name=op.f("ck_working_hours_span"),
        ),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_working_hours_weekday_range")),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professional_profiles.user_id"],
            name=op.f("fk_working_hours_professional_id_professional_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_hours")),
    )
    with op.batch_alter_table("working_hours", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_working_hours_professional_id"), ["professional_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("working_hours")
    op.drop_table("professional_cities")
    op.drop_table("professional_treatments")
    op.drop_table("professional_profiles")
