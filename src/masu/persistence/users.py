"""Users, their roles, and professional profiles (treatments, cities, hours, standing, coverage)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from masu.persistence.base import Base, new_id


class User(Base):
    """A person who logs in: customer, professional, admin (roles in `user_roles`)."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(100))
    phone: Mapped[str] = mapped_column(sa.String(20), unique=True)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    gender: Mapped[str | None] = mapped_column(sa.String(8))
    language: Mapped[str] = mapped_column(sa.String(2), default="he")
    notify_by_sms: Mapped[bool] = mapped_column(default=True)
    notify_by_email: Mapped[bool] = mapped_column(default=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Written into every bearer token; raising it revokes them all (log out everywhere, password change).
    token_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime]
    # When the user proved the phone is theirs (a code sent to it); None: nothing but codes goes to it.
    phone_verified_at: Mapped[datetime | None]

    @property
    def phone_verified(self) -> bool:
        """True once the user has proved the phone is theirs."""
        return self.phone_verified_at is not None


class PhoneCode(Base):
    """A one-time code sent by SMS to prove a phone: only its keyed hash, with its tries and expiry."""

    __tablename__ = "phone_codes"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    phone: Mapped[str] = mapped_column(sa.String(20))
    purpose: Mapped[str] = mapped_column(sa.String(10))
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    requested_by: Mapped[str | None] = mapped_column(sa.String(64))  # the client address that asked
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    __table_args__ = (sa.Index(None, "phone", "created_at"),)


class BrowserSessionRecord(Base):
    """A logged-in browser; its cookie carries a random id whose SHA-256 is `id`. Deleting it logs out."""

    __tablename__ = "browser_sessions"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)  # the worker's purge finds expired rows by it


class UserRole(Base):
    """One role a user holds."""

    __tablename__ = "user_roles"

    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(16), primary_key=True)


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
