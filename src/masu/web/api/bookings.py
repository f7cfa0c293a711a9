"""Customers' bookings: create, list, read, stats, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from masu.domain.lifecycle import BookingStatus
from masu.observability.metrics import BOOKINGS_CREATED
from masu.services.booking.access import (
    booking_stats,
    list_visible_bookings,
    view_booking,
)
from masu.services.booking.creation import create_booking
from masu.web.api.idempotency import respond_idempotently
from masu.web.api.moves import MoverDep
from masu.web.deps import ContainerDep, NowDep, PolicyDep, PrincipalDep, SessionDep
from masu.web.openapi import refusals
from masu.web.schemas.booking import BookingIn, BookingOut, BookingSummaryOut, CancelIn, StatusTotalOut
from masu.web.schemas.common import Page, path_id

BookingId = Annotated[str, path_id("bookingId")]

router = APIRouter(prefix="/api/v1/bookings", tags=["bookings"])

DEFAULT_PAGE_SIZE = 20


@router.post("", status_code=201, response_model=BookingOut, responses=refusals(403, 409, 429))
async def create(
    body: BookingIn,
    request: Request,
    container: ContainerDep,
    now: NowDep,
    policy: PolicyDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> Response:
    """Book a treatment, validated and priced on the server (422 names the field; 429 past the limit)."""

    async def work() -> BookingOut:
        view = await create_booking(
            session,
            now=now,
            policy=policy,
            principal=principal,
            command=body.command(),
        )
        return BookingOut.of(view, base_url=container.settings.PUBLIC_BASE_URL)

    response = await respond_idempotently(
        request=request, container=container, session=session, principal=principal, status_code=201, work=work
    )
    if "idempotent-replayed" not in response.headers:
        BOOKINGS_CREATED.labels(body.address.city.strip().title()).inc()
    return response


@router.get("", response_model=Page[BookingSummaryOut])
async def list_bookings(
    session: SessionDep,
    principal: PrincipalDep,
    status: BookingStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[BookingSummaryOut]:
    """Newest first: customers see their own, professionals those assigned to them, admins all."""
    items, next_cursor = await list_visible_bookings(
        session, principal, status=status.value if status else None, limit=limit, cursor=cursor
    )
    return Page[BookingSummaryOut](items=[BookingSummaryOut.of(i) for i in items], next_cursor=next_cursor)


@router.get("/stats", response_model=list[StatusTotalOut])
async def stats(session: SessionDep, principal: PrincipalDep) -> list[StatusTotalOut]:
    """Count and total amount per status, most frequent first (admins: all bookings)."""
    return [StatusTotalOut.of(total) for total in await booking_stats(session, principal)]


@router.get("/{bookingId}", response_model=BookingOut)
async def read(
    booking_id: BookingId, container: ContainerDep, session: SessionDep, principal: PrincipalDep
) -> BookingOut:
    """One booking with its history and payment; 404 unless yours, assigned to you, or you are an admin."""
    view = await view_booking(session, principal, booking_id)
    return BookingOut.of(view, base_url=container.settings.PUBLIC_BASE_URL)


@router.post("/{bookingId}/cancel", response_model=BookingOut, responses=refusals(403, 409))
async def cancel(booking_id: BookingId, mover: MoverDep, body: CancelIn | None = None) -> Response:
    """Cancel: the owner until the cut-off (a paid booking is refunded), an admin until completion."""
    return await mover.cancel(booking_id, reason=body.reason if body else None)
