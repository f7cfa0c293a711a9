"""Shapes of professionals on the wire: onboarding, treatments, cities, location, hours, what admins read."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import EmailStr, Field, ValidationInfo, field_validator

from masu.domain.errors import ValidationFailed
from masu.services.professional import profiles as professionals
from masu.services.professional.profiles import (
    Interval,
    OfferedTreatment,
    ProfessionalDetails,
)
from masu.web.schemas.common import ApiInput, ApiModel, PersonName, Shekels, ShekelsIn, path_id, to_agorot
from masu.web.schemas.units import (
    WEEKDAYS,
    ClockTime,
    EndClockTime,
    Id,
    Minutes,
    Weekday,
    clock_of,
    minute_of,
)

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
