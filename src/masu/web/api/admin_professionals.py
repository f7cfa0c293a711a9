"""Admin management of professionals: onboarding, approval, treatments, cities, location and hours."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Body
from pydantic import EmailStr, Field, ValidationInfo, field_validator
from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.errors import ValidationFailed
from masu.services.account.accounts import Registration
from masu.services.professional import profiles as professionals
from masu.services.professional.profiles import (
    APPROVED,
    SUSPENDED,
    Interval,
    OfferedTreatment,
    ProfessionalDetails,
)
from masu.web.api.admin_schemas import (
    WEEKDAYS,
    ClockTime,
    EndClockTime,
    Id,
    Minutes,
    Weekday,
    clock_of,
    conflict_on_duplicate,
    minute_of,
)
from masu.web.api.common import ApiInput, ApiModel, PersonName, Shekels, ShekelsIn, path_id, to_agorot
from masu.web.deps import AdminDep, ContainerDep, SessionDep
from masu.web.openapi import refusals

router = APIRouter(prefix="/api/v1/admin/professionals", tags=["admin professionals"])

ProfessionalStatus = Literal["pending_approval", "approved", "suspended"]
ProfessionalId = Annotated[str, path_id("professionalId")]


class ProfessionalIn(ApiInput):
    name: PersonName
    phone: str = Field(min_length=9, max_length=20)
    password: str = Field(min_length=8, max_length=128)
    email: EmailStr | None = None
    gender: Literal["male", "female"]
    language: Literal["he", "en", "ru"] = "he"


class OfferedTreatmentIn(ApiInput):
    treatment_id: Id
    duration_minutes: Minutes | None = None
    professional_pay: ShekelsIn | None = None

    def offered(self) -> OfferedTreatment:
        """The service's form; the professional's own pay in agorot (None: the treatment's default)."""
        pay = to_agorot(self.professional_pay) if self.professional_pay is not None else None
        return OfferedTreatment(self.treatment_id, self.duration_minutes, pay)


class CitiesIn(ApiInput):
    city_ids: list[Id] = Field(max_length=200)


class LocationIn(ApiInput):
    base_latitude: float | None = Field(default=None, ge=29.0, le=34.0)  # Israel, with a margin
    base_longitude: float | None = Field(default=None, ge=33.5, le=36.5)
    service_radius_km: int | None = Field(default=None, ge=1, le=200)

    def base(self) -> tuple[float, float] | None:
        """Where they start from, or None; ValidationFailed naming the coordinate given alone."""
        if self.base_latitude is None and self.base_longitude is None:
            return None
        if self.base_latitude is None or self.base_longitude is None:
            missing = "baseLatitude" if self.base_latitude is None else "baseLongitude"
            raise ValidationFailed(missing, "give both baseLatitude and baseLongitude, or neither")
        return self.base_latitude, self.base_longitude


class HoursIn(ApiInput):
    weekday: Weekday
    start: ClockTime
    end: EndClockTime

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: str, info: ValidationInfo) -> str:
        start = info.data.get("start")
        if start is not None and minute_of(end) <= minute_of(start):
            raise ValueError("must be after start")
        return end

    def interval(self) -> Interval:
        """The service's form: weekday 0 = Monday, minutes from local midnight."""
        return Interval(WEEKDAYS.index(self.weekday), minute_of(self.start), minute_of(self.end))


class NamedOut(ApiModel):
    id: str
    name: str


class ProfessionalSummaryOut(ApiModel):
    id: str
    name: str
    phone: str
    gender: str | None
    status: str
    is_active: bool
    cities: list[NamedOut]
    treatments: list[NamedOut]

    @classmethod
    def of(cls, summary: professionals.ProfessionalSummary) -> ProfessionalSummaryOut:
        """A line of the admin's list of professionals."""
        user, profile = summary.user, summary.profile
        return cls(
            id=user.id,
            name=user.name,
            phone=user.phone,
            gender=user.gender,
            status=profile.status,
            is_active=profile.is_active,
            cities=[NamedOut(id=c.id, name=c.name) for c in summary.cities],
            treatments=[NamedOut(id=t.id, name=t.name) for t in summary.treatments],
        )


class OfferedTreatmentOut(ApiModel):
    treatment_id: str
    name: str
    duration_minutes: int | None
    professional_pay: Shekels | None


class HoursOut(ApiModel):
    weekday: Weekday
    start: str
    end: str


class ProfessionalOut(ApiModel):
    id: str
    name: str
    phone: str
    email: str | None
    gender: str | None
    language: str
    status: str
    is_active: bool
    approved_at: datetime | None
    created_at: datetime
    treatments: list[OfferedTreatmentOut]
    city_ids: list[str]
    base_latitude: float | None
    base_longitude: float | None
    service_radius_km: int | None
    hours: list[HoursOut]

    @classmethod
    def of(cls, details: ProfessionalDetails) -> ProfessionalOut:
        """One professional as an admin edits them (durationMinutes null for a fixed-price treatment)."""
        user, profile = details.user, details.profile
        return cls(
            id=user.id,
            name=user.name,
            phone=user.phone,
            email=user.email,
            gender=user.gender,
            language=user.language,
            status=profile.status,
            is_active=profile.is_active,
            approved_at=profile.approved_at,
            created_at=profile.created_at,
            treatments=[
                OfferedTreatmentOut(
                    treatment_id=row.treatment_id,
                    name=treatment.name,
                    duration_minutes=row.duration_minutes or None,
                    professional_pay=row.professional_pay,
                )
                for row, treatment in details.offered
            ],
            city_ids=details.city_ids,
            base_latitude=profile.base_latitude,
            base_longitude=profile.base_longitude,
            service_radius_km=profile.service_radius_km,
            hours=[
                HoursOut(
                    weekday=WEEKDAYS[h.weekday], start=clock_of(h.start_minute), end=clock_of(h.end_minute)
                )
                for h in details.hours
            ],
        )


@router.get("", response_model=list[ProfessionalSummaryOut])
async def list_professionals(
    session: SessionDep, _admin: AdminDep, status: ProfessionalStatus | None = None
) -> list[ProfessionalSummaryOut]:
    """Professionals by name, optionally of one status, with their cities and treatments."""
    summaries = await professionals.list_professionals(session, status=status)
    return [ProfessionalSummaryOut.of(s) for s in summaries]


@router.post("", status_code=201, response_model=ProfessionalOut, responses=refusals(409))
async def create_professional(
    body: ProfessionalIn, container: ContainerDep, session: SessionDep, _admin: AdminDep
) -> ProfessionalOut:
    """Create a professional's account, pending approval; 409 when the phone is taken."""
    async with conflict_on_duplicate(session, "this phone number is already registered", code="phone_taken"):
        profile = await professionals.create_professional(
            session,
            now=container.clock.now(),
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
    professional_id: ProfessionalId, container: ContainerDep, session: SessionDep, _admin: AdminDep
) -> ProfessionalOut:
    """Approve a professional (or lift a suspension): they can receive offers."""
    await professionals.set_status(
        session, now=container.clock.now(), user_id=professional_id, status=APPROVED
    )
    await session.commit()
    return await _read(session, professional_id)


@router.post("/{professionalId}/suspend", response_model=ProfessionalOut)
async def suspend(
    professional_id: ProfessionalId, container: ContainerDep, session: SessionDep, _admin: AdminDep
) -> ProfessionalOut:
    """Suspend a professional: they keep their account but receive no offers."""
    await professionals.set_status(
        session, now=container.clock.now(), user_id=professional_id, status=SUSPENDED
    )
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
