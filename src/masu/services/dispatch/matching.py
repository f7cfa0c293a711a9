"""Ranking professionals for a booking, with the reason behind every exclusion."""

from __future__ import annotations

from collections.abc import Collection

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.matching import TRAVEL_BUFFER, BookingNeeds, Evaluation, evaluate, hours_needed, rank
from masu.persistence.models import Booking
from masu.persistence.queries import matching as matching_queries
from masu.persistence.repositories import catalogue as catalogue_repository

_log = structlog.get_logger(__name__)


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


async def next_candidates(
    session: AsyncSession, booking: Booking, *, exclude: Collection[str], size: int
) -> list[Evaluation]:
    """The best `size` professionals free to take the booking, other than `exclude`, best first.

    The database picks and orders them (eligibility and stored score); the domain then judges each one
    again from the full facts, so a professional reaches an offer only if matching itself finds them
    eligible.
    """
    needs = await needs_of(session, booking)
    spans = hours_needed(needs)
    if spans is None or size <= 0:
        return []
    ids = await matching_queries.best_free_professionals(
        session,
        needs,
        hours=spans,
        booking_id=booking.id,
        buffer=TRAVEL_BUFFER,
        exclude=exclude,
        limit=size,
    )
    if not ids:
        return []
    facts = await matching_queries.professional_facts(session, ids, booking=booking, buffer=TRAVEL_BUFFER)
    judged = {f.professional_id: evaluate(f, needs) for f in facts}
    evaluations = [judged[pid] for pid in ids if pid in judged and judged[pid].eligible]
    if len(evaluations) != len(ids):  # the query and the domain disagree: a bug worth hearing about
        _log.warning("matching_query_disagrees", booking_id=booking.id, picked=ids)
    return evaluations


async def ranked_candidates(session: AsyncSession, booking: Booking) -> list[Evaluation]:
    """Every professional judged against the booking: the eligible best first, then the rest with reasons."""
    needs = await needs_of(session, booking)
    facts = await matching_queries.professional_facts(
        session, matching_queries.every_professional(), booking=booking, buffer=TRAVEL_BUFFER
    )
    return rank(facts, needs)


async def evaluate_one(session: AsyncSession, booking: Booking, professional_id: str) -> Evaluation | None:
    """One professional judged against the booking; None when there is no such professional."""
    needs = await needs_of(session, booking)
    facts = await matching_queries.professional_facts(
        session, [professional_id], booking=booking, buffer=TRAVEL_BUFFER
    )
    return evaluate(facts[0], needs) if facts else None
