"""Admin changes to the catalogue: treatments, cities, surcharge rules, coupons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.errors import Conflict, NotFound, ValidationFailed
from masu.persistence.base import Base
from masu.persistence.models import City, Coupon, SurchargeRule, Treatment, TreatmentDuration
from masu.persistence.repositories import catalogue as catalogue_repository
from masu.persistence.repositories import professional as professional_repository
from masu.services.catalogue.catalogue import TreatmentOffer, catalogue_changed
from masu.services.professional import standing


@dataclass(frozen=True, slots=True)
class DurationPrice:
    """A duration option: minutes, price and the professional's default pay (agorot)."""

    minutes: int
    price: int
    professional_pay: int


@dataclass(frozen=True, slots=True)
class TreatmentSpec:
    """A treatment's definition; fixed-price needs price and pay, duration-priced needs durations."""

    name: str
    category: str
    pricing_type: str
    description: str | None = None
    fixed_price: int | None = None
    fixed_professional_pay: int | None = None
    default_duration_minutes: int = 60
    allows_gender_preference: bool = False
    is_active: bool = True
    durations: tuple[DurationPrice, ...] = ()


async def create_treatment(session: AsyncSession, *, now: datetime, spec: TreatmentSpec) -> Treatment:
    """Add a treatment with its durations."""
    _check_pricing(spec)
    treatment = Treatment(**{k: getattr(spec, k) for k in _TREATMENT_FIELDS}, created_at=now)
    session.add(treatment)
    await session.flush()
    _add_durations(session, treatment.id, spec.durations)
    catalogue_changed(session)
    return treatment


async def update_treatment(session: AsyncSession, *, treatment_id: str, spec: TreatmentSpec) -> Treatment:
    """Replace a treatment's definition and durations (bookings keep the price they were made at)."""
    _check_pricing(spec)
    treatment = await catalogue_repository.get_treatment(session, treatment_id)
    if treatment is None:
        raise NotFound("no such treatment")
    for field in _TREATMENT_FIELDS:
        setattr(treatment, field, getattr(spec, field))
    for old in await catalogue_repository.durations_of(session, [treatment_id], active_only=False):
        await session.delete(old)
    await session.flush()
    _add_durations(session, treatment_id, spec.durations)
    # Professionals keep offering only what still exists (0 stands for a fixed-price treatment).
    offered = {d.minutes for d in spec.durations} if spec.pricing_type == "duration" else {0}
    await professional_repository.drop_offers_except(session, treatment_id, offered)
    catalogue_changed(session)
    return treatment


async def create_city(
    session: AsyncSession, *, name: str, latitude: float, longitude: float, name_he: str | None = None
) -> City:
    """Add a city the service covers; Conflict when any city, active or not, has the name."""
    await _ensure_city_name_free(session, name, except_id=None)
    city = City(name=name.strip(), name_he=name_he, latitude=latitude, longitude=longitude, is_active=True)
    session.add(city)
    await session.flush()
    await standing.rebuild_city(session, city.id)  # professionals with a radius may reach it
    catalogue_changed(session)
    return city


async def create_coupon(session: AsyncSession, *, now: datetime, **fields: Any) -> Coupon:
    """Add a coupon (code stored upper-case); Conflict when the code exists."""
    code = str(fields.pop("code")).strip().upper()
    if await catalogue_repository.get_coupon_by_code(session, code) is not None:
        raise Conflict("a coupon with this code exists", code="coupon_exists")
    if fields.get("kind") == "percent" and int(fields.get("value", 0)) > 10_000:
        raise ValidationFailed("value", "a percentage cannot exceed 100")
    coupon = Coupon(code=code, times_used=0, created_at=now, **fields)
    session.add(coupon)
    await session.flush()
    return coupon


async def create_surcharge_rule(
    session: AsyncSession, *, now: datetime, weekday: int | None, on_date: date | None, **fields: Any
) -> SurchargeRule:
    """Add a surcharge window on a weekday, a date, or every day (not both)."""
    if weekday is not None and on_date is not None:
        raise ValidationFailed("onDate", "give a weekday or a date, not both")
    rule = SurchargeRule(weekday=weekday, on_date=on_date, created_at=now, **fields)
    session.add(rule)
    await session.flush()
    return rule


async def treatment_offer(session: AsyncSession, treatment_id: str) -> TreatmentOffer:
    """One treatment, active or not, with all its durations; NotFound if it does not exist."""
    treatment = await catalogue_repository.get_treatment(session, treatment_id)
    if treatment is None:
        raise NotFound("no such treatment")
    return TreatmentOffer(
        treatment, await catalogue_repository.durations_of(session, [treatment_id], active_only=False)
    )


async def update_city(session: AsyncSession, *, city_id: str, changes: dict[str, Any]) -> City:
    """Change a city's fields; NotFound if it does not exist, Conflict when the new name is taken."""
    city = await session.get(City, city_id)
    if city is None:
        raise NotFound("no such city")
    if "name" in changes:
        await _ensure_city_name_free(session, changes["name"], except_id=city_id)
    await _apply(session, city, changes)
    if {"latitude", "longitude"} & changes.keys():
        await standing.rebuild_city(session, city_id)  # distances, and who reaches it by radius, changed
    catalogue_changed(session)
    return city


async def update_coupon(session: AsyncSession, *, coupon_id: str, changes: dict[str, Any]) -> Coupon:
    """Change a coupon's window, limits or activity; the window and limits must stay consistent."""
    coupon = await session.get(Coupon, coupon_id)
    if coupon is None:
        raise NotFound("no such coupon")
    valid_from = changes.get("valid_from", coupon.valid_from)
    valid_until = changes.get("valid_until", coupon.valid_until)
    if valid_from is not None and valid_until is not None and valid_until <= valid_from:
        raise ValidationFailed("validUntil", "must be after validFrom")
    usage_limit = changes.get("usage_limit", coupon.usage_limit)
    if usage_limit is not None and usage_limit < coupon.times_used:
        raise ValidationFailed("usageLimit", f"the coupon has already been used {coupon.times_used} times")
    await _apply(session, coupon, changes)
    return coupon


async def update_surcharge_rule(
    session: AsyncSession, *, rule_id: str, changes: dict[str, Any]
) -> SurchargeRule:
    """Change a surcharge rule; it may still not have both a weekday and a date."""
    rule = await session.get(SurchargeRule, rule_id)
    if rule is None:
        raise NotFound("no such surcharge rule")
    weekday = changes.get("weekday", rule.weekday)
    if weekday is not None and changes.get("on_date", rule.on_date) is not None:
        raise ValidationFailed("onDate", "give a weekday or a date, not both")
    await _apply(session, rule, changes)
    return rule


_TREATMENT_FIELDS = (
    "name",
    "category",
    "description",
    "pricing_type",
    "fixed_price",
    "fixed_professional_pay",
    "default_duration_minutes",
    "allows_gender_preference",
    "is_active",
)


def _check_pricing(spec: TreatmentSpec) -> None:
    if spec.pricing_type == "fixed" and (spec.fixed_price is None or spec.fixed_professional_pay is None):
        raise ValidationFailed("price", "a fixed-price treatment needs a price and a professional pay")
    if spec.pricing_type == "duration" and not spec.durations:
        raise ValidationFailed("durations", "a duration-priced treatment needs at least one duration")
    if len({d.minutes for d in spec.durations}) != len(spec.durations):
        raise ValidationFailed("durations", "each duration may be listed once")


def _add_durations(session: AsyncSession, treatment_id: str, durations: tuple[DurationPrice, ...]) -> None:
    session.add_all(
        TreatmentDuration(
            treatment_id=treatment_id, minutes=d.minutes, price=d.price, professional_pay=d.professional_pay
        )
        for d in durations
    )


async def _ensure_city_name_free(session: AsyncSession, name: str, *, except_id: str | None) -> None:
    """Conflict when another city, active or not, has this name (the unique index ignores case)."""
    wanted = name.strip().lower()
    for city in await catalogue_repository.list_cities(session, active_only=False):
        if city.name.lower() == wanted and city.id != except_id:
            raise Conflict("a city with this name exists", code="city_exists")


async def _apply(session: AsyncSession, row: Base, changes: dict[str, Any]) -> None:
    for field, value in changes.items():
        setattr(row, field, value)
    await session.flush()
