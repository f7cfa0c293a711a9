"""Admin management of the catalogue: treatments, cities, coupons and surcharge rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response

from masu.services.catalogue import admin as catalogue_admin
from masu.services.catalogue.catalogue import cities, coupons, surcharge_rules, treatments_with_durations
from masu.web.deps import AdminDep, ContainerDep, NowDep, SessionDep
from masu.web.openapi import refusals
from masu.web.schemas.catalogue import (
    AdminCityOut,
    AdminCouponOut,
    AdminSurchargeOut,
    AdminTreatmentOut,
    CityIn,
    CityPatch,
    CouponIn,
    CouponPatch,
    SurchargeIn,
    SurchargePatch,
    TreatmentIn,
)
from masu.web.schemas.common import path_id
from masu.web.schemas.units import conflict_on_duplicate

router = APIRouter(prefix="/api/v1/admin", tags=["admin catalogue"])

TreatmentId = Annotated[str, path_id("treatmentId")]
CityId = Annotated[str, path_id("cityId")]
CouponId = Annotated[str, path_id("couponId")]
RuleId = Annotated[str, path_id("ruleId")]


# Treatments (the public list is cached, so every change forgets the cache after commit)


@router.get("/treatments", response_model=list[AdminTreatmentOut])
async def list_treatments(session: SessionDep, _admin: AdminDep) -> list[AdminTreatmentOut]:
    """Every treatment, active or not, with durations and the professionals' default pay."""
    offers = await treatments_with_durations(session, active_only=False)
    return [AdminTreatmentOut.of(offer) for offer in offers]


@router.post("/treatments", status_code=201, response_model=AdminTreatmentOut)
async def create_treatment(
    body: TreatmentIn, now: NowDep, session: SessionDep, _admin: AdminDep
) -> AdminTreatmentOut:
    """Add a treatment; it is bookable at once when active."""
    treatment = await catalogue_admin.create_treatment(session, now=now, spec=body.spec())
    await session.commit()
    return AdminTreatmentOut.of(await catalogue_admin.treatment_offer(session, treatment.id))


@router.get("/treatments/{treatmentId}", response_model=AdminTreatmentOut)
async def read_treatment(
    treatment_id: TreatmentId, session: SessionDep, _admin: AdminDep
) -> AdminTreatmentOut:
    """One treatment, active or not."""
    return AdminTreatmentOut.of(await catalogue_admin.treatment_offer(session, treatment_id))


@router.put("/treatments/{treatmentId}", response_model=AdminTreatmentOut)
async def replace_treatment(
    treatment_id: TreatmentId,
    body: TreatmentIn,
    container: ContainerDep,
    session: SessionDep,
    _admin: AdminDep,
) -> AdminTreatmentOut:
    """Replace a treatment's whole definition (isActive false withdraws it); bookings keep their price."""
    await catalogue_admin.update_treatment(session, treatment_id=treatment_id, spec=body.spec())
    await session.commit()
    return AdminTreatmentOut.of(await catalogue_admin.treatment_offer(session, treatment_id))


# Cities


@router.get("/cities", response_model=list[AdminCityOut])
async def list_cities(session: SessionDep, _admin: AdminDep) -> list[AdminCityOut]:
    """Every city, active or not, by name."""
    return [AdminCityOut.of(c) for c in await cities(session, active_only=False)]


@router.post("/cities", status_code=201, response_model=AdminCityOut, responses=refusals(409))
async def create_city(
    body: CityIn, container: ContainerDep, session: SessionDep, _admin: AdminDep
) -> AdminCityOut:
    """Add a city the service covers; 409 when the name exists."""
    async with conflict_on_duplicate(session, "a city with this name exists", code="city_exists"):
        city = await catalogue_admin.create_city(session, **body.model_dump())
        await session.commit()
    return AdminCityOut.of(city)


@router.patch("/cities/{cityId}", response_model=AdminCityOut, responses=refusals(409))
async def update_city(
    city_id: CityId,
    body: CityPatch,
    container: ContainerDep,
    session: SessionDep,
    _admin: AdminDep,
) -> AdminCityOut:
    """Rename, move, activate or deactivate a city; 409 when the new name is taken."""
    async with conflict_on_duplicate(session, "a city with this name exists", code="city_exists"):
        city = await catalogue_admin.update_city(session, city_id=city_id, changes=body.changes())
        await session.commit()
    return AdminCityOut.of(city)


# Coupons


@router.get("/coupons", response_model=list[AdminCouponOut])
async def list_coupons(session: SessionDep, _admin: AdminDep) -> list[AdminCouponOut]:
    """Every coupon, newest first, with how often it has been used."""
    return [AdminCouponOut.of(c) for c in await coupons(session)]


@router.post("/coupons", status_code=201, response_model=AdminCouponOut, responses=refusals(409))
async def create_coupon(body: CouponIn, now: NowDep, session: SessionDep, _admin: AdminDep) -> AdminCouponOut:
    """Add a coupon (the code is stored upper-case); 409 when the code exists."""
    async with conflict_on_duplicate(session, "a coupon with this code exists", code="coupon_exists"):
        coupon = await catalogue_admin.create_coupon(session, now=now, **body.fields())
        await session.commit()
    return AdminCouponOut.of(coupon)


@router.patch("/coupons/{couponId}", response_model=AdminCouponOut)
async def update_coupon(
    coupon_id: CouponId, body: CouponPatch, session: SessionDep, _admin: AdminDep
) -> AdminCouponOut:
    """Change a coupon's activity, validity window or limits (null clears a date or a limit)."""
    coupon = await catalogue_admin.update_coupon(session, coupon_id=coupon_id, changes=body.changes())
    await session.commit()
    return AdminCouponOut.of(coupon)


# Surcharge rules


@router.get("/surcharges", response_model=list[AdminSurchargeOut])
async def list_surcharges(session: SessionDep, _admin: AdminDep) -> list[AdminSurchargeOut]:
    """Every surcharge rule, active or not, in the order prices apply them."""
    return [AdminSurchargeOut.of(r) for r in await surcharge_rules(session, active_only=False)]


@router.post("/surcharges", status_code=201, response_model=AdminSurchargeOut)
async def create_surcharge(
    body: SurchargeIn, now: NowDep, session: SessionDep, _admin: AdminDep
) -> AdminSurchargeOut:
    """Add a surcharge window (local time) on a weekday, a date, or every day."""
    rule = await catalogue_admin.create_surcharge_rule(session, now=now, **body.fields())
    await session.commit()
    return AdminSurchargeOut.of(rule)


@router.patch("/surcharges/{ruleId}", response_model=AdminSurchargeOut)
async def update_surcharge(
    rule_id: RuleId, body: SurchargePatch, session: SessionDep, _admin: AdminDep
) -> AdminSurchargeOut:
    """Change a surcharge rule; it may not end up with both a weekday and a date."""
    rule = await catalogue_admin.update_surcharge_rule(session, rule_id=rule_id, changes=body.changes())
    await session.commit()
    return AdminSurchargeOut.of(rule)


@router.delete("/surcharges/{ruleId}", status_code=204)
async def deactivate_surcharge(rule_id: RuleId, session: SessionDep, _admin: AdminDep) -> Response:
    """Deactivate a surcharge rule (kept for the bookings priced with it)."""
    await catalogue_admin.update_surcharge_rule(session, rule_id=rule_id, changes={"is_active": False})
    await session.commit()
    return Response(status_code=204)
