"""The assigned professional's buttons on a booking: on the way, start, complete, and give it back.

Each of the first three asks first: its button opens a confirmation page, whose form (with `confirmed=1`)
is the one that acts; a post without it only shows that page again. No script is needed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.access import Principal
from masu.domain.errors import NotFound
from masu.services.booking.access import BookingView, accessible_booking
from masu.services.professional.actions import complete_treatment, mark_on_way, start_treatment, withdraw
from masu.web.deps import ContainerDep, NowDep, PolicyDep, SessionDep
from masu.web.pages.pro.home import act_on_dashboard, render_dashboard, visit_row
from masu.web.pages.pro.texts import TEXTS
from masu.web.pages.pro.views import NEXT_MOVE, looks_like_id, switch_url
from masu.web.ui.booking_facts import treatment_names
from masu.web.ui.csrf import require_csrf
from masu.web.ui.render import not_found, redirect, render
from masu.web.ui.session import ProfessionalDep

router = APIRouter(tags=["pages"], include_in_schema=False)
Csrf = Annotated[None, Depends(require_csrf)]
Move = Callable[..., Awaitable[BookingView]]
MOVES: dict[str, tuple[Move, str]] = {
    "on_way": (mark_on_way, "on_way"),
    "start": (start_treatment, "started"),
    "complete": (complete_treatment, "completed"),
}
REASON_LENGTH = range(2, 501)


@router.post("/pro/bookings/{booking_id}/withdraw", response_class=HTMLResponse)
async def give_back(
    booking_id: str,
    request: Request,
    _csrf: Csrf,
    user: ProfessionalDep,
    container: ContainerDep,
    now: NowDep,
    policy: PolicyDep,
    session: SessionDep,
) -> Response:
    """Give a confirmed booking back with a reason (422 next to the field without one); it is re-offered."""
    if not looks_like_id(booking_id):
        return not_found(request, "pro")
    reason = str((await request.form()).get("reason", "")).strip()
    if len(reason) not in REASON_LENGTH:
        errors = {booking_id: "reason_invalid"}
        return await render_dashboard(request, container, session, user, errors=errors, status_code=422)

    async def act() -> object:
        return await withdraw(
            session, now=now, policy=policy, principal=user, booking_id=booking_id, reason=reason
        )

    return await act_on_dashboard(request, container, session, user, act=act, done="withdrawn")


@router.get("/pro/bookings/{booking_id}/{move}", response_class=HTMLResponse)
async def confirm_move(
    booking_id: str,
    move: str,
    request: Request,
    user: ProfessionalDep,
    session: SessionDep,
) -> Response:
    """Ask before marking the visit on the way, started or completed (the dashboard when stale)."""
    if move not in MOVES or not looks_like_id(booking_id):
        return not_found(request, "pro")
    return await _confirmation(request, session, user, booking_id, move)


@router.post("/pro/bookings/{booking_id}/{move}", response_class=HTMLResponse)
async def move_visit(
    booking_id: str,
    move: str,
    request: Request,
    _csrf: Csrf,
    user: ProfessionalDep,
    container: ContainerDep,
    now: NowDep,
    policy: PolicyDep,
    session: SessionDep,
) -> Response:
    """Mark the visit on the way, started or completed once confirmed; a refusal says why."""
    if move not in MOVES or not looks_like_id(booking_id):
        return not_found(request, "pro")
    if (await request.form()).get("confirmed") != "1":
        return await _confirmation(request, session, user, booking_id, move)
    service, outcome = MOVES[move]

    async def act() -> object:
        return await service(session, now=now, policy=policy, principal=user, booking_id=booking_id)

    return await act_on_dashboard(request, container, session, user, act=act, done=outcome)


async def _confirmation(
    request: Request, session: AsyncSession, user: Principal, booking_id: str, move: str
) -> Response:
    """The page asking to confirm `move` on the booking (404 when not theirs; the dashboard when stale)."""
    try:
        booking = await accessible_booking(session, user, booking_id)
    except NotFound:
        return not_found(request, "pro")
    if NEXT_MOVE.get(booking.status) != move or booking.professional_id != user.user_id:
        return redirect(request, "/pro")
    context = {
        "portal": "pro",
        "switch_url": switch_url(request, f"/pro/bookings/{booking_id}/{move}"),
        "visit": visit_row(booking, await treatment_names(session)),
        "move": move,
    }
    return render(request, "pro/confirm_move.html", context, catalogues=(TEXTS,))
