"""The admin's actions on a booking as forms: assign, unassign, dispatch, bonus, cancel, complete, review."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from masu.bootstrap import Container, review_schedule
from masu.domain.access import Principal
from masu.domain.errors import DomainError, Forbidden, NotFound, TooEarly, ValidationFailed
from masu.services.booking.access import cancel_booking
from masu.services.dispatch import admin as admin_dispatch
from masu.services.professional.actions import complete_treatment
from masu.services.review.cycle import resend_review_request
from masu.web.deps import ContainerDep, SessionDep
from masu.web.pages.admin.booking import find_booking, render_booking
from masu.web.pages.admin.common import CATALOGUES, Csrf, local, looks_like_id
from masu.web.schemas.common import to_agorot
from masu.web.ui.render import page_texts, redirect, render
from masu.web.ui.session import AdminUserDep

if TYPE_CHECKING:
    from masu.persistence.models import Booking

router = APIRouter(tags=["pages"], include_in_schema=False)
Action = Callable[["Booking"], Awaitable[str]]
"""Does the work on the (locked) booking; answers the query string of the page to go back to."""
MAX_BONUS = Decimal("100000")
MAX_REASON = 500
REFUND_CHOICES: dict[str, bool | None] = {"auto": None, "yes": True, "no": False}


@router.post("/admin/bookings/{booking_id}/assign", response_class=HTMLResponse)
async def assign(
    booking_id: str,
    request: Request,
    _csrf: Csrf,
    admin: AdminUserDep,
    container: ContainerDep,
    session: SessionDep,
) -> Response:
    """Give the booking to the chosen candidate (an ineligible one only with `force`); confirms it."""
    form = await _form(request)
    chosen = form.get("professional_id", "")

    async def work(booking: Booking) -> str:
        if not looks_like_id(chosen):
            raise ValidationFailed("professional_id", _text(request, "choose_candidate"))
        await admin_dispatch.assign(
            session,
            admin=admin,
            booking_id=booking.id,
            professional_id=chosen,
            force=form.get("force") == "1",
            now=container.clock.now(),
            policy=container.policy,
        )
        return "done=assign"

    return await _act(request, session, admin, booking_id, work, form)


@router.post("/admin/bookings/{booking_id}/unassign", response_class=HTMLResponse)
async def unassign(
    booking_id: str,
    request: Request,
    _csrf: Csrf,
    admin: AdminUserDep,
    container: ContainerDep,
    session: SessionDep,
) -> Response:
    """Take the booking from its professional: back to pending_professional, dispatched again."""
    form = await _form(request)

    async def work(booking: Booking) -> str:
        reason = form.get("reason", "")
        if len(reason) > MAX_REASON:
            raise ValidationFailed("reason", _text(request, "reason_invalid"))
        await admin_dispatch.unassign(
            session,
            admin=admin,
            booking_id=booking.id,
            reason=reason or None,
            now=container.clock.now(),
            policy=container.policy,
        )
        return "done=unassign"

    return await _act(request, session, admin, booking_id, work, form)


@router.post("/admin/bookings/{booking_id}/dispatch", response_class=HTMLResponse)
async def dispatch(
    booking_id: str,
    request: Request,
    _csrf: Csrf,
    admin: AdminUserDep,
    container: ContainerDep,
    session: SessionDep,
) -> Response:
    """Offer the booking now: the next wave, or (`mode=all-suitable`) everyone suitable not yet asked."""
    form = await _form(request)

    async def work(booking: Booking) -> str:
        result = await admin_dispatch.dispatch_now(
            session,
            admin=admin,
            booking_id=booking.id,
            everyone_suitable=form.get("mode") == "all-suitable",
            now=container.clock.now(),
            policy=container.policy,
        )
        return f"done=dispatch&count={len(result.offers)}"

    return await _act(request, session, admin, booking_id, work, form)


@router.post("/admin/bookings/{booking_id}/bonus", response_class=HTMLResponse)
async def bonus(
    booking_id: str,
    request: Request,
    _csrf: Csrf,
    admin: AdminUserDep,
    container: ContainerDep,
    session: SessionDep,
) -> Response:
    """Raise the professional pay by a bonus in shekels and offer the booking again."""
    form = await _form(request)

    async def work(booking: Booking) -> str:
        amount = _shekels(form.get("amount", ""))
        if amount is None:
            raise ValidationFailed("amount", _text(request, "bonus_invalid"))
        await admin_dispatch.add_bonus(
            session,
            admin=admin,
            booking_id=booking.id,
            amount=to_agorot(amount),
            now=container.clock.now(),
            policy=container.policy,
        )
        return "done=bonus"

    return await _act(request, session, admin, booking_id, work, form)


@router.post("/admin/bookings/{booking_id}/cancel", response_class=HTMLResponse)
async def cancel(
    booking_id: str,
    request: Request,
    _csrf: Csrf,
    admin: AdminUserDep,
    container: ContainerDep,
    session: SessionDep,
) -> Response:
    """Cancel with a reason; the payment is refunded as chosen (by default, by the cut-off rule)."""
    form = await _form(request)
    return await _act(
        request, session, admin, booking_id, _canceller(request, container, session, admin, form), form
    )


@router.post("/admin/bookings/{booking_id}/complete", response_class=HTMLResponse)
async def complete(
    booking_id: str,
    request: Request,
    _csrf: Csrf,
    admin: AdminUserDep,
    container: ContainerDep,
    session: SessionDep,
) -> Response:
    """Close out the visit; before its time only with a reason, which the status history keeps."""
    form = await _form(request)

    async def work(booking: Booking) -> str:
        reason = form.get("reason", "")
        if reason and not 2 <= len(reason) <= MAX_REASON:
            raise ValidationFailed("reason", _text(request, "reason_invalid"))
        await complete_treatment(
            session,
            now=container.clock.now(),
            policy=container.policy,
            principal=admin,
            booking_id=booking.id,
            override_reason=reason or None,
        )
        return "done=complete"

    return await _act(request, session, admin, booking_id, work, form)


@router.post("/admin/bookings/{booking_id}/review-request", response_class=HTMLResponse)
async def resend_review(
    booking_id: str,
    request: Request,
    _csrf: Csrf,
    admin: AdminUserDep,
    container: ContainerDep,
    session: SessionDep,
) -> Response:
    """Queue the review request again while the booking awaits its review; the refusal shown otherwise."""
    form = await _form(request)

    async def work(booking: Booking) -> str:
        await resend_review_request(
            session,
            admin=admin,
            booking_id=booking.id,
            now=container.clock.now(),
            schedule=review_schedule(container.settings),
        )
        return "done=review_request"

    return await _act(request, session, admin, booking_id, work, form)


def _canceller(
    request: Request, container: Container, session: AsyncSession, admin: Principal, form: dict[str, str]
) -> Action:
    async def work(booking: Booking) -> str:
        reason = form.get("reason", "")
        if not 2 <= len(reason) <= MAX_REASON:
            raise ValidationFailed("reason", _text(request, "reason_invalid"))
        await cancel_booking(
            session,
            now=container.clock.now(),
            policy=container.policy,
            principal=admin,
            booking_id=booking.id,
            reason=reason,
            refund=REFUND_CHOICES.get(form.get("refund", "auto")),
        )
        return "done=cancel"

    return work


async def _act(
    request: Request,
    session: AsyncSession,
    admin: Principal,
    booking_id: str,
    work: Action,
    form: dict[str, str],
) -> Response:
    """Run `work` and commit, then back to the booking page; a refusal shows its message there instead."""
    booking = await find_booking(session, admin, booking_id)
    if booking is None:
        return render(request, "ui/not_found.html", {"portal": "admin"}, status_code=404)
    try:
        done = await work(booking)
        await session.commit()
    except DomainError as refused:
        await session.rollback()
        fresh = await find_booking(session, admin, booking_id)
        assert fresh is not None  # it existed a moment ago and bookings are never deleted
        return await render_booking(
            request,
            session,
            fresh,
            message=_refusal(request, refused),
            error=True,
            status_code=_status_of(refused),
            form=form,
        )
    return redirect(request, f"/admin/bookings/{booking.id}?{done}")


def _refusal(request: Request, refused: DomainError) -> str:
    """The refusal in the page's language where it has its own text; the domain's message otherwise."""
    if isinstance(refused, TooEarly):
        return _text(request, f"err_{refused.code}").format(at=local(refused.earliest_at))
    return refused.message


def _status_of(refused: DomainError) -> int:
    """The HTTP status the JSON API gives the same refusal."""
    if isinstance(refused, ValidationFailed):
        return 422
    if isinstance(refused, NotFound):
        return 404
    return 403 if isinstance(refused, Forbidden) else 409


async def _form(request: Request) -> dict[str, str]:
    """The posted fields as stripped strings (files and the CSRF token left out)."""
    form = await request.form()
    return {
        key: value.strip() for key, value in form.items() if isinstance(value, str) and key != "csrf_token"
    }


def _shekels(text: str) -> Decimal | None:
    """A bonus in shekels: above 0, at most MAX_BONUS, at most two decimals; None otherwise."""
    try:
        amount = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    if not amount.is_finite() or not 0 < amount <= MAX_BONUS:
        return None
    if amount != amount.quantize(Decimal("0.01")):
        return None
    return amount


def _text(request: Request, key: str) -> str:
    return page_texts(request, *CATALOGUES)[key]
