"""The public catalogue, cached (the seed's treatmentPricing TTL); admin edits invalidate it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.cache import Cache
from masu.persistence.models import City, Coupon, SurchargeRule, Treatment, TreatmentDuration
from masu.persistence.repositories import catalogue as catalogue_repository
from masu.persistence.unit_of_work import forget_after_commit

TREATMENTS_CACHE_KEY = "catalogue:treatments"
CITIES_CACHE_KEY = "catalogue:cities"
CATALOGUE_TTL_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class TreatmentOffer:
    """A treatment as customers see it, with its active durations."""

    treatment: Treatment
    durations: list[TreatmentDuration]


async def treatments_with_durations(session: AsyncSession, *, active_only: bool) -> list[TreatmentOffer]:
    """Treatments and their durations in two queries."""
    treatments = await catalogue_repository.list_treatments(session, active_only=active_only)
    durations = await catalogue_repository.durations_of(
        session, [t.id for t in treatments], active_only=active_only
    )
    by_treatment: dict[str, list[TreatmentDuration]] = {}
    for duration in durations:
        by_treatment.setdefault(duration.treatment_id, []).append(duration)
    return [TreatmentOffer(t, by_treatment.get(t.id, [])) for t in treatments]


async def cached_text(cache: Cache, key: str, build: Callable[[], Awaitable[str]]) -> str:
    """The cached text under `key`, building and storing it on a miss."""
    cached = await cache.get(key)
    if cached is not None:
        return cached
    text = await build()
    await cache.set(key, text, CATALOGUE_TTL_SECONDS)
    return text


def catalogue_changed(session: AsyncSession) -> None:
    """Mark the cached treatment and city lists stale: the unit of work drops them as this change commits."""
    forget_after_commit(session, TREATMENTS_CACHE_KEY, CITIES_CACHE_KEY)


async def cities(session: AsyncSession, *, active_only: bool) -> list[City]:
    """The cities, by name (only those served when `active_only`)."""
    return await catalogue_repository.list_cities(session, active_only=active_only)


async def coupons(session: AsyncSession) -> list[Coupon]:
    """Every coupon, for the admins."""
    return await catalogue_repository.list_coupons(session)


async def surcharge_rules(session: AsyncSession, *, active_only: bool) -> list[SurchargeRule]:
    """The surcharge rules (only those in force when `active_only`)."""
    return await catalogue_repository.list_surcharge_rules(session, active_only=active_only)


async def city_by_id(session: AsyncSession, city_id: str) -> City | None:
    """The city with this id, served or not, or None."""
    return await session.get(City, city_id)


async def coupon_by_id(session: AsyncSession, coupon_id: str) -> Coupon | None:
    """The coupon with this id, or None."""
    return await session.get(Coupon, coupon_id)


async def surcharge_rule_by_id(session: AsyncSession, rule_id: str) -> SurchargeRule | None:
    """The surcharge rule with this id, in force or not, or None."""
    return await session.get(SurchargeRule, rule_id)
