"""The customer's bookings: the list, one booking with its history and price, cancelling and reviewing it."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from masu.bootstrap import Container
from masu.domain.access import Principal
from masu.domain.errors import DomainError, NotFound, ValidationFailed
from masu.domain.lifecycle import BookingStatus
from masu.domain.pricing import BUSINESS_TZ
from masu.domain.reviews import MAX_COMMENT_LENGTH
from masu.persistence.queries.review import ReviewFilter
from masu.services.booking.access import (
    MAX_PAGE_SIZE,
    BookingView,
    cancel_booking,
    list_visible_bookings,
    view_booking,
)
from masu.services.review.reviews import reviews_page, submit_review
from masu.web.deps import ContainerDep, NowDep, PolicyDep, SessionDep
from masu.web.pages.customer.texts import TEXTS
from masu.web.schemas.common import ID_PATTERN, shekels_number
from masu.web.ui.booking_facts import one_line_address, treatment_names
from masu.web.ui.csrf import require_csrf
from masu.web.ui.render import not_found, page_texts, redirect, render
from masu.web.ui.session import UserDep

if TYPE_CHECKING:
    from masu.persistence.models import Review

router = APIRouter(tags=["pages"], include_in_schema=False)
Csrf = Annotated[None, Depends(require_csrf)]
CANCELLABLE = {BookingStatus.PENDING_PAYMENT, BookingStatus.PENDING_PROFESSIONAL, BookingStatus.CONFIRMED}
MAX_REASON = 500
# What the page confirms after a redirect from an action: the query flag and its message.
DONE_MESSAGES = (("created", "created_ok"), ("cancelled", "cancelled_ok"), ("reviewed", "review_thanks"))


@router.get("/bookings", response_class=HTMLResponse)
async def my_bookings(request: Request, user: UserDep, session: SessionDep) -> Response:
    """The user's bookings, newest first, with treatment, time, status and price."""
    items, _cursor = await list_visible_bookings(session, user, status=None, limit=MAX_PAGE_SIZE, cursor=None)
    names = await treatment_names(session)
    rows = [
        {
            "id": item.id,
            "number": item.booking_number,
            "treatment": names.get(item.treatment_id, ""),
            "when": _local(item.booking_date_time),
            "status": item.status,
            "amount": shekels_number(item.final_amount),
        }
        for item in items
    ]
    return render(request, "customer/bookings.html", {"rows": rows}, catalogues=(TEXTS,))


@router.get("/bookings/{booking_id}", response_class=HTMLResponse)
async def booking_page(
    booking_id: str, request: Request, user: UserDep, container: ContainerDep, session: SessionDep
) -> Response:
    """One booking: its details, status timeline, price breakdown and, until the cut-off, a cancel form."""
    view = await _view(session, user, booking_id)
    if view is None:
        return not_found(request)
    message = _done_message(request)
    return await _render_booking(request, container, session, user, view, message=message)


@router.post("/bookings/{booking_id}/cancel", response_class=HTMLResponse)
async def cancel(
    booking_id: str,
    request: Request,
    _csrf: Csrf,
    user: UserDep,
    container: ContainerDep,
    now: NowDep,
    policy: PolicyDep,
    session: SessionDep,
) -> Response:
    """Cancel the booking (owner, before the cut-off); the page again with the reason when refused."""
    view = await _view(session, user, booking_id)
    if view is None:
        return not_found(request)
    texts = page_texts(request, TEXTS)
    reason = str((await request.form()).get("reason", "")).strip()
    refusal = _cancel_refusal(view, user, container, reason)
    if refusal is not None:
        status = 422 if refusal == "reason_long" else 409
        return await _render_booking(
            request, container, session, user, view, message=texts[refusal], error=True, status_code=status
        )

    async def act() -> object:
        return await cancel_booking(
            session, now=now, policy=policy, principal=user, booking_id=view.booking.id, reason=reason or None
        )

    return await _act(request, container, session, user, view, act=act, done="cancelled")


@router.post("/bookings/{booking_id}/review", response_class=HTMLResponse)
async def review(
    booking_id: str,
    request: Request,
    _csrf: Csrf,
    user: UserDep,
    container: ContainerDep,
    now: NowDep,
    session: SessionDep,
) -> Response:
    """Review the treated booking (owner, while it awaits the review); the page with the reason if refused."""
    view = await _view(session, user, booking_id)
    if view is None:
        return not_found(request)
    form = await request.form()
    draft = {"rating": str(form.get("rating", "")).strip(), "comment": str(form.get("comment", ""))}

    async def act() -> object:
        rating, comment = _rating(draft["rating"]), draft["comment"]
        return await submit_review(
            session, now=now, principal=user, booking_id=view.booking.id, rating=rating, comment=comment
        )

    return await _act(request, container, session, user, view, act=act, done="reviewed", draft=draft)


async def _act(
    request: Request,
    container: Container,
    session: AsyncSession,
    user: Principal,
    view: BookingView,
    *,
    act: Callable[[], Awaitable[object]],
    done: str,
    draft: dict[str, str] | None = None,
) -> Response:
    """Run `act` and commit, then the booking's page confirming `done`; refused, the page again saying why.

    With the `draft` of a review, a ValidationFailed is shown next to its field (422) with the draft kept.
    """
    booking_id = view.booking.id  # read before a rollback expires the booking's attributes
    try:
        await act()
        await session.commit()
    except DomainError as refused:
        await session.rollback()
        fresh = await _view(session, user, booking_id)
        assert fresh is not None
        if draft is not None and isinstance(refused, ValidationFailed):
            errors = {refused.field: f"review_{refused.field}_invalid"}
            return await _render_booking(
                request, container, session, user, fresh, review_errors=errors, draft=draft, status_code=422
            )
        return await _render_booking(
            request, container, session, user, fresh, message=refused.message, error=True, status_code=409
        )
    return redirect(request, f"/bookings/{booking_id}?{done}=1")


def _rating(text: str) -> int:
    """The chosen rating as a number; ValidationFailed on `rating` when none (or no number) was chosen."""
    if not (text.isascii() and text.isdigit() and len(text) == 1):
        raise ValidationFailed("rating", "choose a rating from 1 to 5")
    return int(text)


def _done_message(request: Request) -> str | None:
    """The confirmation of what the customer just did on this page, if anything."""
    texts = page_texts(request, TEXTS)
    for flag, key in DONE_MESSAGES:
        if request.query_params.get(flag):
            return texts[key]
    return None


async def _view(session: AsyncSession, user: Principal, booking_id: str) -> BookingView | None:
    if not _looks_like_id(booking_id):
        return None
    try:
        return await view_booking(session, user, booking_id)
    except NotFound:
        return None


def _looks_like_id(value: str) -> bool:
    return re.fullmatch(ID_PATTERN, value) is not None


def _cancel_refusal(view: BookingView, user: Principal, container: Container, reason: str) -> str | None:
    """The key of the message refusing this cancel, or None when the customer may cancel."""
    if len(reason) > MAX_REASON:
        return "reason_long"
    if view.booking.user_id != user.user_id or view.booking.status not in CANCELLABLE:
        return "not_cancellable"
    if not _before_cutoff(view, container):
        return "too_late"
    return None


def _before_cutoff(view: BookingView, container: Container) -> bool:
    return container.clock.now() <= view.booking.booking_date_time - container.policy.cancellation_cutoff


async def _render_booking(
    request: Request,
    container: Container,
    session: AsyncSession,
    user: Principal,
    view: BookingView,
    *,
    message: str | None = None,
    error: bool = False,
    review_errors: dict[str, str] | None = None,
    draft: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    booking = view.booking
    names = await treatment_names(session)
    is_owner = booking.user_id == user.user_id
    can_cancel = is_owner and booking.status in CANCELLABLE and _before_cutoff(view, container)
    given = await _review_of(session, booking.id)
    context = {
        "booking": booking,
        "treatment": names.get(booking.treatment_id, ""),
        "when": _local(booking.booking_date_time),
        "address": one_line_address(booking),
        "history": [
            {"status": h.status, "when": _local(h.occurred_at), "by": h.triggered_by} for h in view.history
        ],
        "price": _price(view),
        "can_cancel": can_cancel,
        "cancel_until": _local(booking.booking_date_time - container.policy.cancellation_cutoff),
        "refund": shekels_number(booking.final_amount) if booking.payment_status == "paid" else None,
        "message": message,
        "error": error,
        "review": given,
        "can_review": is_owner and booking.status == BookingStatus.PENDING_REVIEW and given is None,
        "review_errors": review_errors or {},
        "draft": draft or {"rating": "", "comment": ""},
        "max_comment": MAX_COMMENT_LENGTH,
    }
    return render(request, "customer/booking.html", context, catalogues=(TEXTS,), status_code=status_code)


async def _review_of(session: AsyncSession, booking_id: str) -> Review | None:
    """The booking's review, hidden or not (its author always sees their own)."""
    found, _cursor = await reviews_page(session, ReviewFilter(booking_id=booking_id), limit=1, cursor=None)
    return found[0] if found else None


def _price(view: BookingView) -> dict[str, Any]:
    booking = view.booking
    return {
        "base": shekels_number(booking.base_price),
        "surcharges": [(s["description"], shekels_number(int(s["amount"]))) for s in booking.surcharges],
        "discount": shekels_number(booking.discount) if booking.discount else None,
        "total": shekels_number(booking.final_amount),
    }


def _local(moment: datetime) -> str:
    return moment.astimezone(BUSINESS_TZ).strftime("%d/%m/%Y %H:%M")
