"""The times a customer may book: slots of a day at which at least one professional could take the visit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.availability import open_visits
from masu.domain.errors import ValidationFailed
from masu.domain.matching import TRAVEL_BUFFER, BookingNeeds, hours_needed
from masu.domain.pricing import BUSINESS_TZ, PricingType, base_price_for
from masu.persistence.queries import matching as matching_queries
from masu.persistence.repositories import catalogue as catalogue_repository
from masu.services.catalogue.pricing_inputs import treatment_pricing
from masu.services.policy import BookingPolicy

SLOT_STEP = timedelta(minutes=30)
# Visits start between these local times; nobody is sent to a home in the small hours.
FIRST_START, LAST_START = time(7, 0), time(22, 0)
# A hypothetical booking has no id: no existing booking or offer matches this one.
NO_BOOKING = ""
NOT_A_START_TIME = "visits start on the hour or at half past, from 07:00 to 22:00 Israel time"
NOBODY_FREE = "no professional is free to take this visit at this time; please choose another time"


@dataclass(frozen=True, slots=True)
class SlotQuery:
    """A visit the customer is considering, before any address or recipient."""

    treatment_id: str
    duration_minutes: int | None
    city_id: str
    day: date
    gender_preference: str = "any"


async def open_slots(
    session: AsyncSession, *, now: datetime, policy: BookingPolicy, query: SlotQuery
) -> list[datetime]:
    """Start times on the local `day`, within the booking window, at which someone could be eligible.

    Two queries fetch everyone who could take such a visit at some time (every rule but time) with their
    hours that day and their assigned visits around it; the domain then judges each start by the rules
    dispatch applies, so a time shown is one at which dispatch would find someone (`slot_is_open` asks the
    dispatch query itself for one start). Raises ValidationFailed for an unknown treatment, duration or city.
    """
    visit = await _visit(session, query)
    visits = [visit.at(start) for start in candidate_starts(query.day, now=now, policy=policy)]
    if not visits:
        return []
    weekdays = {span.weekday for needs in visits for span in hours_needed(needs) or ()}
    hours = await matching_queries.hours_of_covering(session, visits[0], weekdays)
    busy = await matching_queries.busy_of_covering(
        session,
        visits[0],
        starts=visits[0].starts_at - TRAVEL_BUFFER,
        ends=visits[-1].ends_at + TRAVEL_BUFFER,
    )
    return [needs.starts_at for needs in open_visits(visits, hours, busy, buffer=TRAVEL_BUFFER)]


async def slot_is_open(
    session: AsyncSession, *, now: datetime, policy: BookingPolicy, query: SlotQuery, starts_at: datetime
) -> bool:
    """Whether `starts_at` is one of the day's open slots (one query, not the whole day's)."""
    return await slot_refusal(session, now=now, policy=policy, query=query, starts_at=starts_at) is None


async def slot_refusal(
    session: AsyncSession, *, now: datetime, policy: BookingPolicy, query: SlotQuery, starts_at: datetime
) -> ValidationFailed | None:
    """Why `starts_at` is not one of the day's open slots, as the error on `bookingDateTime`; None if open.

    This is the one rule for the times a visit may start: the wizard offers exactly these, and creating a
    booking refuses the rest. Raises ValidationFailed for an unknown treatment, duration or city.
    """
    if starts_at not in candidate_starts(query.day, now=now, policy=policy):
        return ValidationFailed("bookingDateTime", NOT_A_START_TIME, code="not_a_start_time")
    visit = await _visit(session, query)
    if not await _someone_free(session, visit.at(starts_at)):
        return ValidationFailed("bookingDateTime", NOBODY_FREE, code="no_professional_available")
    return None


def candidate_starts(day: date, *, now: datetime, policy: BookingPolicy) -> list[datetime]:
    """Every SLOT_STEP of the local `day` from FIRST_START to LAST_START that the booking window allows."""
    earliest, latest = now + policy.min_lead, now + policy.max_horizon
    start = datetime.combine(day, FIRST_START, tzinfo=BUSINESS_TZ)
    last = datetime.combine(day, LAST_START, tzinfo=BUSINESS_TZ)
    starts = []
    while start <= last:
        if earliest <= start <= latest:
            starts.append(start)
        start += SLOT_STEP
    return starts


@dataclass(frozen=True, slots=True)
class _Visit:
    """A visit with everything but its start: what matching needs to judge any slot of the day."""

    query: SlotQuery
    minutes: int
    duration_key: int
    city_location: tuple[float, float]

    def at(self, starts_at: datetime) -> BookingNeeds:
        """What a professional must offer, cover and be free for if the visit starts at `starts_at`."""
        return BookingNeeds(
            treatment_id=self.query.treatment_id,
            duration_key=self.duration_key,
            city_id=self.query.city_id,
            city_location=self.city_location,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=self.minutes),
            gender_preference=self.query.gender_preference,
        )


async def _visit(session: AsyncSession, query: SlotQuery) -> _Visit:
    """The visit asked about; raises ValidationFailed for an unknown treatment, duration or city."""
    minutes, duration_key = await _visit_length(session, query)
    city = await catalogue_repository.get_city(session, query.city_id)
    if city is None or not city.is_active:
        raise ValidationFailed("city", "we do not serve this city yet")
    return _Visit(query, minutes, duration_key, (city.latitude, city.longitude))


async def _visit_length(session: AsyncSession, query: SlotQuery) -> tuple[int, int]:
    """(minutes of the visit, the duration key professionals offer it under); raises for unknown ones."""
    treatment = await catalogue_repository.get_treatment(session, query.treatment_id)
    if treatment is None or not treatment.is_active:
        raise ValidationFailed("treatmentId", "no such treatment is offered")
    durations = await catalogue_repository.durations_of(session, [treatment.id], active_only=True)
    pricing = treatment_pricing(treatment, durations)
    minutes, _, _ = base_price_for(pricing, query.duration_minutes)
    # Professionals offer fixed-price treatments without a duration (stored as 0).
    return minutes, 0 if pricing.pricing_type == PricingType.FIXED else minutes


async def _someone_free(session: AsyncSession, needs: BookingNeeds) -> bool:
    spans = hours_needed(needs)
    if spans is None:
        return False
    found = await matching_queries.best_free_professionals(
        session, needs, hours=spans, booking_id=NO_BOOKING, buffer=TRAVEL_BUFFER, exclude=(), limit=1
    )
    return bool(found)
