"""Event handlers of the review cycle: a treatment completed into pending_review asks for its review."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from masu.clock import Clock
from masu.domain.events import BookingTreatmentCompleted, EventType
from masu.domain.reviews import ReviewSchedule
from masu.events.bus import BookingEventBus, Event
from masu.services.review.cycle import request_review


def subscribe_review_cycle(bus: BookingEventBus, clock: Clock, schedule: ReviewSchedule) -> None:
    """Ask for a review when a treatment completes into pending_review (handler `reviews.request`)."""

    async def send_request(session: AsyncSession, event: Event[BookingTreatmentCompleted]) -> None:
        if event.booking_id is not None:
            await request_review(session, booking_id=event.booking_id, now=clock.now(), schedule=schedule)

    # Only bookings completed while reviews were on reach pending_review; one that did is seen through its
    # cycle even if reviews were switched off since, so no booking is stranded there.
    bus.subscribe(EventType.BOOKING_TREATMENT_COMPLETED, "reviews.request", send_request)
