"""Professionals answering offers: their offer list, accept (first one wins), decline."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request, Response

from masu.services.dispatch.offer_views import offers_for
from masu.services.dispatch.waves import accept_offer, decline_offer
from masu.web.api.idempotency import respond_idempotently
from masu.web.deps import ContainerDep, NowDep, PolicyDep, ProfessionalDep, SessionDep
from masu.web.openapi import refusals
from masu.web.schemas.booking import BookingOut
from masu.web.schemas.common import ApiModel, Shekels, path_id

router = APIRouter(prefix="/api/v1", tags=["offers"])
OfferId = Annotated[str, path_id("offerId")]


class OfferOut(ApiModel):
    id: str
    booking_id: str
    booking_number: str
    treatment: str
    duration_minutes: int
    booking_date_time: datetime
    city: str
    expires_at: datetime
    expected_payment: Shekels
    response_status: str
    wave: int


class AnswerOut(ApiModel):
    id: str
    response_status: str


@router.get("/professional/offers", response_model=list[OfferOut])
async def my_offers(session: SessionDep, professional: ProfessionalDep) -> list[OfferOut]:
    """The offers made to me, newest first (city only: the address comes with the booking once accepted)."""
    return [OfferOut.model_validate(view) for view in await offers_for(session, professional.user_id)]


@router.post("/offers/{offerId}/accept", response_model=BookingOut, responses=refusals(409))
async def accept(
    offer_id: OfferId,
    request: Request,
    container: ContainerDep,
    now: NowDep,
    policy: PolicyDep,
    session: SessionDep,
    professional: ProfessionalDep,
) -> Response:
    """Take the booking: 200 with it confirmed; 409 when already taken or the offer has expired."""

    async def work() -> BookingOut:
        return BookingOut.of(
            await accept_offer(
                session,
                offer_id=offer_id,
                professional_id=professional.user_id,
                now=now,
                policy=policy,
            )
        )

    return await respond_idempotently(
        request=request,
        container=container,
        session=session,
        principal=professional,
        status_code=200,
        work=work,
    )


@router.post("/offers/{offerId}/decline", response_model=AnswerOut, responses=refusals(409))
async def decline(
    offer_id: OfferId, now: NowDep, session: SessionDep, professional: ProfessionalDep
) -> AnswerOut:
    """Decline the offer; the booking goes to others and is never offered to me again."""
    offer = await decline_offer(session, offer_id=offer_id, professional_id=professional.user_id, now=now)
    await session.commit()
    return AnswerOut(id=offer.id, response_status="declined")
