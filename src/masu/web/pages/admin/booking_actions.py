"""The admin's actions on a booking as forms: assign, unassign, dispatch, bonus, cancel, complete, review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Protocol

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from masu.bootstrap import review_schedule
from masu.domain.access import Principal
from masu.domain.errors import DomainError, Forbidden, NotFound, TooEarly, ValidationFailed
from masu.domain.reviews import ReviewSchedule
from masu.services.booking.access import cancel_booking
from masu.services.dispatch import admin as admin_dispatch
from masu.services.policy import BookingPolicy
from masu.services.professional.actions import complete_treatment
from masu.services.review.cycle import resend_review_request
from masu.web.deps import ContainerDep, NowDep, PolicyDep, SessionDep
from masu.web.pages.admin.booking import find_booking, render_booking
from masu.web.pages.admin.common import CATALOGUES, Csrf, local, looks_like_id
from masu.web.schemas.common import to_agorot
from masu.web.ui.render import not_found, page_texts, redirect
from masu.web.ui.session import AdminUserDep

if TYPE_CHECKING:
    from masu.persistence.models import Booking

router = APIRouter(tags=["pages"], include_in_schema=False)
MAX_BONUS = Decimal("100000")
MAX_REASON = 500
REFUND_CHOICES: dict[str, bool | None] = {"auto": None, "yes": True, "no": False}


@dataclass(frozen=True, slots=True)
class Posted:
    """An admin's posted action on a booking, with what every action needs to do its work."""

    request: Request
    form: dict[str, str]
    session: AsyncSession
    admin: Principal
    now: datetime
    policy: BookingPolicy
    review_schedule: ReviewSchedule


class AdminAction(Protocol):
    """Does the work on the booking; answers the query string of the booking page to go back to."""

    async def __call__(self, posted: Posted, booking: Booking) -> str: ...


@router.post("/admin/bookings/{booking_id}/{action}", response_class=HTMLResponse)
async def act(
    booking_id: str,
    action: str,
    request: Request,
    _csrf: Csrf,
    admin: AdminUserDep,
    container: ContainerDep,
    now: NowDep,
    policy: PolicyDep,
    session: SessionDep,
) -> Response:
    """Run one of ACTIONS on the booking and go back to its page; a refusal shows its message there."""
    work = ACTIONS.get(action)
    if work is None:
        return not_found(request, "admin")
    form = await _form(request)
    posted = Posted(request, form, session, admin, now, policy, review_schedule(container.settings))
    return await _act(posted, booking_id, work)


async def _assign(posted: Posted, booking: Booking) -> str:
    """Give the booking to the chosen candidate (an ineligible one only with `force`); confirms it."""
    chosen = posted.form.get("professional_id", "")
    if not looks_like_id(chosen):
        raise ValidationFailed("professional_id", _text(posted.request, "choose_candidate"))
    force = posted.form.get("force") == "1"
    await admin_dispatch.assign(
        posted.session,
        principal=posted.admin,
        booking_id=booking.id,
        professional_id=chosen,
        force=force,
        now=posted.now,
        policy=posted.policy,
    )
    return "done=assign"


async def _unassign(posted: Posted, booking: Booking) -> str:
    """Take the booking from its professional: back to pending_professional, dispatched again."""
    reason = _reason(posted, required=False)
    await admin_dispatch.unassign(
        posted.session,
        principal=posted.admin,
        booking_id=booking.id,
        reason=reason,
        now=posted.now,
        policy=posted.policy,
    )
    return "done=unassign"


async def _dispatch(posted: Posted, booking: Booking) -> str:
    """Offer the booking now: the next wave, or (`mode=all-suitable`) everyone suitable not yet asked."""
    result = await admin_dispatch.dispatch_now(
        posted.session,
        principal=posted.admin,
        booking_id=booking.id,
        everyone_suitable=posted.form.get("mode") == "all-suitable",
        now=posted.now,
        policy=posted.policy,
    )
    return f"done=dispatch&count={len(result.offers)}"


async def _bonus(posted: Posted, booking: Booking) -> str:
    """Raise the professional pay by a bonus in shekels and offer the booking again."""
    amount = _shekels(posted.form.get("amount", ""))
    if amount is None:
        raise ValidationFailed("amount", _text(posted.request, "bonus_invalid"))
    await admin_dispatch.add_bonus(
        posted.session,
        principal=posted.admin,
        booking_id=booking.id,
        amount=to_agorot(amount),
        now=posted.now,
        policy=posted.policy,
    )
    return "done=bonus"


async def _cancel(posted: Posted, booking: Booking) -> str:
    """Cancel with a reason; the payment is refunded as chosen (by default, by the cut-off rule)."""
    reason = _reason(posted, required=True)
    assert reason is not None
    await cancel_booking(
        posted.session,
        now=posted.now,
        policy=posted.policy,
        principal=posted.admin,
        booking_id=booking.id,
        reason=reason,
        refund=REFUND_CHOICES.get(posted.form.get("refund", "auto")),
    )
    return "done=cancel"


async def _complete(posted: Posted, booking: Booking) -> str:
    """Close out the visit; before its time only with a reason, which the status history keeps."""
    reason = _reason(posted, required=False, shortest=2)
    await complete_treatment(
        posted.session,
        now=posted.now,
        policy=posted.policy,
        principal=posted.admin,
        booking_id=booking.id,
        override_reason=reason,
    )
    return "done=complete"


async def _resend_review(posted: Posted, booking: Booking) -> str:
    """Queue the review request again while the booking awaits its review; the refusal shown otherwise."""
    await resend_review_request(
        posted.session,
        admin=posted.admin,
        booking_id=booking.id,
        now=posted.now,
        schedule=posted.review_schedule,
    )
    return "done=review_request"


ACTIONS: dict[str, AdminAction] = {
    "assign": _assign,
    "unassign": _unassign,
    "dispatch": _dispatch,
    "bonus": _bonus,
    "cancel": _cancel,
    "complete": _complete,
    "review-request": _resend_review,
}


def _reason(posted: Posted, *, required: bool, shortest: int = 0) -> str | None:
    """The posted reason (None when left empty and not `required`); 422 on `reason` beyond its bounds."""
    reason = posted.form.get("reason", "")
    if not reason and not required:
        return None
    if not max(shortest, 2 if required else 0) <= len(reason) <= MAX_REASON:
        raise ValidationFailed("reason", _text(posted.request, "reason_invalid"))
    return reason


async def _act(posted: Posted, booking_id: str, work: AdminAction) -> Response:
    """Run `work` and commit, then back to the booking page; a refusal shows its message there instead."""
    request, session = posted.request, posted.session
    booking = await find_booking(session, posted.admin, booking_id)
    if booking is None:
        return not_found(request, "admin")
    try:
        done = await work(posted, booking)
        await session.commit()
    except DomainError as refused:
        await session.rollback()
        fresh = await find_booking(session, posted.admin, booking_id)
        assert fresh is not None  # it existed a moment ago and bookings are never deleted
        return await render_booking(
            request,
            session,
            fresh,
            message=_refusal(request, refused),
            error=True,
            status_code=_status_of(refused),
            form=posted.form,
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
