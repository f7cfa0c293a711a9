"""Professional profiles: treatments, cities, working hours, standing and coverage."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from masu.persistence.base import Base


class ProfessionalProfile(Base):
    """What a professional is allowed and willing to do; keyed by the professional's user id."""

    __tablename__ = "professional_profiles"

    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending_approval")
    is_active: Mapped[bool] = mapped_column(default=True)
    bio: Mapped[str | None] = mapped_column(sa.Text)
    base_latitude: Mapped[float | None]
    base_longitude: Mapped[float | None]
    service_radius_km: Mapped[int | None]
    approved_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    __table_args__ = (sa.Index(None, "status", "is_active"),)


class ProfessionalTreatment(Base):
    """A treatment (and duration; 0 for a fixed-price one) a professional offers, with own pay."""

    __tablename__ = "professional_treatments"

    professional_id: Mapped[str] = mapped_column(
        sa.ForeignKey("professional_profiles.user_id", ondelete="CASCADE"), primary_key=True
    )
    treatment_id: Mapped[str] = mapped_column(sa.ForeignKey("treatments.id"), primary_key=True)
    duration_minutes: Mapped[int] = mapped_column(primary_key=True, default=0)
    professional_pay: Mapped[int | None]

    __table_args__ = (sa.Index(None, "treatment_id", "duration_minutes"),)


class ProfessionalCity(Base):
    """A city a professional covers."""

    __tablename__ = "professional_cities"

    professional_id: Mapped[str] = mapped_column(
        sa.ForeignKey("professional_profiles.user_id", ondelete="CASCADE"), primary_key=True
    )
    city_id: Mapped[str] = mapped_column(sa.ForeignKey("cities.id"), primary_key=True)

    __table_args__ = (sa.Index(None, "city_id"),)


class WorkingHours(Base):
    """One weekly working interval in local time (weekday 0=Monday; minutes from local midnight)."""

    __tablename__ = "working_hours"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    professional_id: Mapped[str] = mapped_column(
        sa.ForeignKey("professional_profiles.user_id", ondelete="CASCADE")
    )
    weekday: Mapped[int]
    start_minute: Mapped[int]
    end_minute: Mapped[int]

    __table_args__ = (
        sa.Index(None, "professional_id", "weekday"),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        sa.CheckConstraint(
            "start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute", name="span"
        ),
    )


class ProfessionalStats(Base):
    """A professional's track record as matching scores it, and the standing it gives (derived data)."""

    __tablename__ = "professional_stats"

    professional_id: Mapped[str] = mapped_column(
        sa.ForeignKey("professional_profiles.user_id", ondelete="CASCADE"), primary_key=True
    )
    rating_average: Mapped[float | None]
    rating_count: Mapped[int] = mapped_column(default=0)
    offers_received: Mapped[int] = mapped_column(default=0)
    offers_answered: Mapped[int] = mapped_column(default=0)
    offers_accepted: Mapped[int] = mapped_column(default=0)
    median_response_seconds: Mapped[float | None]
    recent_jobs: Mapped[int] = mapped_column(default=0)
    standing_score: Mapped[float]
    refreshed_at: Mapped[datetime] = mapped_column(index=True)


class ProfessionalCoverage(Base):
    """A city a professional covers, by list or radius, with their match score there (derived data).

    Dispatch reads a city's professionals best first from the ordered index and stops at the first few
    who are free, instead of scoring everyone who covers the city.
    """

    __tablename__ = "professional_coverage"

    city_id: Mapped[str] = mapped_column(sa.ForeignKey("cities.id", ondelete="CASCADE"), primary_key=True)
    professional_id: Mapped[str] = mapped_column(
        sa.ForeignKey("professional_profiles.user_id", ondelete="CASCADE"), primary_key=True
    )
    by_radius: Mapped[bool]
    distance_km: Mapped[float | None]
    match_score: Mapped[float]

    __table_args__ = (sa.Index(None, "professional_id"),)


sa.Index(
    "ix_professional_coverage_best_first",
    ProfessionalCoverage.city_id,
    ProfessionalCoverage.match_score.desc(),
    ProfessionalCoverage.professional_id,
)
