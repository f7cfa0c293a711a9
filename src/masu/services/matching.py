"""Ranking professionals for a booking, with the reason behind every exclusion."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.matching import TRAVEL_BUFFER, BookingNeeds, Evaluation, rank
from masu.persistence import catalogue_repository, matching_queries
from masu.persistence.bookings import Booking


async def needs_of(session: AsyncSession, booking: Booking) -> BookingNeeds:
    """What a professional must offer, cover and be free for to take this booking."""
    treatment = await catalogue_repository.get_treatment(session, booking.treatment_id)
    assert treatment is not None, "bookings always reference a treatment"
    return BookingNeeds(
        treatment_id=booking.treatment_id,
        # Professionals offer fixed-price treatments without a duration (stored as 0).
        duration_key=0 if treatment.pricing_type == "fixed" else booking.duration_minutes,
        city_id=booking.city_id,
        city_location=await matching_queries.city_location(session, booking.city_id),
        starts_at=booking.booking_date_time,
        ends_at=booking.ends_at,
        gender_preference=booking.therapist_gender_preference,
    )


async def ranked_candidates(
    session: AsyncSession, booking: Booking, *, now: datetime, everyone: bool = False
) -> list[Evaluation]:
    """Eligible professionals best first, then the excluded with reasons; `everyone` skips the prefilter."""
    needs = await needs_of(session, booking)
    candidates = (
        matching_queries.every_professional()
        if everyone
        else matching_queries.dispatchable_professionals(
            treatment_id=needs.treatment_id, duration_key=needs.duration_key, city_id=needs.city_id
        )
    )
    facts = await matching_queries.professional_facts(
        session, candidates, booking=booking, now=now, buffer=TRAVEL_BUFFER
    )
    return rank(facts, needs)
