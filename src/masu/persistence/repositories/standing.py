"""Reading and replacing professionals' stored standing and city coverage (derived data)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.models import (
    City,
    ProfessionalCity,
    ProfessionalCoverage,
    ProfessionalProfile,
    ProfessionalStats,
)


async def lock_professionals(session: AsyncSession, ids: Sequence[str]) -> list[str]:
    """Lock the profiles of `ids` in id order (so concurrent refreshes cannot deadlock); the ids found."""
    rows = await session.execute(
        sa.select(ProfessionalProfile.user_id)
        .where(ProfessionalProfile.user_id.in_(ids))
        .order_by(ProfessionalProfile.user_id)
        .with_for_update()
    )
    return list(rows.scalars())


async def stats_of(
    session: AsyncSession, ids: Sequence[str] | sa.Select[Any]
) -> dict[str, ProfessionalStats]:
    """The stored stats of the professionals in `ids` that have them."""
    rows = await session.execute(
        sa.select(ProfessionalStats).where(ProfessionalStats.professional_id.in_(ids))
    )
    return {row.professional_id: row for row in rows.scalars()}


async def replace_stats(session: AsyncSession, ids: Sequence[str], rows: list[dict[str, Any]]) -> None:
    """Replace the stats rows of `ids` with `rows` (column values by attribute name)."""
    await session.execute(sa.delete(ProfessionalStats).where(ProfessionalStats.professional_id.in_(ids)))
    if rows:
        await session.execute(sa.insert(ProfessionalStats), rows)


async def replace_coverage(session: AsyncSession, ids: Sequence[str], rows: list[dict[str, Any]]) -> None:
    """Replace the coverage rows of `ids` with `rows` (column values by attribute name)."""
    await session.execute(
        sa.delete(ProfessionalCoverage).where(ProfessionalCoverage.professional_id.in_(ids))
    )
    if rows:
        await session.execute(sa.insert(ProfessionalCoverage), rows)


async def coverage_inputs(
    session: AsyncSession, ids: Sequence[str]
) -> tuple[dict[str, ProfessionalProfile], defaultdict[str, list[str]]]:
    """The profiles of `ids` (for base and radius) and the cities each one lists."""
    profiles = await session.execute(
        sa.select(ProfessionalProfile).where(ProfessionalProfile.user_id.in_(ids))
    )
    listed: defaultdict[str, list[str]] = defaultdict(list)
    rows = await session.execute(
        sa.select(ProfessionalCity.professional_id, ProfessionalCity.city_id).where(
            ProfessionalCity.professional_id.in_(ids)
        )
    )
    for pid, city_id in rows.all():
        listed[pid].append(city_id)
    return {p.user_id: p for p in profiles.scalars()}, listed


async def city_locations(session: AsyncSession) -> dict[str, tuple[float, float]]:
    """Every city's coordinates by id."""
    rows = await session.execute(sa.select(City.id, City.latitude, City.longitude))
    return {city_id: (lat, lng) for city_id, lat, lng in rows.all()}


async def stale_professionals(session: AsyncSession, *, before: datetime, limit: int) -> list[str]:
    """Professionals whose standing was last refreshed before `before`, stalest first (index range scan)."""
    rows = await session.execute(
        sa.select(ProfessionalStats.professional_id)
        .where(ProfessionalStats.refreshed_at < before)
        .order_by(ProfessionalStats.refreshed_at)
        .limit(limit)
    )
    return list(rows.scalars())


async def professionals_who_may_cover(session: AsyncSession, city_id: str) -> list[str]:
    """Professionals listing the city or having a service radius (who may reach it)."""
    listing = sa.select(ProfessionalCity.professional_id).where(ProfessionalCity.city_id == city_id)
    roaming = sa.select(ProfessionalProfile.user_id).where(
        ProfessionalProfile.service_radius_km.is_not(None), ProfessionalProfile.base_latitude.is_not(None)
    )
    return list((await session.execute(sa.union(listing, roaming))).scalars())
