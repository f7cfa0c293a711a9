"""Shared API shapes: camelCase models, money in shekels at the edge, paging."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer
from pydantic.alias_generators import to_camel

from masu.domain.money import agorot_to_shekels, shekels_to_agorot


def shekels_number(agorot: int) -> int | float:
    """Agorot as a JSON number of shekels: 18000 → 180, 16250 → 162.5."""
    shekels = agorot_to_shekels(agorot)
    return int(shekels) if shekels == shekels.to_integral_value() else float(shekels)


Shekels = Annotated[int, PlainSerializer(shekels_number, return_type=int | float, when_used="json")]
"""An agorot amount that the API shows in shekels."""

ShekelsIn = Annotated[Decimal, Field(ge=0, le=Decimal("100000"), decimal_places=2)]
"""A shekel amount from a client: non-negative, at most two decimals."""


def to_agorot(amount: Decimal) -> int:
    """A validated shekel amount in agorot."""
    return shekels_to_agorot(amount)


class ApiModel(BaseModel):
    """Output models: camelCase names, built from attributes."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)


class ApiInput(BaseModel):
    """Input models: camelCase names, unknown fields refused, strings trimmed."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", str_strip_whitespace=True
    )


ItemT = TypeVar("ItemT")


class Page(ApiModel, Generic[ItemT]):
    """A page of a list and the cursor of the next one."""

    items: list[ItemT]
    next_cursor: str | None
