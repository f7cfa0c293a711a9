"""Professional standing and city coverage for dispatch; indexes for the track-record queries.

`professional_stats` keeps each professional's track record and the standing it gives;
`professional_coverage` lists the cities each one covers (by list or radius) with their match score there,
ordered so dispatch reads a city's best professionals first. Both are derived data, so the upgrade fills
them for the professionals already there: a newcomer's standing, due at once for a refresh from their
history (`refreshed_at` at the epoch), which the worker's first pass does.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import masu.persistence.base
from masu.domain.matching import coverage
from masu.domain.standing import ProfessionalRecord, standing_score

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def upgrade() -> None:
    _create_stats()
    _create_coverage()
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bookings_professional_id_confirmed_at"), ["professional_id", "confirmed_at"]
        )
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_offers_professional_id_created_at"), ["professional_id", "created_at"]
        )
    with op.batch_alter_table("working_hours", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_working_hours_professional_id"))
        batch_op.create_index(
            batch_op.f("ix_working_hours_professional_id_weekday"), ["professional_id", "weekday"]
        )
    if op.get_context().dialect.name == "postgresql":
        # Treatment and duration are correlated (only some treatments come in 90 minutes); without this the
        # planner multiplies their selectivities and expects thousands of professionals where there are few.
        op.execute(
            "CREATE STATISTICS st_professional_treatments_treatment_duration (dependencies, mcv) "
            "ON treatment_id, duration_minutes FROM professional_treatments"
        )
    _fill_for_existing_professionals()


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS st_professional_treatments_treatment_duration")
    with op.batch_alter_table("working_hours", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_working_hours_professional_id_weekday"))
        batch_op.create_index(batch_op.f("ix_working_hours_professional_id"), ["professional_id"])
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offers_professional_id_created_at"))
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bookings_professional_id_confirmed_at"))
    with op.batch_alter_table("professional_stats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_professional_stats_refreshed_at"))
    op.drop_table("professional_stats")
    with op.batch_alter_table("professional_coverage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_professional_coverage_professional_id"))
        batch_op.drop_index("ix_professional_coverage_best_first")
    op.drop_table("professional_coverage")


def _create_stats() -> None:
    op.create_table(
        "professional_stats",
        sa.Column("professional_id", sa.String(length=32), nullable=False),
        sa.Column("rating_average", sa.Double(), nullable=True),
        sa.Column("rating_count", sa.Integer(), nullable=False),
        sa.Column("offers_received", sa.Integer(), nullable=False),
        sa.Column("offers_answered", sa.Integer(), nullable=False),
        sa.Column("offers_accepted", sa.Integer(), nullable=False),
        sa.Column("median_response_seconds", sa.Double(), nullable=True),
        sa.Column("recent_jobs", sa.Integer(), nullable=False),
        sa.Column("standing_score", sa.Double(), nullable=False),
        sa.Column("refreshed_at", masu.persistence.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professional_profiles.user_id"],
            name=op.f("fk_professional_stats_professional_id_professional_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("professional_id", name=op.f("pk_professional_stats")),
    )
    with op.batch_alter_table("professional_stats", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_professional_stats_refreshed_at"), ["refreshed_at"])


def _create_coverage() -> None:
    op.create_table(
        "professional_coverage",
        sa.Column("city_id", sa.String(length=32), nullable=False),
        sa.Column("professional_id", sa.String(length=32), nullable=False),
        sa.Column("by_radius", sa.Boolean(), nullable=False),
        sa.Column("distance_km", sa.Double(), nullable=True),
        sa.Column("match_score", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["city_id"],
            ["cities.id"],
            name=op.f("fk_professional_coverage_city_id_cities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professional_profiles.user_id"],
            name=op.f("fk_professional_coverage_professional_id_professional_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("city_id", "professional_id", name=op.f("pk_professional_coverage")),
    )
    with op.batch_alter_table("professional_coverage", schema=None) as batch_op:
        batch_op.create_index(
            "ix_professional_coverage_best_first",
            ["city_id", sa.literal_column("match_score DESC"), "professional_id"],
        )
        batch_op.create_index(batch_op.f("ix_professional_coverage_professional_id"), ["professional_id"])


def _fill_for_existing_professionals() -> None:
    """Give every existing professional a newcomer's standing and their coverage rows."""
    bind = op.get_bind()
    standing = standing_score(ProfessionalRecord())
    cities = {
        row.id: (row.latitude, row.longitude)
        for row in bind.execute(sa.text("SELECT id, latitude, longitude FROM cities"))
    }
    listed: dict[str, list[str]] = {}
    for row in bind.execute(sa.text("SELECT professional_id, city_id FROM professional_cities")):
        listed.setdefault(row.professional_id, []).append(row.city_id)
    stats: list[dict[str, Any]] = []
    covered: list[dict[str, Any]] = []
    profiles = "SELECT user_id, base_latitude, base_longitude, service_radius_km FROM professional_profiles"
    for row in bind.execute(sa.text(profiles)):
        base = (row.base_latitude, row.base_longitude) if row.base_latitude is not None else None
        stats.append({"pid": row.user_id, "standing": standing, "never": _NEVER})
        for entry in coverage(
            city_ids=listed.get(row.user_id, ()),
            base=base,
            radius_km=row.service_radius_km,
            cities=cities,
            standing=standing,
        ):
            covered.append(
                {
                    "city": entry.city_id,
                    "pid": row.user_id,
                    "radius": entry.by_radius,
                    "km": entry.distance_km,
                    "score": entry.match_score,
                }
            )
    if stats:
        bind.execute(
            sa.text(
                "INSERT INTO professional_stats (professional_id, rating_count, offers_received, "
                "offers_answered, offers_accepted, recent_jobs, standing_score, refreshed_at) "
                "VALUES (:pid, 0, 0, 0, 0, 0, :standing, :never)"
            ).bindparams(sa.bindparam("never", type_=masu.persistence.base.UtcDateTime(timezone=True))),
            stats,
        )
    if covered:
        bind.execute(
            sa.text(
                "INSERT INTO professional_coverage (city_id, professional_id, by_radius, distance_km, "
                "match_score) VALUES (:city, :pid, :radius, :km, :score)"
            ),
            covered,
        )
