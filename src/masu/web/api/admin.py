"""Admin views and actions on bookings, and the event log."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import Field

from masu.bootstrap import review_schedule
from masu.domain.lifecycle import BookingStatus
from masu.persistence.queries import event as event_queries
from masu.persistence.queries.booking import BookingFilter
from masu.services.booking.access import (
    accessible_booking,
    page_of_bookings,
)
from masu.services.dispatch import admin as admin_dispatch
from masu.services.dispatch.matching import ranked_candidates
from masu.services.dispatch.offer_views import offers_of_booking
from masu.services.operations.outbox import replay_dead_letter
from masu.services.review.cycle import resend_review_request
from masu.web.api.moves import AdminMoverDep
from masu.web.deps import AdminDep, ContainerDep, NowDep, PolicyDep, SessionDep
from masu.web.openapi import refusals
from masu.web.schemas.booking import AdminCancelIn, BookingOut, BookingSummaryOut
from masu.web.schemas.common import ID_PATTERN, ApiInput, ApiModel, Page, ShekelsIn, path_id, to_agorot

if TYPE_CHECKING:
    from masu.persistence.models import Offer, OutboxEvent

BookingId = Annotated[str, path_id("bookingId")]

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


class EventOut(ApiModel):
    id: int
    type: str
    booking_id: str | None
    occurred_at: datetime
    payload: dict[str, Any]
    status: str
    attempts: int
    handled_at: datetime | None


@router.get("/bookings", response_model=Page[BookingSummaryOut])
async def list_bookings(
    session: SessionDep,
    _admin: AdminDep,
    status: BookingStatus | None = None,
    city: Annotated[str | None, Query(max_length=50)] = None,
    professional_id: Annotated[str | None, Query(alias="professionalId", max_length=64)] = None,
    starts_from: Annotated[datetime | None, Query(alias="from")] = None,
    starts_before: Annotated[datetime | None, Query(alias="to")] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[BookingSummaryOut]:
    """Every booking, filtered; `q` searches booking number, recipient name and phone."""
    where = BookingFilter(
        status=status.value if status else None,
        city=city,
        professional_id=professional_id,
        starts_from=starts_from,
        starts_before=starts_before,
        search=q,
    )
    items, next_cursor = await page_of_bookings(session, where, limit=limit, cursor=cursor)
    return Page[BookingSummaryOut](items=[BookingSummaryOut.of(i) for i in items], next_cursor=next_cursor)


@router.post("/bookings/{bookingId}/cancel", response_model=BookingOut, responses=refusals(409))
async def cancel(booking_id: BookingId, body: AdminCancelIn, mover: AdminMoverDep) -> Response:
    """Cancel before completion, with a reason; `refund` (default: before the cut-off) returns the payment."""
    return await mover.cancel(booking_id, reason=body.reason, refund=body.refund)


class OfferSummaryOut(ApiModel):
    id: str
    professional_id: str
    name: str
    wave: int
    match_score: float
    notified_at: datetime | None
    expires_at: datetime
    response_status: str
    response_at: datetime | None


@router.get("/bookings/{bookingId}/offers", response_model=list[OfferSummaryOut])
async def offers(booking_id: BookingId, session: SessionDep, admin: AdminDep) -> list[OfferSummaryOut]:
    """The booking's `suitableProfessionals`: every offer by wave, with its answer."""
    booking = await accessible_booking(session, admin, booking_id)
    return [_offer_out(o, name) for o, name in await offers_of_booking(session, booking.id)]


class AssignIn(ApiInput):
    professional_id: str = Field(pattern=ID_PATTERN)
    force: bool = False


class UnassignIn(ApiInput):
    reason: str | None = Field(default=None, max_length=500)


class DispatchIn(ApiInput):
    mode: Literal["next-wave", "all-suitable"]


class BonusIn(ApiInput):
    amount: ShekelsIn = Field(gt=0)
    description: str | None = Field(default=None, max_length=200)


@router.post("/bookings/{bookingId}/assign", response_model=BookingOut, responses=refusals(409))
async def assign_professional(booking_id: BookingId, body: AssignIn, mover: AdminMoverDep) -> Response:
    """Assign by hand; an ineligible professional is refused (422 with the reasons) unless `force` is true."""
    return await mover.answer(
        admin_dispatch.assign, booking_id, professional_id=body.professional_id, force=body.force
    )


@router.post("/bookings/{bookingId}/unassign", response_model=BookingOut, responses=refusals(409))
async def unassign_professional(
    booking_id: BookingId, mover: AdminMoverDep, body: UnassignIn | None = None
) -> Response:
    """Back to pending_professional with nobody assigned; the booking is dispatched again."""
    return await mover.answer(admin_dispatch.unassign, booking_id, reason=body.reason if body else None)


@router.post("/bookings/{bookingId}/dispatch", response_model=list[OfferSummaryOut], responses=refusals(409))
async def dispatch(
    booking_id: BookingId,
    body: DispatchIn,
    now: NowDep,
    policy: PolicyDep,
    session: SessionDep,
    admin: AdminDep,
) -> list[OfferSummaryOut]:
    """Offer now: the next wave, or every suitable professional not yet asked; answers the offers created."""
    result = await admin_dispatch.dispatch_now(
        session,
        principal=admin,
        booking_id=booking_id,
        everyone_suitable=body.mode == "all-suitable",
        now=now,
        policy=policy,
    )
    await session.commit()
    names = {o.professional_id: name for o, name in await offers_of_booking(session, booking_id)}
    return [_offer_out(o, names[o.professional_id]) for o in result.offers]


@router.post("/bookings/{bookingId}/bonus", response_model=BookingOut, responses=refusals(409))
async def bonus(booking_id: BookingId, body: BonusIn, mover: AdminMoverDep) -> Response:
    """Raise the professional pay and offer the booking again to everyone who has not declined it."""
    return await mover.answer(admin_dispatch.add_bonus, booking_id, amount=to_agorot(body.amount))


def _offer_out(o: Offer, name: str) -> OfferSummaryOut:
    """The offer's columns as they are, with its professional's name."""
    columns = {field: getattr(o, field) for field in OfferSummaryOut.model_fields if field != "name"}
    return OfferSummaryOut(name=name, **columns)


class CandidateOut(ApiModel):
    professional_id: str
    name: str
    eligible: bool
    match_score: float
    reasons: list[str]
    score_parts: dict[str, float]
    distance_km: float | None


@router.get("/bookings/{bookingId}/candidates", response_model=list[CandidateOut])
async def candidates(
    booking_id: BookingId, container: ContainerDep, session: SessionDep, admin: AdminDep
) -> list[CandidateOut]:
    """Every professional for this booking: the eligible ranked by matchScore, the rest with their reasons."""
    booking = await accessible_booking(session, admin, booking_id)
    ranked = await ranked_candidates(session, booking)
    return [
        CandidateOut(
            professional_id=e.professional_id,
            name=e.name,
            eligible=e.eligible,
            match_score=e.match_score,
            reasons=[r.value for r in e.reasons],
            score_parts=e.score_parts,
            distance_km=e.distance_km,
        )
        for e in ranked
    ]


@router.get("/events", response_model=list[EventOut])
async def events(
    session: SessionDep, _admin: AdminDep, booking_id: Annotated[str | None, Query(alias="bookingId")] = None
) -> list[EventOut]:
    """The event log: one booking's events in order, or the latest events."""
    return [_event_out(e) for e in await event_queries.events_of(session, booking_id=booking_id)]


class ReviewRequestOut(ApiModel):
    booking_id: str
    status: Literal["queued"] = "queued"


@router.post(
    "/bookings/{bookingId}/review-request",
    response_model=ReviewRequestOut,
    status_code=202,
    responses=refusals(409),
)
async def resend_review(
    booking_id: BookingId, container: ContainerDep, now: NowDep, session: SessionDep, admin: AdminDep
) -> ReviewRequestOut:
    """Queue the review request again for a booking awaiting its review (409 when it is not, or too late)."""
    await resend_review_request(
        session,
        admin=admin,
        booking_id=booking_id,
        now=now,
        schedule=review_schedule(container.settings),
    )
    await session.commit()
    return ReviewRequestOut(booking_id=booking_id)


@router.post("/events/{eventId}/retry", response_model=EventOut, responses=refusals(409))
async def retry_event(
    event_id: Annotated[int, Path(alias="eventId", ge=1)],
    now: NowDep,
    session: SessionDep,
    admin: AdminDep,
) -> EventOut:
    """Put a dead-lettered event back in the queue, as `masu events retry` does (409 when it is not dead)."""
    event = await replay_dead_letter(session, admin=admin, event_id=event_id, now=now)
    await session.commit()
    return _event_out(event)


def _event_out(e: OutboxEvent) -> EventOut:
    return EventOut(
        id=e.id,
        type=e.event_type,
        booking_id=e.booking_id,
        occurred_at=e.occurred_at,
        payload=e.payload,
        status=e.status,
        attempts=e.attempts,
        handled_at=e.handled_at,
    )
