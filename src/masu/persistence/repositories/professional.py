"""Queries on professional profiles and what they offer."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.models import (
    City,
    ProfessionalCity,
    ProfessionalProfile,
    ProfessionalTreatment,
    Treatment,
    User,
    WorkingHours,
)


async def get_profile(session: AsyncSession, user_id: str) -> ProfessionalProfile | None:
    """The professional profile of a user."""
    return await session.get(ProfessionalProfile, user_id)


async def list_profiles(
    session: AsyncSession, *, status: str | None
) -> list[tuple[ProfessionalProfile, User]]:
    """Profiles with their users, by name."""
    query = (
        sa.select(ProfessionalProfile, User)
        .join(User, User.id == ProfessionalProfile.user_id)
        .order_by(User.name)
    )
    if status is not None:
        query = query.where(ProfessionalProfile.status == status)
    return [(profile, user) for profile, user in (await session.execute(query)).all()]


async def treatments_of(session: AsyncSession, user_id: str) -> list[ProfessionalTreatment]:
    """What the professional offers."""
    query = sa.select(ProfessionalTreatment).where(ProfessionalTreatment.professional_id == user_id)
    return list((await session.execute(query.order_by(ProfessionalTreatment.treatment_id))).scalars())


async def city_ids_of(session: AsyncSession, user_id: str) -> list[str]:
    """The cities the professional covers."""
    query = sa.select(ProfessionalCity.city_id).where(ProfessionalCity.professional_id == user_id)
    return list((await session.execute(query)).scalars())


async def hours_of(session: AsyncSession, user_id: str) -> list[WorkingHours]:
    """The professional's weekly working intervals."""
    query = sa.select(WorkingHours).where(WorkingHours.professional_id == user_id)
    return list(
        (await session.execute(query.order_by(WorkingHours.weekday, WorkingHours.start_minute))).scalars()
    )


async def replace_treatments(
    session: AsyncSession, user_id: str, offered: list[ProfessionalTreatment]
) -> None:
    """Replace everything the professional offers."""
    await session.execute(
        sa.delete(ProfessionalTreatment).where(ProfessionalTreatment.professional_id == user_id)
    )
    session.add_all(offered)


async def replace_cities(session: AsyncSession, user_id: str, city_ids: list[str]) -> None:
    """Replace the cities the professional covers."""
    await session.execute(sa.delete(ProfessionalCity).where(ProfessionalCity.professional_id == user_id))
    session.add_all(ProfessionalCity(professional_id=user_id, city_id=city_id) for city_id in city_ids)


async def replace_hours(session: AsyncSession, user_id: str, hours: list[WorkingHours]) -> None:
    """Replace the professional's weekly working hours."""
    await session.execute(sa.delete(WorkingHours).where(WorkingHours.professional_id == user_id))
    session.add_all(hours)


async def cities_of_many(session: AsyncSession, user_ids: list[str]) -> list[tuple[str, City]]:
    """(professional id, city) for every city the given professionals cover, by city name."""
    if not user_ids:
        return []
    query = (
        sa.select(ProfessionalCity.professional_id, City)
        .join(City, City.id == ProfessionalCity.city_id)
        .where(ProfessionalCity.professional_id.in_(user_ids))
        .order_by(City.name)
    )
    return [(user_id, city) for user_id, city in (await session.execute(query)).all()]


async def treatments_of_many(session: AsyncSession, user_ids: list[str]) -> list[tuple[str, Treatment]]:
    """(professional id, treatment) once per treatment the given professionals offer, by name."""
    if not user_ids:
        return []
    offered = (
        sa.select(ProfessionalTreatment.professional_id, ProfessionalTreatment.treatment_id)
        .where(ProfessionalTreatment.professional_id.in_(user_ids))
        .distinct()
        .subquery()
    )
    query = (
        sa.select(offered.c.professional_id, Treatment)
        .join(Treatment, Treatment.id == offered.c.treatment_id)
        .order_by(Treatment.name, Treatment.id)
    )
    return [(user_id, treatment) for user_id, treatment in (await session.execute(query)).all()]


async def drop_offers_except(session: AsyncSession, treatment_id: str, durations: set[int]) -> None:
    """Remove professionals' offers of a treatment for durations it no longer has."""
    await session.execute(
        sa.delete(ProfessionalTreatment).where(
            ProfessionalTreatment.treatment_id == treatment_id,
            ProfessionalTreatment.duration_minutes.not_in(durations),
        )
    )
