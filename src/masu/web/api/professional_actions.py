"""The assigned professional's moves on a booking: on the way, start, complete (also admins), withdraw."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import Field

from masu.domain.errors import ValidationFailed
from masu.services.professional.actions import complete_treatment, mark_on_way, start_treatment, withdraw
from masu.web.api.moves import MoverDep
from masu.web.openapi import BODY_REQUIRED, refusals
from masu.web.schemas.booking import BookingOut
from masu.web.schemas.common import ApiInput, path_id

router = APIRouter(prefix="/api/v1/bookings", tags=["professional"], responses=refusals(403, 409))
BookingId = Annotated[str, path_id("bookingId")]


class WithdrawIn(ApiInput):
    reason: str = Field(min_length=2, max_length=500)


class CompleteIn(ApiInput):
    """An admin's reason to complete a visit before its time (the timing rule is lifted, the reason kept)."""

    reason: str | None = Field(default=None, min_length=2, max_length=500)


@router.post("/{bookingId}/on-way", response_model=BookingOut)
async def on_way(booking_id: BookingId, mover: MoverDep) -> Response:
    """I am on my way (assigned professional; confirmed → on_way); 409 before ON_WAY_EARLIEST_MINUTES."""
    return await mover.answer(mark_on_way, booking_id)


@router.post("/{bookingId}/start", response_model=BookingOut)
async def start(booking_id: BookingId, mover: MoverDep) -> Response:
    """The treatment has started (assigned professional; on_way → in_treatment); 409 over 30 minutes early."""
    return await mover.answer(start_treatment, booking_id)


@router.post("/{bookingId}/complete", response_model=BookingOut)
async def complete(booking_id: BookingId, mover: MoverDep, body: CompleteIn | None = None) -> Response:
    """The treatment is done: pending_review (reviews on) or completed; an admin may close it from earlier.

    409 before half the treatment has passed since its start, unless an admin gives a `reason`.
    """
    reason = body.reason.strip() if body is not None and body.reason else None
    return await mover.answer(complete_treatment, booking_id, override_reason=reason)


@router.post("/{bookingId}/withdraw", response_model=BookingOut, openapi_extra=BODY_REQUIRED)
async def withdraw_booking(
    booking_id: BookingId, mover: MoverDep, body: WithdrawIn | None = None
) -> Response:
    """Give a confirmed booking back (assigned professional, with a reason); it is offered to others again."""
    if body is None:  # no body at all: still name the missing field, as `{}` would
        raise ValidationFailed("reason", "Field required")
    return await mover.answer(withdraw, booking_id, reason=body.reason)
