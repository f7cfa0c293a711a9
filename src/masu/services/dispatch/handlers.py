"""Event handlers that keep dispatch moving: a booking needing a professional, an offer closing."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from masu.clock import Clock
from masu.domain.events import DomainEvent, EventType
from masu.events.bus import BookingEventBus, Event
from masu.services.dispatch.waves import dispatch_wave
from masu.services.policy import BookingPolicy

NEEDS_PROFESSIONAL = (
    EventType.BOOKING_CREATED,
    EventType.BOOKING_PAID,
    EventType.BOOKING_UNASSIGNED,
    EventType.BOOKING_WITHDRAWN,
)
OFFER_CLOSED = (EventType.OFFER_DECLINED, EventType.OFFER_EXPIRED)


def subscribe_dispatch(bus: BookingEventBus, policy: BookingPolicy, clock: Clock) -> None:
    """Offer bookings automatically; with ENABLE_PROFESSIONAL_MATCHING off, admins dispatch by hand."""

    async def offer_next_wave(session: AsyncSession, event: Event[DomainEvent]) -> None:
        if policy.matching_enabled and event.booking_id is not None:
            await dispatch_wave(session, booking_id=event.booking_id, now=clock.now(), policy=policy)

    for event_type in NEEDS_PROFESSIONAL + OFFER_CLOSED:
        bus.subscribe(event_type, "dispatch.next_wave", offer_next_wave)
