"""Shapes of the admin catalogue on the wire: treatments, cities, coupons, surcharge rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    Field,
    field_validator,
)

from masu.domain.errors import ValidationFailed
from masu.services.catalogue.admin import DurationPrice, TreatmentSpec
from masu.services.catalogue.catalogue import TreatmentOffer
from masu.web.schemas.common import (
    ApiInput,
    ApiModel,
    Moment,
    Shekels,
    ShekelsIn,
    to_agorot,
)
from masu.web.schemas.units import (
    REFUSES_NULL,
    WEEKDAYS,
    Adjustable,
    Amount,
    ClockTime,
    EndClockTime,
    Limit,
    Minutes,
    UtcOut,
    Weekday,
    after_valid_from,
    clock_of,
    minute_of,
    not_null,
    percent_at_most_100,
    stored_value,
    wire_value,
)

if TYPE_CHECKING:
    from masu.persistence.models import City, Coupon, SurchargeRule


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

    _present = field_validator("name", "latitude", "longitude", "is_active")(not_null)

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

    _percent = field_validator("value")(percent_at_most_100)
    _window = field_validator("valid_until")(after_valid_from)

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

    _present = field_validator("is_active")(not_null)
    _window = field_validator("valid_until")(after_valid_from)

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

    _percent = field_validator("value")(percent_at_most_100)

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

    _present = field_validator("description", "start", "end", "amount", "is_active")(not_null)

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
