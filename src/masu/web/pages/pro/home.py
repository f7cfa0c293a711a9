"""The professional dashboard: open offers with a countdown, and the assigned bookings' next action."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from masu.bootstrap import Container
from masu.domain.access import Principal
from masu.domain.errors import DomainError, NotFound, TooEarly
from masu.domain.pricing import BUSINESS_TZ
from masu.services.dispatch.offer_views import OfferView, offers_for
from masu.services.dispatch.waves import accept_offer, decline_offer
from masu.services.professional.work import assigned_visits
from masu.web.deps import ContainerDep, NowDep, PolicyDep, SessionDep
from masu.web.pages.pro.texts import TEXTS
from masu.web.pages.pro.views import (
    NEXT_MOVE,
    local,
    looks_like_id,
    refusal_key,
    shekels,
    switch_url,
)
from masu.web.ui.booking_facts import one_line_address, treatment_names
from masu.web.ui.csrf import require_csrf
from masu.web.ui.render import not_found, page_texts, redirect, render
from masu.web.ui.session import ProfessionalDep

if TYPE_CHECKING:
    from masu.persistence.models import Booking

router = APIRouter(tags=["pages"], include_in_schema=False)
Csrf = Annotated[None, Depends(require_csrf)]
ANSWERS = {"accept": "accepted", "decline": "declined"}
DONE = {"accepted", "declined", "on_way", "started", "completed", "withdrawn"}


@router.get("/pro", response_class=HTMLResponse)
async def dashboard(
    request: Request, user: ProfessionalDep, container: ContainerDep, session: SessionDep
) -> Response:
    """The professional's open offers and assigned bookings; `?done=` shows the last action's outcome."""
    done = request.query_params.get("done")
    message = page_texts(request, TEXTS)[f"done_{done}"] if done in DONE else None
    return await render_dashboard(request, container, session, user, message=message)


@router.post("/pro/offers/{offer_id}/{answer}", response_class=HTMLResponse)
async def answer_offer(
    offer_id: str,
    answer: str,
    request: Request,
    _csrf: Csrf,
    user: ProfessionalDep,
    container: ContainerDep,
    now: NowDep,
    policy: PolicyDep,
    session: SessionDep,
) -> Response:
    """Accept or decline an offer; a lost race or a late answer shows why (409) instead of acting."""
    if answer not in ANSWERS or not looks_like_id(offer_id):
        return not_found(request, "pro")

    async def act() -> object:
        if answer == "accept":
            return await accept_offer(
                session, offer_id=offer_id, professional_id=user.user_id, now=now, policy=policy
            )
        return await decline_offer(session, offer_id=offer_id, professional_id=user.user_id, now=now)

    return await act_on_dashboard(request, container, session, user, act=act, done=ANSWERS[answer])


async def act_on_dashboard(
    request: Request,
    container: Container,
    session: AsyncSession,
    user: Principal,
    *,
    act: Callable[[], Awaitable[object]],
    done: str,
) -> Response:
    """Run `act` and commit, then the dashboard saying `done`; a refusal rolls back and shows why."""
    try:
        await act()
        await session.commit()
    except DomainError as refused:
        await session.rollback()
        return await refused_dashboard(request, container, session, user, refused)
    return redirect(request, f"/pro?done={done}")


async def refused_dashboard(
    request: Request, container: Container, session: AsyncSession, user: Principal, refused: DomainError
) -> Response:
    """The dashboard again, saying why the action was refused (404 when not theirs, 409 otherwise)."""
    message = page_texts(request, TEXTS)[refusal_key(refused)]
    if isinstance(refused, TooEarly):
        message = message.format(at=local(refused.earliest_at))
    status = 404 if isinstance(refused, NotFound) else 409
    return await render_dashboard(
        request, container, session, user, message=message, error=True, status_code=status
    )


async def render_dashboard(
    request: Request,
    container: Container,
    session: AsyncSession,
    user: Principal,
    *,
    message: str | None = None,
    error: bool = False,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The dashboard page; `errors` maps a booking id to the key of its withdraw reason's error."""
    now = container.clock.now()
    offers = [
        o
        for o in await offers_for(session, user.user_id)
        if o.response_status == "pending" and o.expires_at > now
    ]
    names = await treatment_names(session)
    context = {
        "portal": "pro",
        "switch_url": switch_url(request, "/pro"),
        "offers": [_offer_row(offer) for offer in offers],
        "visits": [visit_row(booking, names) for booking in await assigned_visits(session, user.user_id)],
        "message": message,
        "error": error,
        "errors": errors or {},
    }
    return render(request, "pro/home.html", context, catalogues=(TEXTS,), status_code=status_code)


def _offer_row(offer: OfferView) -> dict[str, Any]:
    return {
        "id": offer.id,
        "treatment": offer.treatment,
        "minutes": offer.duration_minutes,
        "when": local(offer.booking_date_time),
        "city": offer.city,
        "pay": shekels(offer.expected_payment),
        "expires_at": offer.expires_at.isoformat(),
        "answer_by": offer.expires_at.astimezone(BUSINESS_TZ).strftime("%H:%M"),
    }


def visit_row(booking: Booking, names: dict[str, str]) -> dict[str, Any]:
    """What the pages show of an assigned visit."""
    return {
        "id": booking.id,
        "number": booking.booking_number,
        "status": booking.status,
        "treatment": names.get(booking.treatment_id, ""),
        "minutes": booking.duration_minutes,
        "when": local(booking.booking_date_time),
        "address": one_line_address(booking),
        "recipient": booking.recipient_name,
        "phone": booking.recipient_phone,
        "notes": booking.notes,
        "pay": shekels(booking.total_professional_payment),
        "next": NEXT_MOVE.get(booking.status),
        "can_withdraw": booking.status == "confirmed",
    }
