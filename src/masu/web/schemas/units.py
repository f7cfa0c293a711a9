"""Units on the wire: weekdays, clock times, minutes, limits, amounts and percents; a duplicate as 409."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.errors import Conflict
from masu.domain.money import BASIS_POINTS_PER_PERCENT, percent_to_basis_points
from masu.web.openapi import drop_null
from masu.web.schemas.common import (
    ID_PATTERN,
    shekels_number,
    to_agorot,
)

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


def percent_at_most_100(value: Decimal, info: ValidationInfo) -> Decimal:
    if info.data.get("kind") == "percent" and value > 100:
        raise ValueError("a percentage must be at most 100")
    return value


def not_null(value: Any) -> Any:
    if value is None:
        raise ValueError("may be left out but not null")
    return value


def no_null_where_refused(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """Offer no null in the document for the fields whose `_present` validator refuses it."""
    present = model.__pydantic_decorators__.field_validators.get("_present")
    for name in present.info.fields if present is not None else ():
        drop_null(schema["properties"][model.model_fields[name].alias or name])


REFUSES_NULL = ConfigDict(json_schema_extra=no_null_where_refused)
"""The config of a patch whose `_present` fields may be left out but not sent as null."""


def after_valid_from(value: datetime | None, info: ValidationInfo) -> datetime | None:
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
