"""Admins stepping in: assign by hand, unassign, dispatch now, and a bonus to attract professionals."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.access import Principal
from masu.domain.errors import Conflict, ValidationFailed
from masu.domain.events import BookingBonusAdded, OfferWithdrawn
from masu.domain.lifecycle import Action, Actor, BookingStatus, TransitionContext, decide
from masu.events.outbox import append_event
from masu.persistence.models import Booking
from masu.persistence.repositories import offer as offer_repository
from masu.persistence.repositories import user as user_repository
from masu.services.booking.access import BookingView, accessible_booking, history_view
from masu.services.booking.transitions import Trigger, apply_decision
from masu.services.dispatch.matching import evaluate_one
from masu.services.dispatch.waves import (
    WaveResult,
    announce_offer,
    default_pay_changes,
    dispatch_wave,
    pay_changes_for,
)
from masu.services.policy import BookingPolicy


async def assign(
    session: AsyncSession,
    *,
    principal: Principal,
    booking_id: str,
    professional_id: str,
    force: bool,
    now: datetime,
    policy: BookingPolicy,
) -> BookingView:
    """Give the booking to a professional; an ineligible one only with `force`, which the history records."""
    booking = await accessible_booking(session, principal, booking_id, for_update=True)
    # The professional's lock after the booking's, as accepting takes them: their busy time is then settled.
    await user_repository.lock_user(session, professional_id)
    evaluation = await evaluate_one(session, booking, professional_id)
    if evaluation is None:
        raise ValidationFailed("professionalId", "no such professional")
    reasons = ", ".join(r.value for r in evaluation.reasons)
    if not evaluation.eligible and not force:
        raise ValidationFailed(
            "professionalId", f"not eligible ({reasons}); send force: true to assign anyway"
        )
    decision = decide(_status(booking), Action.ASSIGN, Actor.ADMIN, _context(now, policy))
    note = f"forced despite: {reasons}" if not evaluation.eligible else None
    await apply_decision(
        session,
        booking,
        decision,
        now=now,
        trigger=Trigger(Actor.ADMIN, principal.user_id, note),
        changes={
            "professional_id": professional_id,
            "needs_attention": False,
            **await pay_changes_for(session, booking, professional_id),
        },
    )
    for withdrawn in await offer_repository.withdraw_pending(session, booking.id, now):
        announce_offer(session, OfferWithdrawn, withdrawn, now)  # they hear the booking is taken
    return await history_view(session, booking)


async def unassign(
    session: AsyncSession,
    *,
    principal: Principal,
    booking_id: str,
    reason: str | None,
    now: datetime,
    policy: BookingPolicy,
) -> BookingView:
    """Take the booking back from its professional (their offer withdrawn); it is dispatched again."""
    booking = await accessible_booking(session, principal, booking_id, for_update=True)
    previous = booking.professional_id
    decision = decide(_status(booking), Action.UNASSIGN, Actor.ADMIN, _context(now, policy))
    await apply_decision(
        session,
        booking,
        decision,
        now=now,
        trigger=Trigger(Actor.ADMIN, principal.user_id, reason),
        changes={"professional_id": None, **await default_pay_changes(session, booking)},
    )
    await offer_repository.withdraw_accepted(session, booking.id, previous, now)
    return await history_view(session, booking)


async def dispatch_now(
    session: AsyncSession,
    *,
    principal: Principal,
    booking_id: str,
    everyone_suitable: bool,
    now: datetime,
    policy: BookingPolicy,
) -> WaveResult:
    """Offer the booking now: the next wave, or every suitable professional not yet asked."""
    booking = await accessible_booking(session, principal, booking_id)
    if booking.status != BookingStatus.PENDING_PROFESSIONAL:
        raise Conflict(f"a booking that is {booking.status} is not being dispatched", code="not_dispatchable")
    return await dispatch_wave(
        session,
        booking_id=booking.id,
        now=now,
        policy=policy,
        even_if_open=True,
        size=10_000 if everyone_suitable else None,
    )


async def add_bonus(
    session: AsyncSession,
    *,
    principal: Principal,
    booking_id: str,
    amount: int,
    now: datetime,
    policy: BookingPolicy,
) -> BookingView:
    """Raise the professional pay by `amount` and offer the booking again to all who have not declined."""
    booking = await accessible_booking(session, principal, booking_id, for_update=True)
    if booking.status != BookingStatus.PENDING_PROFESSIONAL:
        raise Conflict("a bonus is for a booking still looking for a professional", code="not_dispatchable")
    booking.payment_bonus += amount
    booking.total_professional_payment += amount
    booking.company_fee = booking.final_amount - booking.total_professional_payment
    booking.updated_at = now
    bonus = BookingBonusAdded(booking_id=booking.id, amount=amount, admin_id=principal.user_id)
    append_event(session, bonus, now=now)
    await session.flush()
    await dispatch_wave(
        session,
        booking_id=booking.id,
        now=now,
        policy=policy,
        even_if_open=True,
        fresh_round=True,
        size=10_000,
    )
    return await history_view(session, booking)


def _status(booking: Booking) -> BookingStatus:
    return BookingStatus(booking.status)


def _context(now: datetime, policy: BookingPolicy) -> TransitionContext:
    return TransitionContext(now=now, reviews_enabled=policy.reviews_enabled)
