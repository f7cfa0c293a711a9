"""Admin management of professionals: onboarding, approval, treatments, cities, location and hours."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from sqlalchemy.ext.asyncio import AsyncSession

from masu.services.account.accounts import Registration
from masu.services.professional import profiles as professionals
from masu.services.professional.profiles import (
    APPROVED,
    SUSPENDED,
)
from masu.web.deps import AdminDep, ContainerDep, NowDep, SessionDep
from masu.web.openapi import refusals
from masu.web.schemas.common import path_id
from masu.web.schemas.professional import (
    CitiesIn,
    HoursIn,
    LocationIn,
    OfferedTreatmentIn,
    ProfessionalIn,
    ProfessionalOut,
    ProfessionalStatus,
    ProfessionalSummaryOut,
)
from masu.web.schemas.units import (
    conflict_on_duplicate,
)

router = APIRouter(prefix="/api/v1/admin/professionals", tags=["admin professionals"])

ProfessionalId = Annotated[str, path_id("professionalId")]


@router.get("", response_model=list[ProfessionalSummaryOut])
async def list_professionals(
    session: SessionDep, _admin: AdminDep, status: ProfessionalStatus | None = None
) -> list[ProfessionalSummaryOut]:
    """Professionals by name, optionally of one status, with their cities and treatments."""
    summaries = await professionals.list_professionals(session, status=status)
    return [ProfessionalSummaryOut.of(s) for s in summaries]


@router.post("", status_code=201, response_model=ProfessionalOut, responses=refusals(409))
async def create_professional(
    body: ProfessionalIn, container: ContainerDep, now: NowDep, session: SessionDep, _admin: AdminDep
) -> ProfessionalOut:
    """Create a professional's account, pending approval; 409 when the phone is taken."""
    async with conflict_on_duplicate(session, "this phone number is already registered", code="phone_taken"):
        profile = await professionals.create_professional(
            session,
            now=now,
            registration=Registration(**body.model_dump()),
            passwords=container.passwords,
        )
        await session.commit()
    return await _read(session, profile.user_id)


@router.get("/{professionalId}", response_model=ProfessionalOut)
async def read_professional(
    professional_id: ProfessionalId, session: SessionDep, _admin: AdminDep
) -> ProfessionalOut:
    """One professional with the treatments, cities and weekly hours they work."""
    return await _read(session, professional_id)


@router.post("/{professionalId}/approve", response_model=ProfessionalOut)
async def approve(
    professional_id: ProfessionalId, now: NowDep, session: SessionDep, _admin: AdminDep
) -> ProfessionalOut:
    """Approve a professional (or lift a suspension): they can receive offers."""
    await professionals.set_status(session, now=now, user_id=professional_id, status=APPROVED)
    await session.commit()
    return await _read(session, professional_id)


@router.post("/{professionalId}/suspend", response_model=ProfessionalOut)
async def suspend(
    professional_id: ProfessionalId, now: NowDep, session: SessionDep, _admin: AdminDep
) -> ProfessionalOut:
    """Suspend a professional: they keep their account but receive no offers."""
    await professionals.set_status(session, now=now, user_id=professional_id, status=SUSPENDED)
    await session.commit()
    return await _read(session, professional_id)


@router.put("/{professionalId}/treatments", response_model=ProfessionalOut)
async def set_treatments(
    professional_id: ProfessionalId,
    body: Annotated[list[OfferedTreatmentIn], Body(max_length=200)],
    session: SessionDep,
    _admin: AdminDep,
) -> ProfessionalOut:
    """Replace what a professional offers; each treatment (and duration) must exist."""
    offered = [item.offered() for item in body]
    await professionals.set_treatments(session, user_id=professional_id, offered=offered)
    await session.commit()
    return await _read(session, professional_id)


@router.put("/{professionalId}/cities", response_model=ProfessionalOut)
async def set_cities(
    professional_id: ProfessionalId, body: CitiesIn, session: SessionDep, _admin: AdminDep
) -> ProfessionalOut:
    """Replace the cities a professional covers; each must exist."""
    await professionals.set_cities(session, user_id=professional_id, city_ids=body.city_ids)
    await session.commit()
    return await _read(session, professional_id)


@router.put("/{professionalId}/location", response_model=ProfessionalOut)
async def set_location(
    professional_id: ProfessionalId, body: LocationIn, session: SessionDep, _admin: AdminDep
) -> ProfessionalOut:
    """Set where a professional starts from and how far beyond their cities they travel (null: not at all)."""
    await professionals.set_location(
        session, user_id=professional_id, base=body.base(), radius_km=body.service_radius_km
    )
    await session.commit()
    return await _read(session, professional_id)


@router.put("/{professionalId}/hours", response_model=ProfessionalOut)
async def set_hours(
    professional_id: ProfessionalId,
    body: Annotated[list[HoursIn], Body(max_length=100)],
    session: SessionDep,
    _admin: AdminDep,
) -> ProfessionalOut:
    """Replace a professional's weekly hours (local time); intervals of one day may not overlap."""
    await professionals.set_hours(session, user_id=professional_id, hours=[h.interval() for h in body])
    await session.commit()
    return await _read(session, professional_id)


async def _read(session: AsyncSession, professional_id: str) -> ProfessionalOut:
    return ProfessionalOut.of(await professionals.professional_details(session, user_id=professional_id))
