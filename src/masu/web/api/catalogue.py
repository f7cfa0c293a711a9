"""What customers can book: treatments and the cities served."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response
from pydantic import TypeAdapter

from masu.services.catalogue import catalogue
from masu.services.catalogue.catalogue import (
    CITIES_CACHE_KEY,
    TREATMENTS_CACHE_KEY,
    TreatmentOffer,
    cached_text,
    treatments_with_durations,
)
from masu.web.deps import ContainerDep, SessionDep
from masu.web.schemas.common import ApiModel, Shekels

router = APIRouter(prefix="/api/v1", tags=["catalogue"])


class DurationOut(ApiModel):
    minutes: int
    price: Shekels


class TreatmentOut(ApiModel):
    id: str
    name: str
    category: str
    description: str | None
    pricing_type: Literal["fixed", "duration"]
    price: Shekels | None
    duration_minutes: int | None
    allows_gender_preference: bool
    durations: list[DurationOut]

    @classmethod
    def of(cls, offer: TreatmentOffer) -> TreatmentOut:
        """The public view of a treatment."""
        t = offer.treatment
        fixed = t.pricing_type == "fixed"
        return cls(
            id=t.id,
            name=t.name,
            category=t.category,
            description=t.description,
            pricing_type="fixed" if fixed else "duration",
            price=t.fixed_price if fixed else None,
            duration_minutes=t.default_duration_minutes if fixed else None,
            allows_gender_preference=t.allows_gender_preference,
            durations=[DurationOut(minutes=d.minutes, price=d.price) for d in offer.durations],
        )


class CityOut(ApiModel):
    id: str
    name: str
    name_he: str | None


_treatments = TypeAdapter(list[TreatmentOut])
_cities = TypeAdapter(list[CityOut])


@router.get("/treatments", response_model=list[TreatmentOut])
async def treatments(container: ContainerDep, session: SessionDep) -> Response:
    """Active treatments with prices (served from the cache)."""

    async def build() -> str:
        offers = await treatments_with_durations(session, active_only=True)
        return _treatments.dump_json([TreatmentOut.of(o) for o in offers], by_alias=True).decode()

    return Response(
        await cached_text(container.cache, TREATMENTS_CACHE_KEY, build), media_type="application/json"
    )


@router.get("/cities", response_model=list[CityOut])
async def cities(container: ContainerDep, session: SessionDep) -> Response:
    """Cities the service covers (served from the cache)."""

    async def build() -> str:
        rows = await catalogue.cities(session, active_only=True)
        return _cities.dump_json([CityOut.model_validate(c) for c in rows], by_alias=True).decode()

    return Response(
        await cached_text(container.cache, CITIES_CACHE_KEY, build), media_type="application/json"
    )
