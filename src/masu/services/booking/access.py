"""Reading and cancelling bookings under the seed's `authorizeBookingAccess` rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.access import Principal, Role, actor_for_booking, can_access_booking
from masu.domain.errors import Conflict, NotFound, ValidationFailed
from masu.domain.lifecycle import Action, BookingStatus, TransitionContext, decide
from masu.persistence.models import Booking, BookingStatusChange
from masu.persistence.queries import booking as booking_queries
from masu.persistence.queries.booking import BookingFilter, BookingSummary, StatusTotal
from masu.persistence.queries.pagination import InvalidCursor
from masu.persistence.repositories import booking as booking_repository
from masu.persistence.repositories import catalogue as catalogue_repository
from masu.persistence.repositories import payment as payment_repository
from masu.services.booking.transitions import Trigger, apply_decision
from masu.services.payment.payments import PaymentView, payment_view
from masu.services.payment.refunds import payment_status_after_cancel, refund_wanted, settle_cancelled
from masu.services.policy import BookingPolicy

MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class BookingView:
    """A booking with its status history (and its payment at the gateway, when loaded)."""

    booking: Booking
    history: list[BookingStatusChange]
    payment: PaymentView | None = None


async def accessible_booking(
    session: AsyncSession, principal: Principal, booking_id: str, *, for_update: bool = False
) -> Booking:
    """The booking if this principal may see it; NotFound otherwise (existence does not leak)."""
    booking = await booking_repository.get_booking(session, booking_id, for_update=for_update)
    if booking is None or not can_access_booking(
        principal, owner_id=booking.user_id, professional_id=booking.professional_id
    ):
        raise NotFound("no such booking")
    return booking


async def view_booking(session: AsyncSession, principal: Principal, booking_id: str) -> BookingView:
    """One booking with its history and payment, for someone allowed to see it."""
    return await full_view(session, await accessible_booking(session, principal, booking_id))


async def history_view(session: AsyncSession, booking: Booking) -> BookingView:
    """A booking with its status history as it stands in this transaction (the answer to moving it)."""
    return BookingView(booking, await booking_repository.status_history(session, booking.id))


async def full_view(session: AsyncSession, booking: Booking) -> BookingView:
    """A booking with its history and its payment at the gateway."""
    history = await booking_repository.status_history(session, booking.id)
    return BookingView(booking, history, await payment_view(session, booking))


async def list_visible_bookings(
    session: AsyncSession, principal: Principal, *, status: str | None, limit: int, cursor: str | None
) -> tuple[list[BookingSummary], str | None]:
    """Customers see their own bookings, professionals those assigned to them, admins all."""
    if principal.is_admin:
        where = BookingFilter(status=status)
    elif principal.has(Role.PROFESSIONAL) and not principal.has(Role.CUSTOMER):
        where = BookingFilter(professional_id=principal.user_id, status=status)
    else:
        where = BookingFilter(owner_id=principal.user_id, status=status)
    return await page_of_bookings(session, where, limit=limit, cursor=cursor)


async def page_of_bookings(
    session: AsyncSession, where: BookingFilter, *, limit: int, cursor: str | None
) -> tuple[list[BookingSummary], str | None]:
    """A page of bookings matching `where`; ValidationFailed for a bad cursor or limit."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationFailed("limit", f"must be between 1 and {MAX_PAGE_SIZE}")
    try:
        return await booking_queries.list_bookings(session, where, limit=limit, cursor=cursor)
    except InvalidCursor as exc:
        raise ValidationFailed("cursor", "not a cursor this server issued") from exc


async def booking_stats(session: AsyncSession, principal: Principal) -> list[StatusTotal]:
    """Counts and totals per status: admins over every booking, everyone else over their own."""
    return await booking_queries.status_totals(
        session, owner_id=None if principal.is_admin else principal.user_id
    )


async def cancel_booking(
    session: AsyncSession,
    *,
    now: datetime,
    policy: BookingPolicy,
    principal: Principal,
    booking_id: str,
    reason: str | None,
    refund: bool | None = None,
) -> Booking:
    """Cancel via the lifecycle (customer until the cut-off, admin until completion); frees the coupon.

    A paid booking's money goes back in full when the customer cancels, and when an admin does unless they
    say otherwise (`refund`; after the cut-off only if they say so); the refund itself runs after commit.
    """
    booking = await accessible_booking(session, principal, booking_id, for_update=True)
    if refund and booking.payment_status != "paid":
        raise Conflict("this booking has no payment to refund", code="nothing_to_refund")
    actor = actor_for_booking(principal, owner_id=booking.user_id, professional_id=booking.professional_id)
    context = _cancel_context(booking, principal, now=now, policy=policy)
    decision = decide(BookingStatus(booking.status), Action.CANCEL, actor, context)
    payment = await payment_repository.payment_of_booking(session, booking.id, for_update=True)
    before_cutoff = now <= booking.booking_date_time - policy.cancellation_cutoff
    gives_back = refund_wanted(actor=actor, refund=refund, before_cutoff=before_cutoff)
    changes: dict[str, object] = {"cancellation_reason": reason, "cancelled_by": actor.value}
    if (payment_status := payment_status_after_cancel(payment, refund=gives_back)) is not None:
        changes["payment_status"] = payment_status
    await apply_decision(
        session,
        booking,
        decision,
        now=now,
        trigger=Trigger(actor, principal.user_id, reason),
        changes=changes,
    )
    settle_cancelled(session, booking=booking, payment=payment, refund=gives_back, now=now)
    await catalogue_repository.release_coupon_use(session, booking.id)
    return booking


def _cancel_context(
    booking: Booking, principal: Principal, *, now: datetime, policy: BookingPolicy
) -> TransitionContext:
    return TransitionContext(
        now=now,
        starts_at=booking.booking_date_time,
        cancellation_cutoff=policy.cancellation_cutoff,
        is_owner=principal.user_id == booking.user_id,
        is_assigned_professional=principal.user_id == booking.professional_id,
        reviews_enabled=policy.reviews_enabled,
    )
