"""Payments of bookings: what is due at creation, the checkout's state, and unpaid bookings timing out.

No gateway is called while a booking is created: the booking records what it owes and answers at once with
a pay URL of ours; the gateway's hosted payment is opened when the customer follows it (outside any
business transaction), so a slow or failing gateway never slows or fails a booking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.lifecycle import Action, Actor, BookingStatus, TransitionContext, decide
from masu.payments.gateway import CURRENCY, HostedPayment, PaymentRequest
from masu.persistence.base import new_id
from masu.persistence.models import Booking, Payment
from masu.persistence.models.payment import CANCELLED, CREATED, REFUND_FAILED, REFUND_PENDING, REFUNDED
from masu.persistence.repositories import booking as booking_repository
from masu.persistence.repositories import catalogue as catalogue_repository
from masu.persistence.repositories import payment as payment_repository
from masu.persistence.repositories import user as user_repository
from masu.services.booking.transitions import Trigger, apply_decision
from masu.services.policy import BookingPolicy

UNPAID_PER_PASS = 200
_REFUND_STATUSES = frozenset({REFUND_PENDING, REFUNDED, REFUND_FAILED})


@dataclass(frozen=True, slots=True)
class PaymentView:
    """The `payment` of a booking as its owner sees it; `checkout_id` is set while it can still be paid."""

    status: str
    amount: int
    checkout_id: str | None = None
    expires_at: datetime | None = None
    refund_amount: int | None = None


@dataclass(frozen=True, slots=True)
class Checkout:
    """What the pay page needs: the payment, its booking, and the gateway session if one is open."""

    payment_id: str
    payment: PaymentView
    gateway: str
    booking_id: str
    booking_number: str
    amount: int
    currency: str
    language: str
    checkout_url: str | None

    @property
    def payable(self) -> bool:
        """True while the customer may still pay."""
        return self.payment.checkout_id is not None


def start_payment(
    session: AsyncSession, *, booking: Booking, policy: BookingPolicy, now: datetime
) -> Payment:
    """Record what a new booking owes at the gateway, due within PAYMENT_TIMEOUT_MINUTES (no gateway call)."""
    return payment_repository.add_payment(
        session,
        Payment(
            id=new_id(),  # now, not at flush: the answer carries it as the checkout id
            booking_id=booking.id,
            gateway=policy.payment_gateway,
            amount=booking.final_amount,
            currency=CURRENCY,
            status=CREATED,
            created_at=now,
            updated_at=now,
            expires_at=now + policy.payment_timeout,
        ),
    )


def view_of(payment: Payment, *, booking_status: str) -> PaymentView:
    """The wire-level view of a payment row."""
    payable = payment.status == CREATED and booking_status == BookingStatus.PENDING_PAYMENT
    return PaymentView(
        status="pending" if payment.status == CREATED else payment.status,
        amount=payment.amount,
        checkout_id=payment.id if payable else None,
        expires_at=payment.expires_at if payable else None,
        refund_amount=payment.refund_amount if payment.status in _REFUND_STATUSES else None,
    )


async def payment_view(session: AsyncSession, booking: Booking) -> PaymentView | None:
    """The booking's payment at the gateway; None when none was due there (pay later, or nothing to pay)."""
    payment = await payment_repository.payment_of_booking(session, booking.id)
    return view_of(payment, booking_status=booking.status) if payment is not None else None


async def checkout_for(session: AsyncSession, *, payment_id: str) -> Checkout | None:
    """The pay page's state for a checkout id; None when there is no such payment."""
    payment = await payment_repository.get_payment(session, payment_id)
    if payment is None:
        return None
    booking = await booking_repository.get_booking(session, payment.booking_id)
    assert booking is not None
    owner = await user_repository.get_user(session, booking.user_id)
    return Checkout(
        payment_id=payment.id,
        payment=view_of(payment, booking_status=booking.status),
        gateway=payment.gateway,
        booking_id=booking.id,
        booking_number=booking.booking_number,
        amount=payment.amount,
        currency=payment.currency,
        language=owner.language if owner is not None else "he",
        checkout_url=payment.checkout_url,
    )


def payment_request(checkout: Checkout, *, return_url: str, callback_url: str) -> PaymentRequest:
    """What to ask the gateway for; keyed by the payment, so asking twice opens one hosted payment."""
    return PaymentRequest(
        amount=checkout.amount,
        currency=checkout.currency,
        order_id=checkout.booking_number,
        description=f"Masu booking {checkout.booking_number}",
        idempotency_key=f"payment-{checkout.payment_id}",
        return_url=return_url,
        callback_url=callback_url,
    )


async def attach_checkout(
    session: AsyncSession, *, payment_id: str, hosted: HostedPayment, now: datetime
) -> str:
    """Keep the gateway's hosted payment on the payment (first one wins) and answer its page's URL."""
    if await payment_repository.attach_checkout(
        session, payment_id=payment_id, reference=hosted.reference, checkout_url=hosted.url, now=now
    ):
        return hosted.url
    payment = await payment_repository.get_payment(session, payment_id)
    assert payment is not None
    assert payment.checkout_url is not None
    return payment.checkout_url


async def cancel_unpaid_bookings(
    session: AsyncSession, *, now: datetime, policy: BookingPolicy, limit: int = UNPAID_PER_PASS
) -> int:
    """Cancel bookings not paid by their deadline (reason `payment_timeout`); a later payment is refunded."""
    cancelled = 0
    for booking_id in await payment_repository.due_unpaid(session, now=now, limit=limit):
        # Booking first, then payment: the order every payment path locks in, so none can deadlock.
        booking = await booking_repository.get_booking(session, booking_id, for_update=True)
        payment = await payment_repository.payment_of_booking(session, booking_id, for_update=True)
        if booking is None or payment is None or payment.status != CREATED or payment.expires_at > now:
            continue  # paid or called off meanwhile
        payment.status, payment.updated_at = CANCELLED, now
        if booking.status != BookingStatus.PENDING_PAYMENT:
            continue
        decision = decide(
            BookingStatus.PENDING_PAYMENT, Action.CANCEL, Actor.SYSTEM, TransitionContext(now=now)
        )
        await apply_decision(
            session,
            booking,
            decision,
            now=now,
            trigger=Trigger(Actor.SYSTEM, None, "payment_timeout"),
            changes={
                "cancellation_reason": "payment_timeout",
                "cancelled_by": "system",
                "payment_status": CANCELLED,
            },
        )
        await catalogue_repository.release_coupon_use(session, booking.id)
        cancelled += 1
    return cancelled
