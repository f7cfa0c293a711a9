"""Keeping each professional's standing and city coverage in step with their history and profile."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.matching import coverage
from masu.domain.standing import ProfessionalRecord, standing_score
from masu.persistence.queries import track_record as track_record_queries
from masu.persistence.repositories import standing as standing_repository

# The record's windows (90 and 30 days) move with time, so every standing is recomputed at least this often.
REFRESH_EVERY = timedelta(days=1)
BATCH = 1000  # professionals per statement group: keeps each IN list and insert batch bounded


async def refresh_standing(session: AsyncSession, professional_ids: Sequence[str], *, now: datetime) -> int:
    """Recompute the record, standing and coverage of these professionals; locks their profiles. Count."""
    done = 0
    for start in range(0, len(professional_ids), BATCH):
        ids = await standing_repository.lock_professionals(session, professional_ids[start : start + BATCH])
        records = await track_record_queries.track_records(session, ids, now)
        rows = [_stats_row(pid, records[pid], now) for pid in ids]
        await standing_repository.replace_stats(session, ids, rows)
        await _rebuild(session, ids, {row["professional_id"]: row["standing_score"] for row in rows})
        done += len(ids)
    return done


async def rebuild_coverage(session: AsyncSession, professional_ids: Sequence[str]) -> None:
    """Recompute which cities these professionals cover and their score there (after a profile change)."""
    for start in range(0, len(professional_ids), BATCH):
        ids = await standing_repository.lock_professionals(session, professional_ids[start : start + BATCH])
        stored = await standing_repository.stats_of(session, ids)
        newcomer = standing_score(ProfessionalRecord())
        standings = {pid: stored[pid].standing_score if pid in stored else newcomer for pid in ids}
        await _rebuild(session, ids, standings)


async def rebuild_city(session: AsyncSession, city_id: str) -> None:
    """Recompute coverage for everyone who lists a city or may reach it by radius (city added or moved)."""
    await rebuild_coverage(session, await standing_repository.professionals_who_may_cover(session, city_id))


async def refresh_stale_standings(session: AsyncSession, *, now: datetime, limit: int = BATCH) -> int:
    """Refresh the stalest standings not refreshed for a day; how many were refreshed."""
    stale = await standing_repository.stale_professionals(session, before=now - REFRESH_EVERY, limit=limit)
    return await refresh_standing(session, stale, now=now)


async def _rebuild(session: AsyncSession, ids: list[str], standings: dict[str, float]) -> None:
    profiles, listed = await standing_repository.coverage_inputs(session, ids)
    cities = await standing_repository.city_locations(session)
    rows = []
    for pid in ids:
        profile = profiles[pid]
        base = (
            (profile.base_latitude, profile.base_longitude)
            if profile.base_latitude is not None and profile.base_longitude is not None
            else None
        )
        for entry in coverage(
            city_ids=listed[pid],
            base=base,
            radius_km=profile.service_radius_km,
            cities=cities,
            standing=standings[pid],
        ):
            rows.append(
                {
                    "city_id": entry.city_id,
                    "professional_id": pid,
                    "by_radius": entry.by_radius,
                    "distance_km": entry.distance_km,
                    "match_score": entry.match_score,
                }
            )
    await standing_repository.replace_coverage(session, ids, rows)


def _stats_row(professional_id: str, record: ProfessionalRecord, now: datetime) -> dict[str, Any]:
    return {
        **asdict(record),
        "professional_id": professional_id,
        "standing_score": standing_score(record),
        "refreshed_at": now,
    }
