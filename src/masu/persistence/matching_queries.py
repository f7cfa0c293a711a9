"""Gathering what matching needs to know about professionals, in a fixed number of queries."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.matching import BusyPeriod, ProfessionalFacts, WorkingInterval
from masu.persistence.bookings import Booking, Offer
from masu.persistence.catalogue import City
from masu.persistence.reviews import Review
from masu.persistence.users import (
    ProfessionalCity,
    ProfessionalProfile,
    ProfessionalTreatment,
    User,
    WorkingHours,
)

ASSIGNED_STATUSES = ("confirmed", "on_way", "in_treatment")
STATS_WINDOW = timedelta(days=90)
RECENT_JOBS_WINDOW = timedelta(days=30)


def dispatchable_professionals(*, treatment_id: str, duration_key: int, city_id: str) -> sa.Select[str]:
    """Ids of approved, active professionals offering the treatment who may cover the city.

    Covering is by the city list or, for those with a service radius, by distance, which the domain checks
    exactly; the query only keeps the database from handing over professionals who cannot qualify.
    """
    covers_city = sa.exists().where(
        ProfessionalCity.professional_id == ProfessionalProfile.user_id, ProfessionalCity.city_id == city_id
    )
    has_radius = sa.and_(
        ProfessionalProfile.service_radius_km.is_not(None), ProfessionalProfile.base_latitude.is_not(None)
    )
    return (
        sa.select(ProfessionalProfile.user_id)
        .join(User, User.id == ProfessionalProfile.user_id)
        .join(ProfessionalTreatment, ProfessionalTreatment.professional_id == ProfessionalProfile.user_id)
        .where(
            ProfessionalProfile.status == "approved",
            ProfessionalProfile.is_active.is_(True),
            User.is_active.is_(True),
            ProfessionalTreatment.treatment_id == treatment_id,
            ProfessionalTreatment.duration_minutes == duration_key,
            sa.or_(covers_city, has_radius),
        )
    )


def every_professional() -> sa.Select[str]:
    """Ids of every professional, whatever their state (for an admin's full candidate list)."""
    return sa.select(ProfessionalProfile.user_id)


async def professional_facts(
    session: AsyncSession,
    candidates: sa.Select[str],
    *,
    booking: Booking,
    now: datetime,
    buffer: timedelta,
) -> list[ProfessionalFacts]:
    """Facts about each professional in `candidates` as they bear on `booking`."""
    ids = candidates.scalar_subquery()
    people = (
        await session.execute(
            sa.select(ProfessionalProfile, User)
            .join(User, User.id == ProfessionalProfile.user_id)
            .where(ProfessionalProfile.user_id.in_(ids))
        )
    ).all()
    offers = await _grouped(
        session,
        sa.select(
            ProfessionalTreatment.professional_id,
            ProfessionalTreatment.treatment_id,
            ProfessionalTreatment.duration_minutes,
        ).where(ProfessionalTreatment.professional_id.in_(ids)),
    )
    cities = await _grouped(
        session,
        sa.select(ProfessionalCity.professional_id, ProfessionalCity.city_id).where(
            ProfessionalCity.professional_id.in_(ids)
        ),
    )
    hours = await _grouped(
        session,
        sa.select(
            WorkingHours.professional_id,
            WorkingHours.weekday,
            WorkingHours.start_minute,
            WorkingHours.end_minute,
        ).where(WorkingHours.professional_id.in_(ids)),
    )
    busy = await _busy(session, ids, booking, buffer)
    declined = await _declined(session, booking.id)
    ratings = await _ratings(session, ids)
    stats = await _offer_stats(session, ids, now)
    jobs = await _recent_jobs(session, ids, now)
    return [
        ProfessionalFacts(
            professional_id=user.id,
            name=user.name,
            approved=profile.status == "approved",
            active=profile.is_active and user.is_active,
            gender=user.gender,
            offers=frozenset((t, d) for t, d in offers[user.id]),
            city_ids=frozenset(c for (c,) in cities[user.id]),
            base=(profile.base_latitude, profile.base_longitude)
            if profile.base_latitude is not None and profile.base_longitude is not None
            else None,
            service_radius_km=profile.service_radius_km,
            hours=tuple(WorkingInterval(w, s, e) for w, s, e in hours[user.id]),
            busy=tuple(busy[user.id]),
            declined=user.id in declined,
            rating_average=ratings.get(user.id, (None, 0))[0],
            rating_count=ratings.get(user.id, (None, 0))[1],
            **stats.get(user.id, {}),
            recent_jobs=jobs.get(user.id, 0),
        )
        for profile, user in people
    ]


async def city_location(session: AsyncSession, city_id: str) -> tuple[float, float]:
    """The coordinates of a city."""
    city = await session.get(City, city_id)
    assert city is not None, "bookings always reference a city"
    return city.latitude, city.longitude


async def _grouped(session: AsyncSession, query: sa.Executable) -> defaultdict[str, list[tuple[Any, ...]]]:
    grouped: defaultdict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for professional_id, *rest in (await session.execute(query)).all():
        grouped[professional_id].append(tuple(rest))
    return grouped


async def _busy(
    session: AsyncSession, ids: Any, booking: Booking, buffer: timedelta
) -> defaultdict[str, list[BusyPeriod]]:
    rows = await session.execute(
        sa.select(Booking.professional_id, Booking.booking_date_time, Booking.ends_at).where(
            Booking.professional_id.in_(ids),
            Booking.status.in_(ASSIGNED_STATUSES),
            Booking.id != booking.id,
            Booking.booking_date_time < booking.ends_at + buffer,
            Booking.ends_at > booking.booking_date_time - buffer,
        )
    )
    busy: defaultdict[str, list[BusyPeriod]] = defaultdict(list)
    for professional_id, starts_at, ends_at in rows.all():
        busy[str(professional_id)].append(BusyPeriod(starts_at, ends_at))
    return busy


async def _declined(session: AsyncSession, booking_id: str) -> set[str]:
    rows = await session.execute(
        sa.select(Offer.professional_id).where(
            Offer.booking_id == booking_id, Offer.response_status == "declined"
        )
    )
    return set(rows.scalars())


async def _ratings(session: AsyncSession, ids: Any) -> dict[str, tuple[float, int]]:
    rows = await session.execute(
        sa.select(Review.professional_id, sa.func.avg(Review.rating), sa.func.count())
        .where(Review.professional_id.in_(ids), Review.is_hidden.is_(False))
        .group_by(Review.professional_id)
    )
    return {pid: (float(avg), int(n)) for pid, avg, n in rows.all()}


async def _offer_stats(session: AsyncSession, ids: Any, now: datetime) -> dict[str, dict[str, Any]]:
    """Offers received, answered and accepted in the last 90 days, and the median time to answer."""
    answered = Offer.response_status.in_(("accepted", "declined"))
    rows = await session.execute(
        sa.select(
            Offer.professional_id,
            sa.func.count(),
            sa.func.count().filter(answered),
            sa.func.count().filter(Offer.response_status == "accepted"),
        )
        .where(Offer.professional_id.in_(ids), Offer.created_at >= now - STATS_WINDOW)
        .group_by(Offer.professional_id)
    )
    stats: dict[str, dict[str, Any]] = {
        pid: {"offers_received": int(r), "offers_answered": int(a), "offers_accepted": int(c)}
        for pid, r, a, c in rows.all()
    }
    for pid, median in (await _median_response_seconds(session, ids, now)).items():
        stats.setdefault(pid, {})["median_response_seconds"] = median
    return stats


async def _median_response_seconds(session: AsyncSession, ids: Any, now: datetime) -> dict[str, float]:
    answered = sa.and_(
        Offer.professional_id.in_(ids),
        Offer.created_at >= now - STATS_WINDOW,
        Offer.response_status.in_(("accepted", "declined")),
        Offer.response_at.is_not(None),
        Offer.notified_at.is_not(None),
    )
    if session.get_bind().dialect.name == "postgresql":
        seconds = sa.func.extract("epoch", Offer.response_at - Offer.notified_at)
        median = sa.func.percentile_cont(0.5).within_group(seconds)
        rows = await session.execute(
            sa.select(Offer.professional_id, median).where(answered).group_by(Offer.professional_id)
        )
        return {pid: float(value) for pid, value in rows.all()}
    # SQLite has no percentile function; the embedded setup is small enough to take the median here.
    rows = await session.execute(
        sa.select(Offer.professional_id, Offer.notified_at, Offer.response_at).where(answered)
    )
    durations: defaultdict[str, list[float]] = defaultdict(list)
    for pid, notified_at, response_at in rows.all():
        durations[pid].append((response_at - notified_at).total_seconds())
    return {pid: statistics.median(values) for pid, values in durations.items()}


async def _recent_jobs(session: AsyncSession, ids: Any, now: datetime) -> dict[str, int]:
    rows = await session.execute(
        sa.select(Booking.professional_id, sa.func.count())
        .where(Booking.professional_id.in_(ids), Booking.confirmed_at >= now - RECENT_JOBS_WINDOW)
        .group_by(Booking.professional_id)
    )
    return {str(pid): int(n) for pid, n in rows.all()}
