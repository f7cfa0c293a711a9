"""Event handlers of payments: requested refunds go through the gateway; a system cancel refunds if paid."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from masu.clock import Clock
from masu.domain.events import BookingCancelled, EventType, PaymentRefundRequested
from masu.domain.lifecycle import Actor
from masu.events.bus import BookingEventBus, Event
from masu.payments.gateway import PaymentGateway
from masu.services.payment.refunds import carry_out_refund, refund_if_paid


def subscribe_refunds(bus: BookingEventBus, gateway: PaymentGateway, clock: Clock) -> None:
    """Carry out requested refunds through the gateway, and refund paid bookings the system cancels."""

    async def refund_through_gateway(session: AsyncSession, event: Event[PaymentRefundRequested]) -> None:
        await carry_out_refund(session, requested=event.payload, gateway=gateway, now=clock.now())

    async def refund_system_cancellation(session: AsyncSession, event: Event[BookingCancelled]) -> None:
        if event.booking_id is not None and event.payload.triggered_by is Actor.SYSTEM:
            await refund_if_paid(session, booking_id=event.booking_id, now=clock.now())

    bus.subscribe(EventType.PAYMENT_REFUND_REQUESTED, "payments.refund", refund_through_gateway)
    bus.subscribe(
        EventType.BOOKING_CANCELLED, "payments.refund_system_cancellation", refund_system_cancellation
    )
