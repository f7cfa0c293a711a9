"""Applying a verified gateway callback: amount-checked, once per gateway event, never on a moved booking."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.lifecycle import Action, Actor, BookingStatus, TransitionContext, decide
from masu.payments.gateway import CallbackNotice, CallbackRejected
from masu.persistence.models import Booking, Payment
from masu.persistence.models.payment import CANCELLED, CREATED, FAILED, PAID
from masu.persistence.repositories import booking as booking_repository
from masu.persistence.repositories import catalogue as catalogue_repository
from masu.persistence.repositories import payment as payment_repository
from masu.services.booking.transitions import Trigger, apply_decision
from masu.services.payment.refunds import FOR_LATE_PAYMENT, request_refund
from masu.services.policy import BookingPolicy

_log = structlog.get_logger(__name__)


class CallbackResult(StrEnum):
    """What a callback did."""

    PAID = "paid"  # the booking moved to pending_professional
    FAILED = "failed"  # the booking was cancelled
    REFUNDING = "refunding"  # money came in for a booking no longer waiting for it: it goes back
    DUPLICATE = "duplicate"  # this gateway event was processed before
    IGNORED = "ignored"  # the payment had already reached an outcome


async def apply_callback(
    session: AsyncSession, *, notice: CallbackNotice, gateway: str, now: datetime, policy: BookingPolicy
) -> CallbackResult:
    """Apply a verified callback; CallbackRejected (nothing written) for an unknown payment or amount."""
    found = await payment_repository.payment_by_reference(
        session, gateway=gateway, reference=notice.reference
    )
    if found is None:
        raise CallbackRejected("no payment has this reference", code="unknown_payment")
    if (notice.amount, notice.currency) != (found.amount, found.currency):
        _log.error(
            "payment_callback_amount_mismatch",
            payment_id=found.id,
            expected=f"{found.amount} {found.currency}",
            received=f"{notice.amount} {notice.currency}",
        )
        raise CallbackRejected("the amount or currency is not the one due", code="amount_mismatch")
    booking = await booking_repository.get_booking(session, found.booking_id, for_update=True)
    payment = await payment_repository.get_payment(session, found.id, for_update=True)
    assert booking is not None
    assert payment is not None
    if not await payment_repository.record_callback(
        session,
        gateway=gateway,
        event_id=notice.event_id,
        payment_id=payment.id,
        outcome=notice.outcome,
        amount=notice.amount,
        currency=notice.currency,
        now=now,
    ):
        return CallbackResult.DUPLICATE
    if notice.outcome == "paid":
        return await _paid(session, booking, payment, now=now, policy=policy)
    return await _failed(session, booking, payment, now=now, policy=policy)


async def _paid(
    session: AsyncSession, booking: Booking, payment: Payment, *, now: datetime, policy: BookingPolicy
) -> CallbackResult:
    if payment.status == CREATED and booking.status == BookingStatus.PENDING_PAYMENT:
        payment.status, payment.paid_at, payment.updated_at = PAID, now, now
        context = TransitionContext(now=now, reviews_enabled=policy.reviews_enabled)
        await apply_decision(
            session,
            booking,
            decide(BookingStatus.PENDING_PAYMENT, Action.PAYMENT_SUCCEEDED, Actor.SYSTEM, context),
            now=now,
            trigger=Trigger(Actor.SYSTEM, None, "payment_received"),
            changes={"payment_status": PAID},
        )
        return CallbackResult.PAID
    if payment.status in {CREATED, CANCELLED, FAILED}:
        # The booking was called off (timeout, cancel) before the money came: the booking stays as it is,
        # and the money goes back in full.
        payment.paid_at = now
        request_refund(session, booking_id=booking.id, payment=payment, reason=FOR_LATE_PAYMENT, now=now)
        return CallbackResult.REFUNDING
    return CallbackResult.IGNORED


async def _failed(
    session: AsyncSession, booking: Booking, payment: Payment, *, now: datetime, policy: BookingPolicy
) -> CallbackResult:
    if payment.status != CREATED:
        return CallbackResult.IGNORED
    payment.status, payment.updated_at = FAILED, now
    if booking.status != BookingStatus.PENDING_PAYMENT:
        return CallbackResult.IGNORED
    context = TransitionContext(now=now, reviews_enabled=policy.reviews_enabled)
    await apply_decision(
        session,
        booking,
        decide(BookingStatus.PENDING_PAYMENT, Action.PAYMENT_FAILED, Actor.SYSTEM, context),
        now=now,
        trigger=Trigger(Actor.SYSTEM, None, "payment_failed"),
        changes={"payment_status": FAILED, "cancellation_reason": "payment_failed", "cancelled_by": "system"},
    )
    await catalogue_repository.release_coupon_use(session, booking.id)
    return CallbackResult.FAILED
