"""Shared API shapes: camelCase models, money in shekels at the edge, paging."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Path
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    field_validator,
)
from pydantic.alias_generators import to_camel

from masu.domain.money import agorot_to_shekels, shekels_to_agorot
from masu.domain.names import MAX_NAME, clean_person_name


def shekels_number(agorot: int) -> int | float:
    """Agorot as a JSON number of shekels: 18000 → 180, 16250 → 162.5."""
    shekels = agorot_to_shekels(agorot)
    return int(shekels) if shekels == shekels.to_integral_value() else float(shekels)


Shekels = Annotated[int, PlainSerializer(shekels_number, return_type=int | float, when_used="json")]
"""An agorot amount that the API shows in shekels."""

ShekelsIn = Annotated[
    Decimal,
    Field(ge=0, le=Decimal("100000"), decimal_places=2),
    # The API takes a JSON number (forms send the same digits as text, which the model reads too).
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 100000, "multipleOf": 0.01}),
]
"""A shekel amount from a client: non-negative, at most two decimals."""


def _person_name(raw: str) -> str:
    name = clean_person_name(raw)
    if name is None:
        raise ValueError("must be a name of letters, with spaces, - ' or . between them (no digits or links)")
    return name


PersonName = Annotated[str, Field(min_length=2, max_length=MAX_NAME * 2), AfterValidator(_person_name)]
"""A person's name by the one name rule (domain.names); stored in its cleaned form."""


# The widest UTC offsets in use on Earth (Kiribati +14:00, Baker Island -12:00): wider ones are typing errors.
MAX_UTC_OFFSET = timedelta(hours=14)


def _real_offset(moment: datetime) -> datetime:
    offset = moment.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise ValueError("the UTC offset must lie between -14:00 and +14:00")
    return moment


Moment = Annotated[AwareDatetime, AfterValidator(_real_offset)]
"""A time from a client: ISO-8601 with a real UTC offset (naive times and offsets beyond ±14:00 refused)."""


def to_agorot(amount: Decimal) -> int:
    """A validated shekel amount in agorot."""
    return shekels_to_agorot(amount)


class ApiModel(BaseModel):
    """Output models: camelCase names, built from attributes."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)


class ApiInput(BaseModel):
    """Input models: camelCase names, unknown fields refused, strings trimmed, NUL characters refused."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", str_strip_whitespace=True
    )

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL cannot store NUL in text; refusing it here keeps it a 422 instead of a database error.
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise ValueError("may not contain NUL characters")
        return value


ID_PATTERN = r"^[0-9A-Za-z_-]{1,64}$"


def path_id(name: str) -> Any:
    """An opaque id in the path, named `name` in errors (a malformed one is a 422, never a 500)."""
    return Path(alias=name, pattern=ID_PATTERN)


ItemT = TypeVar("ItemT")


class Page(ApiModel, Generic[ItemT]):
    """A page of a list and the cursor of the next one."""

    items: list[ItemT]
    next_cursor: str | None
