"""Refunds: decided in the cancelling transaction, carried out through the gateway by an outbox handler.

The cancel commits first with the payment marked `refund_pending` and a `payment.refund_requested` event;
the handler then calls the gateway (with an idempotency key, so a retried call refunds once) and records
the result, moving the booking `cancelled` → `refunded`. A customer's cancel therefore never waits on, or
fails because of, the gateway: an outage only delays the refund, which is retried with backoff and
dead-lettered where admins see it; a refusal marks the refund failed and flags the booking for an admin.
"""

from __future__ import annotations

from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.events import PaymentRefunded, PaymentRefundFailed, PaymentRefundRequested
from masu.domain.lifecycle import Action, Actor, BookingStatus, TransitionContext, decide
from masu.events.outbox import append_event
from masu.payments.gateway import GatewayRefused, PaymentGateway, RefundReceipt, RefundRequest
from masu.persistence.models import Booking, Payment
from masu.persistence.models.payment import CANCELLED, CREATED, PAID, REFUND_FAILED, REFUND_PENDING, REFUNDED
from masu.persistence.repositories import booking as booking_repository
from masu.persistence.repositories import payment as payment_repository
from masu.services.booking.transitions import Trigger, apply_decision

# Why money goes back: the booking was cancelled after it was paid, or money came in after it was called off.
FOR_CANCELLATION = "cancelled"
FOR_LATE_PAYMENT = "late_payment"
_log = structlog.get_logger(__name__)


def refund_wanted(*, actor: Actor, refund: bool | None, before_cutoff: bool) -> bool:
    """Whether a cancel gives the money back: an admin's explicit choice, else in full before the cut-off.

    Customers can only cancel before the cut-off, so theirs always refunds in full.
    """
    if actor is Actor.CUSTOMER:
        return True
    if refund is not None:
        return refund
    return before_cutoff


def payment_status_after_cancel(payment: Payment | None, *, refund: bool) -> str | None:
    """The booking's payment status once cancelled (None: unchanged, as for pay-later bookings)."""
    if payment is None:
        return None
    if payment.status == CREATED:
        return CANCELLED
    if payment.status == PAID and refund:
        return REFUND_PENDING
    return None


def settle_cancelled(
    session: AsyncSession, *, booking: Booking, payment: Payment | None, refund: bool, now: datetime
) -> None:
    """After the cancel: call off an unpaid payment, or ask for the full refund of a paid one."""
    if payment is None:
        return
    if payment.status == CREATED:
        payment.status, payment.updated_at = CANCELLED, now
    elif payment.status == PAID and refund:
        request_refund(session, booking_id=booking.id, payment=payment, reason=FOR_CANCELLATION, now=now)


def request_refund(
    session: AsyncSession, *, booking_id: str, payment: Payment, reason: str, now: datetime
) -> None:
    """Mark the full amount to go back; append `payment.refund_requested` (its handler calls the gateway)."""
    payment.status, payment.updated_at = REFUND_PENDING, now
    payment.refund_amount, payment.refund_reason = payment.amount, reason
    requested = PaymentRefundRequested(
        payment_id=payment.id,
        booking_id=booking_id,
        gateway=payment.gateway,
        reference=payment.reference,
        refund_amount=payment.amount,
        currency=payment.currency,
        reason=reason,
    )
    append_event(session, requested, now=now)


async def refund_if_paid(session: AsyncSession, *, booking_id: str, now: datetime) -> bool:
    """Ask for the full refund of a cancelled booking that was paid (e.g. nobody could take it)."""
    found = await payment_repository.payment_of_booking(session, booking_id)
    if found is None or found.status != PAID:
        return False  # most cancellations: nothing was paid, so nothing to lock
    booking = await booking_repository.get_booking(session, booking_id, for_update=True)
    payment = await payment_repository.payment_of_booking(session, booking_id, for_update=True)
    if booking is None or payment is None or payment.status != PAID:
        return False
    if booking.status != BookingStatus.CANCELLED:
        return False
    request_refund(session, booking_id=booking.id, payment=payment, reason=FOR_CANCELLATION, now=now)
    booking.payment_status = REFUND_PENDING
    return True


async def carry_out_refund(
    session: AsyncSession, *, requested: PaymentRefundRequested, gateway: PaymentGateway, now: datetime
) -> None:
    """Refund through the gateway before touching the database, then record the result.

    GatewayUnavailable propagates so the dispatcher retries later; a refusal is recorded for an admin.
    """
    payment_id = requested.payment_id
    if requested.gateway != gateway.name or not requested.reference:
        await _record_refusal(session, payment_id, "the payment's gateway is not the one configured", now)
        return
    request = RefundRequest(
        reference=requested.reference,
        amount=requested.refund_amount,
        idempotency_key=f"refund-{payment_id}",
    )
    try:
        receipt = await gateway.refund(request)
    except GatewayRefused as refused:
        await _record_refusal(session, payment_id, str(refused), now)
        return
    await _record_refund(session, payment_id, receipt, now)


async def _locked(session: AsyncSession, payment_id: str) -> tuple[Booking, Payment] | None:
    """The payment and its booking, locked booking first; None unless a refund is still pending."""
    payment = await payment_repository.get_payment(session, payment_id)
    if payment is None:
        return None
    booking = await booking_repository.get_booking(session, payment.booking_id, for_update=True)
    payment = await payment_repository.get_payment(session, payment_id, for_update=True)
    if booking is None or payment is None or payment.status != REFUND_PENDING:
        return None
    return booking, payment


async def _record_refund(
    session: AsyncSession, payment_id: str, receipt: RefundReceipt, now: datetime
) -> None:
    locked = await _locked(session, payment_id)
    if locked is None:
        return  # recorded by an earlier delivery of the same event
    booking, payment = locked
    payment.status, payment.updated_at, payment.refunded_at = REFUNDED, now, now
    payment.refund_reference, payment.refund_amount = receipt.reference, receipt.amount
    # Money that came in after the booking was called off goes back without touching the booking.
    if payment.refund_reason == FOR_CANCELLATION and booking.status == BookingStatus.CANCELLED:
        decision = decide(BookingStatus.CANCELLED, Action.REFUND, Actor.SYSTEM, TransitionContext(now=now))
        await apply_decision(
            session,
            booking,
            decision,
            now=now,
            trigger=Trigger(Actor.SYSTEM, None, "refund"),
            changes={"payment_status": REFUNDED},
        )
    elif payment.refund_reason == FOR_CANCELLATION:
        booking.payment_status = REFUNDED
    refunded = PaymentRefunded(
        payment_id=payment.id,
        booking_id=booking.id,
        booking_number=booking.booking_number,
        refund_amount=payment.refund_amount,
        reason=payment.refund_reason,
        refund_reference=receipt.reference,
    )
    append_event(session, refunded, now=now)


async def _record_refusal(session: AsyncSession, payment_id: str, reason: str, now: datetime) -> None:
    locked = await _locked(session, payment_id)
    if locked is None:
        return
    booking, payment = locked
    _log.error("refund_refused", payment_id=payment_id, booking_id=booking.id, reason=reason)
    payment.status, payment.updated_at, payment.last_error = REFUND_FAILED, now, reason[:500]
    booking.needs_attention = True  # an admin has to return the money by other means
    if payment.refund_reason == FOR_CANCELLATION:
        booking.payment_status = REFUND_FAILED
    refused = PaymentRefundFailed(
        payment_id=payment.id,
        booking_id=booking.id,
        booking_number=booking.booking_number,
        refund_amount=payment.refund_amount,
        reason=payment.refund_reason,
        error=reason[:500],
    )
    append_event(session, refused, now=now)
