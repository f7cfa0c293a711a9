"""One booking for an admin: its facts, price breakdown, timeline, candidates and the action forms."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.access import Principal
from masu.domain.errors import NotFound
from masu.domain.lifecycle import BookingStatus
from masu.services.booking.access import accessible_booking
from masu.services.dispatch.matching import ranked_candidates
from masu.services.operations.timeline import booking_timeline
from masu.services.professional.profiles import name_of
from masu.web.deps import SessionDep
from masu.web.pages.admin.common import CATALOGUES, local, looks_like_id
from masu.web.schemas.common import shekels_number
from masu.web.ui.booking_facts import one_line_address, treatment_names
from masu.web.ui.render import not_found, page_texts, render
from masu.web.ui.session import AdminUserDep

if TYPE_CHECKING:
    from masu.persistence.models import Booking

router = APIRouter(tags=["pages"], include_in_schema=False)
CANCELLABLE = {BookingStatus.PENDING_PAYMENT, BookingStatus.PENDING_PROFESSIONAL, BookingStatus.CONFIRMED}
COMPLETABLE = {BookingStatus.CONFIRMED, BookingStatus.ON_WAY, BookingStatus.IN_TREATMENT}
DONE_KEYS = ("assign", "unassign", "dispatch", "bonus", "cancel", "review_request", "complete")


@router.get("/admin/bookings/{booking_id}", response_class=HTMLResponse)
async def booking_page(
    booking_id: str, request: Request, admin: AdminUserDep, session: SessionDep
) -> Response:
    """The booking with its timeline and the actions its status allows; `?done=` names a finished action."""
    booking = await find_booking(session, admin, booking_id)
    if booking is None:
        return not_found(request, "admin")
    done = request.query_params.get("done")
    message = None
    if done in DONE_KEYS:
        count = request.query_params.get("count", "0")
        message = page_texts(request, *CATALOGUES)[f"done_{done}"].replace("{count}", count[:4])
    return await render_booking(request, session, booking, message=message)


async def find_booking(session: AsyncSession, admin: Principal, booking_id: str) -> Booking | None:
    """The booking, or None when the id names none."""
    if not looks_like_id(booking_id):
        return None
    try:
        return await accessible_booking(session, admin, booking_id)
    except NotFound:
        return None


async def render_booking(
    request: Request,
    session: AsyncSession,
    booking: Booking,
    *,
    message: str | None = None,
    error: bool = False,
    status_code: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    """The booking page, with a success or error message and the refused form's values when there are."""
    status = BookingStatus(booking.status)
    context: dict[str, Any] = {
        "portal": "admin",
        "booking": booking,
        "facts": await _facts(session, booking),
        "price": _price(booking),
        "timeline": [
            {"at": entry.at.isoformat(), "when": local(entry.at), "kind": entry.kind, **entry.data}
            for entry in await booking_timeline(session, booking.id)
        ],
        "candidates": await _candidates(session, booking)
        if status is BookingStatus.PENDING_PROFESSIONAL
        else [],
        "can_dispatch": status is BookingStatus.PENDING_PROFESSIONAL,
        "can_unassign": status is BookingStatus.CONFIRMED,
        "can_cancel": status in CANCELLABLE,
        "can_complete": status in COMPLETABLE,
        "paid": booking.payment_status == "paid",
        "message": message,
        "error": error,
        "form": form or {},
    }
    return render(request, "admin/booking.html", context, catalogues=CATALOGUES, status_code=status_code)


async def _facts(session: AsyncSession, booking: Booking) -> dict[str, Any]:
    treatments = await treatment_names(session)
    professional = await name_of(session, booking.professional_id) if booking.professional_id else None
    return {
        "treatment": treatments.get(booking.treatment_id, ""),
        "when": local(booking.booking_date_time),
        "address": one_line_address(booking),
        "professional": professional,
    }


def _price(booking: Booking) -> dict[str, Any]:
    return {
        "base": shekels_number(booking.base_price),
        "surcharges": [(s["description"], shekels_number(int(s["amount"]))) for s in booking.surcharges],
        "discount": shekels_number(booking.discount) if booking.discount else None,
        "total": shekels_number(booking.final_amount),
        "pro_pay": shekels_number(booking.total_professional_payment),
        "bonus": shekels_number(booking.payment_bonus) if booking.payment_bonus else None,
        "fee": shekels_number(booking.company_fee),
    }


async def _candidates(session: AsyncSession, booking: Booking) -> list[dict[str, Any]]:
    return [
        {
            "id": e.professional_id,
            "name": e.name,
            "eligible": e.eligible,
            "score": round(e.match_score, 3),
            "reasons": [r.value for r in e.reasons],
        }
        for e in await ranked_candidates(session, booking)
    ]
