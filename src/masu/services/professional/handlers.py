"""Event handlers that refresh a professional's standing when their track record changes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from masu.clock import Clock
from masu.events.bus import BookingEventBus, Event
from masu.services.professional.standing import refresh_standing

# Answers and expiries change responsiveness; assignments change fairness; reviews change the rating.
OFFER_ANSWERED = ("offer.accepted", "offer.declined", "offer.expired")
JOB_CHANGED = (
    "booking.confirmed",
    "booking.unassigned",
    "booking.withdrawn",
    "booking.reviewed",
    "review.hidden",
    "review.unhidden",
)


def subscribe_standing(bus: BookingEventBus, clock: Clock) -> None:
    """Keep standings current: each event refreshes the professionals it concerns."""

    async def refresh_professionals(session: AsyncSession, event: Event) -> None:
        concerned = {event.payload.get(key) for key in ("professionalId", "previousProfessionalId")} - {None}
        await refresh_standing(session, sorted(str(pid) for pid in concerned), now=clock.now())

    for event_type in OFFER_ANSWERED + JOB_CHANGED:
        bus.subscribe(event_type, "standing.refresh", refresh_professionals)
