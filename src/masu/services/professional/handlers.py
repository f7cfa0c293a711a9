"""Event handlers that refresh a professional's standing when their track record changes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from masu.clock import Clock
from masu.domain.events import BookingStatusChanged, EventType, OfferEvent, ReviewEvent
from masu.events.bus import BookingEventBus, Event
from masu.services.professional.standing import refresh_standing

# Answers and expiries change responsiveness; assignments change fairness; reviews change the rating.
OFFER_ANSWERED = (EventType.OFFER_ACCEPTED, EventType.OFFER_DECLINED, EventType.OFFER_EXPIRED)
JOB_CHANGED = (
    EventType.BOOKING_CONFIRMED,
    EventType.BOOKING_UNASSIGNED,
    EventType.BOOKING_WITHDRAWN,
    EventType.BOOKING_REVIEWED,
    EventType.REVIEW_HIDDEN,
    EventType.REVIEW_UNHIDDEN,
)
TrackRecordEvent = OfferEvent | BookingStatusChanged | ReviewEvent


def subscribe_standing(bus: BookingEventBus, clock: Clock) -> None:
    """Keep standings current: each event refreshes the professionals it concerns."""

    async def refresh_professionals(session: AsyncSession, event: Event[TrackRecordEvent]) -> None:
        await refresh_standing(session, sorted(concerned(event.payload)), now=clock.now())

    for event_type in OFFER_ANSWERED + JOB_CHANGED:
        bus.subscribe(event_type, "standing.refresh", refresh_professionals)


def concerned(event: TrackRecordEvent) -> set[str]:
    """The professionals whose track record the event changes: the one it names, and one taken off it."""
    ids = {event.professional_id}
    if isinstance(event, BookingStatusChanged):
        ids.add(event.previous_professional_id)
    return {pid for pid in ids if pid is not None}
