"""Onboarding and managing professionals: profile, approval, treatments, cities, location, hours."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.access import Role
from masu.domain.errors import NotFound, ValidationFailed
from masu.persistence.models import (
    City,
    ProfessionalProfile,
    ProfessionalTreatment,
    Treatment,
    User,
    WorkingHours,
)
from masu.persistence.repositories import catalogue as catalogue_repository
from masu.persistence.repositories import professional as professional_repository
from masu.persistence.repositories import user as user_repository
from masu.services.account.accounts import Passwords, Registration, register_user
from masu.services.professional import standing

APPROVED, PENDING, SUSPENDED = "approved", "pending_approval", "suspended"


@dataclass(frozen=True, slots=True)
class OfferedTreatment:
    """A treatment (and duration; None for a fixed-price one) with the professional's own pay, if any."""

    treatment_id: str
    duration_minutes: int | None = None
    professional_pay: int | None = None


@dataclass(frozen=True, slots=True)
class Interval:
    """A weekly working interval: weekday 0=Monday, minutes from local midnight, end exclusive."""

    weekday: int
    start_minute: int
    end_minute: int


@dataclass(frozen=True, slots=True)
class ProfessionalSummary:
    """A professional in the admin's list: account, profile, cities covered and treatments offered."""

    user: User
    profile: ProfessionalProfile
    cities: list[City]
    treatments: list[Treatment]


@dataclass(frozen=True, slots=True)
class ProfessionalDetails:
    """Everything an admin edits about one professional."""

    user: User
    profile: ProfessionalProfile
    offered: list[tuple[ProfessionalTreatment, Treatment]]
    city_ids: list[str]
    hours: list[WorkingHours]


async def create_professional(
    session: AsyncSession,
    *,
    now: datetime,
    registration: Registration,
    approved: bool = False,
    passwords: Passwords,
) -> ProfessionalProfile:
    """Create a professional's account and profile (pending approval unless `approved`)."""
    user = await register_user(
        session, now=now, registration=registration, roles={Role.PROFESSIONAL}, passwords=passwords
    )
    profile = ProfessionalProfile(
        user_id=user.id,
        status=APPROVED if approved else PENDING,
        is_active=True,
        approved_at=now if approved else None,
        created_at=now,
    )
    session.add(profile)
    await session.flush()
    await standing.refresh_standing(session, [user.id], now=now)  # every professional has a standing
    return profile


async def set_status(
    session: AsyncSession, *, now: datetime, user_id: str, status: str
) -> ProfessionalProfile:
    """Approve or suspend a professional."""
    profile = await _profile(session, user_id)
    profile.status = status
    if status == APPROVED:
        profile.approved_at = now
    return profile


async def set_treatments(session: AsyncSession, *, user_id: str, offered: list[OfferedTreatment]) -> None:
    """Replace what a professional offers; each treatment and duration must exist."""
    await _profile(session, user_id)
    rows = []
    for index, item in enumerate(offered):
        treatment = await catalogue_repository.get_treatment(session, item.treatment_id)
        if treatment is None:
            raise ValidationFailed(f"treatments.{index}.treatmentId", "no such treatment")
        minutes = await _duration_for(
            session, treatment.id, treatment.pricing_type, item.duration_minutes, index
        )
        rows.append(
            ProfessionalTreatment(
                professional_id=user_id,
                treatment_id=treatment.id,
                duration_minutes=minutes,
                professional_pay=item.professional_pay,
            )
        )
    if len({(r.treatment_id, r.duration_minutes) for r in rows}) != len(rows):
        raise ValidationFailed("treatments", "a treatment and duration may be listed once")
    await professional_repository.replace_treatments(session, user_id, rows)


async def set_cities(session: AsyncSession, *, user_id: str, city_ids: list[str]) -> None:
    """Replace the cities a professional covers; each must exist."""
    await _profile(session, user_id)
    for index, city_id in enumerate(city_ids):
        if await session.get(City, city_id) is None:
            raise ValidationFailed(f"cityIds.{index}", "no such city")
    await professional_repository.replace_cities(session, user_id, sorted(set(city_ids)))
    await standing.rebuild_coverage(session, [user_id])


async def set_location(
    session: AsyncSession, *, user_id: str, base: tuple[float, float] | None, radius_km: int | None
) -> ProfessionalProfile:
    """Set where a professional starts from and how far they travel beyond their cities (none: no radius)."""
    if radius_km is not None and base is None:
        raise ValidationFailed("serviceRadiusKm", "a service radius needs a base location")
    profile = await _profile(session, user_id)
    profile.base_latitude, profile.base_longitude = base if base is not None else (None, None)
    profile.service_radius_km = radius_km
    await session.flush()
    await standing.rebuild_coverage(session, [user_id])
    return profile


async def set_hours(session: AsyncSession, *, user_id: str, hours: list[Interval]) -> None:
    """Replace a professional's weekly hours; intervals of one day may not overlap."""
    await _profile(session, user_id)
    ordered = sorted(enumerate(hours), key=lambda item: (item[1].weekday, item[1].start_minute))
    for (_, before), (index, after) in itertools.pairwise(ordered):
        if before.weekday == after.weekday and after.start_minute < before.end_minute:
            raise ValidationFailed(f"hours.{index}", "overlaps another interval of that day")
    rows = [
        WorkingHours(
            professional_id=user_id, weekday=h.weekday, start_minute=h.start_minute, end_minute=h.end_minute
        )
        for _, h in ordered
    ]
    await professional_repository.replace_hours(session, user_id, rows)


async def list_professionals(session: AsyncSession, *, status: str | None) -> list[ProfessionalSummary]:
    """Professionals by name, optionally of one status, with their cities and treatments (three queries)."""
    rows = await professional_repository.list_profiles(session, status=status)
    user_ids = [profile.user_id for profile, _ in rows]
    cities: dict[str, list[City]] = {}
    for user_id, city in await professional_repository.cities_of_many(session, user_ids):
        cities.setdefault(user_id, []).append(city)
    treatments: dict[str, list[Treatment]] = {}
    for user_id, treatment in await professional_repository.treatments_of_many(session, user_ids):
        treatments.setdefault(user_id, []).append(treatment)
    return [
        ProfessionalSummary(user, profile, cities.get(user.id, []), treatments.get(user.id, []))
        for profile, user in rows
    ]


async def professional_details(session: AsyncSession, *, user_id: str) -> ProfessionalDetails:
    """One professional's account, profile, offered treatments, cities and hours; NotFound if none."""
    profile = await _profile(session, user_id)
    user = await user_repository.get_user(session, user_id)
    assert user is not None  # the profile's foreign key guarantees the user
    offered = await professional_repository.treatments_of(session, user_id)
    treatments = {t.id: t for t in await catalogue_repository.list_treatments(session, active_only=False)}
    return ProfessionalDetails(
        user=user,
        profile=profile,
        offered=[(row, treatments[row.treatment_id]) for row in offered],
        city_ids=sorted(await professional_repository.city_ids_of(session, user_id)),
        hours=await professional_repository.hours_of(session, user_id),
    )


async def _profile(session: AsyncSession, user_id: str) -> ProfessionalProfile:
    profile = await professional_repository.get_profile(session, user_id)
    if profile is None:
        raise NotFound("no such professional")
    return profile


async def _duration_for(
    session: AsyncSession, treatment_id: str, pricing_type: str, minutes: int | None, index: int
) -> int:
    """0 for a fixed-price treatment; otherwise a duration the treatment offers."""
    if pricing_type == "fixed":
        return 0
    offered = {
        d.minutes for d in await catalogue_repository.durations_of(session, [treatment_id], active_only=False)
    }
    if minutes not in offered:
        raise ValidationFailed(f"treatments.{index}.durationMinutes", f"must be one of {sorted(offered)}")
    return int(minutes) if minutes is not None else 0


async def name_of(session: AsyncSession, user_id: str) -> str | None:
    """The user's name, None when there is no such user."""
    user = await user_repository.get_user(session, user_id)
    return user.name if user is not None else None
