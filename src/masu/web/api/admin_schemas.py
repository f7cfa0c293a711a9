"""Shapes of the admin catalogue on the wire: treatments, cities, coupons, surcharge rules."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.errors import Conflict, ValidationFailed
from masu.domain.money import BASIS_POINTS_PER_PERCENT, percent_to_basis_points
from masu.persistence.models import City, Coupon, SurchargeRule
from masu.services.catalogue.admin import DurationPrice, TreatmentSpec
from masu.services.catalogue.catalogue import TreatmentOffer
from masu.web.api.common import (
    ID_PATTERN,
    ApiInput,
    ApiModel,
    Moment,
    Shekels,
    ShekelsIn,
    shekels_number,
    to_agorot,
)
from masu.web.openapi import drop_null

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
"""Weekday names in stored order: 0 = Monday ... 6 = Sunday."""

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["08:00"])]
"""A local wall-clock time, HH:MM."""
EndClockTime = Annotated[str, Field(pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$", examples=["22:00"])]
"""The end of a local window, HH:MM; 24:00 is the end of the day."""
Minutes = Annotated[int, Field(ge=15, le=300)]
Limit = Annotated[int, Field(ge=1, le=1_000_000)]
Amount = Annotated[
    Decimal,
    Field(gt=0, le=Decimal(100_000), decimal_places=2),
    WithJsonSchema({"type": "number", "exclusiveMinimum": 0, "maximum": 100000, "multipleOf": 0.01}),
]
"""A positive shekel amount or percentage; `kind` says which (checked against it below)."""
Adjustable = Literal["fixed", "percent"]
UtcOut = Annotated[datetime, AfterValidator(lambda moment: moment.astimezone(UTC))]
"""A time on the wire in UTC (`Z`), whatever offset it came in with."""
Id = Annotated[str, Field(pattern=ID_PATTERN)]
"""An opaque id in a body."""


def minute_of(clock: str) -> int:
    """Minutes from local midnight of an HH:MM time: "08:30" → 510."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def clock_of(minute: int) -> str:
    """An HH:MM time of minutes from local midnight: 510 → "08:30", 1440 → "24:00"."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def percent_number(basis_points: int) -> int | float:
    """Basis points as a JSON percentage: 1500 → 15, 1250 → 12.5."""
    percent = Decimal(basis_points) / BASIS_POINTS_PER_PERCENT
    return int(percent) if percent == percent.to_integral_value() else float(percent)


def stored_value(kind: str, value: Decimal) -> int:
    """A wire amount of `kind` as stored: a percentage in basis points, shekels in agorot."""
    return percent_to_basis_points(value) if kind == "percent" else to_agorot(value)


def wire_value(kind: str, value: int) -> int | float:
    """A stored amount of `kind` on the wire: a percentage, or shekels."""
    return percent_number(value) if kind == "percent" else shekels_number(value)


def _percent_at_most_100(value: Decimal, info: ValidationInfo) -> Decimal:
    if info.data.get("kind") == "percent" and value > 100:
        raise ValueError("a percentage must be at most 100")
    return value


def _not_null(value: Any) -> Any:
    if value is None:
        raise ValueError("may be left out but not null")
    return value


def _no_null_where_refused(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """Offer no null in the document for the fields whose `_present` validator refuses it."""
    present = model.__pydantic_decorators__.field_validators.get("_present")
    for name in present.info.fields if present is not None else ():
        drop_null(schema["properties"][model.model_fields[name].alias or name])


REFUSES_NULL = ConfigDict(json_schema_extra=_no_null_where_refused)
"""The config of a patch whose `_present` fields may be left out but not sent as null."""


def _after_valid_from(value: datetime | None, info: ValidationInfo) -> datetime | None:
    valid_from = info.data.get("valid_from")
    if value is not None and valid_from is not None and value <= valid_from:
        raise ValueError("must be after validFrom")
    return value


@asynccontextmanager
async def conflict_on_duplicate(session: AsyncSession, message: str, *, code: str) -> AsyncIterator[None]:
    """Turn a unique-index violation (two admins adding the same thing at once) into a 409."""
    try:
        yield
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(message, code=code) from exc


# Treatments


class DurationIn(ApiInput):
    minutes: Minutes
    price: ShekelsIn
    professional_pay: ShekelsIn


class TreatmentIn(ApiInput):
    name: str = Field(min_length=2, max_length=100)
    category: Literal["massage", "facial"]
    description: str | None = Field(default=None, max_length=2000)
    pricing_type: Literal["fixed", "duration"]
    price: ShekelsIn | None = None
    professional_pay: ShekelsIn | None = None
    duration_minutes: Minutes = 60
    allows_gender_preference: bool = False
    is_active: bool = True
    durations: list[DurationIn] = Field(default_factory=list, max_length=20)

    def spec(self) -> TreatmentSpec:
        """The service's definition; a fixed price and per-duration prices exclude each other."""
        fixed = self.pricing_type == "fixed"
        if fixed and self.durations:
            raise ValidationFailed("durations", "a fixed-price treatment has no duration options")
        for field, amount in (("price", self.price), ("professionalPay", self.professional_pay)):
            if fixed and amount is None:
                raise ValidationFailed(field, "required for a fixed-price treatment")
            if not fixed and amount is not None:
                raise ValidationFailed(field, "a duration-priced treatment is priced per duration")
        return TreatmentSpec(
            name=self.name,
            category=self.category,
            pricing_type=self.pricing_type,
            description=self.description or None,
            fixed_price=to_agorot(self.price) if self.price is not None else None,
            fixed_professional_pay=to_agorot(self.professional_pay)
            if self.professional_pay is not None
            else None,
            default_duration_minutes=self.duration_minutes,
            allows_gender_preference=self.allows_gender_preference,
            is_active=self.is_active,
            durations=tuple(
                DurationPrice(d.minutes, to_agorot(d.price), to_agorot(d.professional_pay))
                for d in self.durations
            ),
        )


class AdminDurationOut(ApiModel):
    minutes: int
    price: Shekels
    professional_pay: Shekels


class AdminTreatmentOut(ApiModel):
    id: str
    name: str
    category: str
    description: str | None
    pricing_type: str
    price: Shekels | None
    professional_pay: Shekels | None
    duration_minutes: int
    allows_gender_preference: bool
    is_active: bool
    durations: list[AdminDurationOut]
    created_at: datetime

    @classmethod
    def of(cls, offer: TreatmentOffer) -> AdminTreatmentOut:
        """The admin's view of a treatment, with its durations and the professionals' default pay."""
        t = offer.treatment
        return cls(
            id=t.id,
            name=t.name,
            category=t.category,
            description=t.description,
            pricing_type=t.pricing_type,
            price=t.fixed_price,
            professional_pay=t.fixed_professional_pay,
            duration_minutes=t.default_duration_minutes,
            allows_gender_preference=t.allows_gender_preference,
            is_active=t.is_active,
            durations=[AdminDurationOut.model_validate(d) for d in offer.durations],
            created_at=t.created_at,
        )


# Cities

Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
CityName = Annotated[str, Field(min_length=2, max_length=50)]


class CityIn(ApiInput):
    name: CityName
    name_he: str | None = Field(default=None, max_length=50)
    latitude: Latitude
    longitude: Longitude


class CityPatch(ApiInput):
    model_config = REFUSES_NULL

    name: CityName | None = None
    name_he: str | None = Field(default=None, max_length=50)
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    is_active: bool | None = None

    _present = field_validator("name", "latitude", "longitude", "is_active")(_not_null)

    def changes(self) -> dict[str, Any]:
        """The fields the request sets, by column name."""
        return self.model_dump(exclude_unset=True)


class AdminCityOut(ApiModel):
    id: str
    name: str
    name_he: str | None
    latitude: float
    longitude: float
    is_active: bool

    @classmethod
    def of(cls, city: City) -> AdminCityOut:
        """The admin's view of a city."""
        return cls.model_validate(city)


# Coupons


class CouponIn(ApiInput):
    code: str = Field(min_length=3, max_length=40, pattern=r"^[A-Za-z0-9-]+$")
    kind: Adjustable
    value: Amount
    valid_from: Moment | None = None
    valid_until: Moment | None = None
    usage_limit: Limit | None = None
    per_user_limit: Limit | None = None
    is_active: bool = True

    _percent = field_validator("value")(_percent_at_most_100)
    _window = field_validator("valid_until")(_after_valid_from)

    def fields(self) -> dict[str, Any]:
        """The coupon's columns: a percentage in basis points, a fixed amount in agorot."""
        return {**self.model_dump(exclude={"value"}), "value": stored_value(self.kind, self.value)}


class CouponPatch(ApiInput):
    model_config = REFUSES_NULL

    is_active: bool | None = None
    valid_from: Moment | None = None
    valid_until: Moment | None = None
    usage_limit: Limit | None = None
    per_user_limit: Limit | None = None

    _present = field_validator("is_active")(_not_null)
    _window = field_validator("valid_until")(_after_valid_from)

    def changes(self) -> dict[str, Any]:
        """The fields the request sets (null clears a date or a limit), by column name."""
        return self.model_dump(exclude_unset=True)


class AdminCouponOut(ApiModel):
    id: str
    code: str
    kind: str
    value: int | float
    valid_from: UtcOut | None
    valid_until: UtcOut | None
    usage_limit: int | None
    per_user_limit: int | None
    times_used: int
    is_active: bool
    created_at: datetime

    @classmethod
    def of(cls, coupon: Coupon) -> AdminCouponOut:
        """The admin's view of a coupon: a percentage as a percent, a fixed amount in shekels."""
        return cls.model_validate(
            {
                **{name: getattr(coupon, name) for name in cls.model_fields if name != "value"},
                "value": wire_value(coupon.kind, coupon.value),
            }
        )


# Surcharge rules


class AdjustmentIn(ApiInput):
    kind: Adjustable
    value: Amount

    _percent = field_validator("value")(_percent_at_most_100)

    def stored(self) -> tuple[str, int]:
        """(kind, agorot or basis points)."""
        return self.kind, stored_value(self.kind, self.value)


class AdjustmentOut(ApiModel):
    kind: str
    value: int | float


def _adjustment_columns(prefix: str, adjustment: AdjustmentIn | None) -> dict[str, Any]:
    kind, value = adjustment.stored() if adjustment is not None else (None, None)
    return {f"{prefix}_kind": kind, f"{prefix}_value": value}


_SURCHARGE_COLUMNS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "description": lambda text: {"description": text},
    "weekday": lambda name: {"weekday": WEEKDAYS.index(name) if name is not None else None},
    "on_date": lambda day: {"on_date": day},
    "start": lambda clock: {"start_minute": minute_of(clock)},
    "end": lambda clock: {"end_minute": minute_of(clock)},
    "amount": lambda adjustment: _adjustment_columns("amount", adjustment),
    "professional_share": lambda adjustment: _adjustment_columns("share", adjustment),
    "is_active": lambda active: {"is_active": active},
}
"""How each wire field of a surcharge rule is stored (weekday 0 = Monday; minutes from local midnight)."""


def _surcharge_columns(model: ApiInput, names: set[str]) -> dict[str, Any]:
    columns: dict[str, Any] = {}
    for name in sorted(names):
        columns.update(_SURCHARGE_COLUMNS[name](getattr(model, name)))
    return columns


class SurchargeIn(ApiInput):
    description: str = Field(min_length=2, max_length=100)
    weekday: Weekday | None = None
    on_date: date | None = None
    start: ClockTime
    end: EndClockTime
    amount: AdjustmentIn
    professional_share: AdjustmentIn | None = None
    is_active: bool = True

    def fields(self) -> dict[str, Any]:
        """The rule's columns."""
        return _surcharge_columns(self, set(type(self).model_fields))


class SurchargePatch(ApiInput):
    model_config = REFUSES_NULL

    description: str | None = Field(default=None, min_length=2, max_length=100)
    weekday: Weekday | None = None
    on_date: date | None = None
    start: ClockTime | None = None
    end: EndClockTime | None = None
    amount: AdjustmentIn | None = None
    professional_share: AdjustmentIn | None = None
    is_active: bool | None = None

    _present = field_validator("description", "start", "end", "amount", "is_active")(_not_null)

    def changes(self) -> dict[str, Any]:
        """The columns the request sets; null clears the weekday, the date or the professional's share."""
        return _surcharge_columns(self, self.model_fields_set)


class AdminSurchargeOut(ApiModel):
    id: str
    description: str
    weekday: Weekday | None
    on_date: date | None
    start: str
    end: str
    amount: AdjustmentOut
    professional_share: AdjustmentOut | None
    is_active: bool
    created_at: datetime

    @classmethod
    def of(cls, rule: SurchargeRule) -> AdminSurchargeOut:
        """The admin's view of a surcharge rule, in local wall-clock times."""
        share = None
        if rule.share_kind is not None and rule.share_value is not None:
            share = AdjustmentOut(kind=rule.share_kind, value=wire_value(rule.share_kind, rule.share_value))
        return cls(
            id=rule.id,
            description=rule.description,
            weekday=WEEKDAYS[rule.weekday] if rule.weekday is not None else None,
            on_date=rule.on_date,
            start=clock_of(rule.start_minute),
            end=clock_of(rule.end_minute),
            amount=AdjustmentOut(
                kind=rule.amount_kind, value=wire_value(rule.amount_kind, rule.amount_value)
            ),
            professional_share=share,
            is_active=rule.is_active,
            created_at=rule.created_at,
        )
