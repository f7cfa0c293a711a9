"""Gathering what matching needs to know about professionals, in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.matching import BookingNeeds, BusyPeriod, HoursNeeded, ProfessionalFacts, WorkingInterval
from masu.persistence.models import (
    Booking,
    City,
    Offer,
    ProfessionalCity,
    ProfessionalCoverage,
    ProfessionalProfile,
    ProfessionalTreatment,
    User,
    WorkingHours,
)
from masu.persistence.repositories.standing import stats_of

ASSIGNED_STATUSES = ("confirmed", "on_way", "in_treatment")
Ids = Sequence[str] | sa.Select[Any]


async def best_free_professionals(
    session: AsyncSession,
    needs: BookingNeeds,
    *,
    hours: Sequence[HoursNeeded],
    booking_id: str,
    buffer: timedelta,
    exclude: Collection[str],
    limit: int,
) -> list[str]:
    """Ids of the best `limit` professionals covering the city who may take the booking, best first.

    Walks the city's coverage rows in score order (their index) and checks every eligibility rule on the
    way, so the cost follows how far down the list the free professionals are, not how many cover the city.
    """
    pid = ProfessionalCoverage.professional_id
    query = (
        _covering(needs)
        .where(
            *[_works(pid, span) for span in hours],
            ~_busy(pid, needs, booking_id, buffer),
            ~_declined(pid, booking_id),
        )
        .order_by(ProfessionalCoverage.match_score.desc(), pid)
        .limit(limit)
    )
    if exclude:
        query = query.where(pid.not_in(list(exclude)))
    return list((await session.execute(query)).scalars())


async def hours_of_covering(
    session: AsyncSession, needs: BookingNeeds, weekdays: Collection[int]
) -> dict[str, list[WorkingInterval]]:
    """Hours on `weekdays` of everyone who could take such a visit at some time (all rules but time)."""
    query = sa.select(
        WorkingHours.professional_id, WorkingHours.weekday, WorkingHours.start_minute, WorkingHours.end_minute
    ).where(WorkingHours.professional_id.in_(_covering(needs)), WorkingHours.weekday.in_(list(weekdays)))
    hours: defaultdict[str, list[WorkingInterval]] = defaultdict(list)
    for professional_id, weekday, start, end in await session.execute(query):
        hours[professional_id].append(WorkingInterval(weekday, start, end))
    return dict(hours)


async def busy_of_covering(
    session: AsyncSession, needs: BookingNeeds, *, starts: datetime, ends: datetime
) -> dict[str, list[BusyPeriod]]:
    """Assigned visits between `starts` and `ends` of everyone who could take such a visit at some time."""
    query = sa.select(Booking.professional_id, Booking.booking_date_time, Booking.ends_at).where(
        Booking.professional_id.in_(_covering(needs)),
        Booking.status.in_(ASSIGNED_STATUSES),
        Booking.booking_date_time < ends,
        Booking.ends_at > starts,
    )
    busy: defaultdict[str, list[BusyPeriod]] = defaultdict(list)
    for professional_id, visit_starts, visit_ends in await session.execute(query):
        busy[str(professional_id)].append(BusyPeriod(visit_starts, visit_ends))
    return dict(busy)


async def has_visit_near(
    session: AsyncSession, professional_id: str, booking: Booking, buffer: timedelta
) -> bool:
    """Whether the professional holds another assigned visit within `buffer` of the booking's time."""
    nearby = sa.select(Booking.id).where(
        Booking.professional_id == professional_id,
        Booking.status.in_(ASSIGNED_STATUSES),
        Booking.id != booking.id,
        Booking.booking_date_time < booking.ends_at + buffer,
        Booking.ends_at > booking.booking_date_time - buffer,
    )
    return (await session.execute(nearby.limit(1))).first() is not None


def _covering(needs: BookingNeeds) -> sa.Select[Any]:
    """Professionals covering the city who are approved, active, offer the visit and fit the gender asked."""
    pid = ProfessionalCoverage.professional_id
    query = (
        sa.select(pid)
        .join(ProfessionalProfile, ProfessionalProfile.user_id == pid)
        .join(User, User.id == pid)
        .where(
            ProfessionalCoverage.city_id == needs.city_id,
            ProfessionalProfile.status == "approved",
            ProfessionalProfile.is_active.is_(True),
            User.is_active.is_(True),
            _offers(pid, needs),
        )
    )
    if needs.gender_preference != "any":
        query = query.where(User.gender == needs.gender_preference)
    return query


def _offers(pid: Any, needs: BookingNeeds) -> sa.Exists:
    return sa.exists().where(
        ProfessionalTreatment.professional_id == pid,
        ProfessionalTreatment.treatment_id == needs.treatment_id,
        ProfessionalTreatment.duration_minutes == needs.duration_key,
    )


def _works(pid: Any, span: HoursNeeded) -> sa.Exists:
    return sa.exists().where(
        WorkingHours.professional_id == pid,
        WorkingHours.weekday == span.weekday,
        WorkingHours.start_minute <= span.first,
        WorkingHours.end_minute >= span.last,
    )


def _busy(pid: Any, needs: BookingNeeds, booking_id: str, buffer: timedelta) -> sa.Exists:
    return sa.exists().where(
        Booking.professional_id == pid,
        Booking.status.in_(ASSIGNED_STATUSES),
        Booking.id != booking_id,
        Booking.booking_date_time < needs.ends_at + buffer,
        Booking.ends_at > needs.starts_at - buffer,
    )


def _declined(pid: Any, booking_id: str) -> sa.Exists:
    return sa.exists().where(
        Offer.booking_id == booking_id, Offer.professional_id == pid, Offer.response_status == "declined"
    )


def every_professional() -> sa.Select[str]:
    """Ids of every professional, whatever their state (for an admin's full candidate list)."""
    return sa.select(ProfessionalProfile.user_id)


async def professional_facts(
    session: AsyncSession,
    ids: Ids,
    *,
    booking: Booking,
    buffer: timedelta,
) -> list[ProfessionalFacts]:
    """Facts about each professional in `ids` as they bear on `booking`; the record as last stored."""
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
    busy = await _busy_periods(session, ids, booking, buffer)
    declined = await _declined_ids(session, booking.id)
    stats = await stats_of(session, ids)
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
            **_record(stats.get(user.id)),
        )
        for profile, user in people
    ]


async def city_location(session: AsyncSession, city_id: str) -> tuple[float, float]:
    """The coordinates of a city."""
    city = await session.get(City, city_id)
    assert city is not None, "bookings always reference a city"
    return city.latitude, city.longitude


def _record(stats: Any) -> dict[str, Any]:
    """The stored track-record fields of ProfessionalFacts (a newcomer's when nothing is stored)."""
    if stats is None:
        return {}
    return {
        "rating_average": stats.rating_average,
        "rating_count": stats.rating_count,
        "offers_received": stats.offers_received,
        "offers_answered": stats.offers_answered,
        "offers_accepted": stats.offers_accepted,
        "median_response_seconds": stats.median_response_seconds,
        "recent_jobs": stats.recent_jobs,
    }


async def _grouped(session: AsyncSession, query: sa.Executable) -> defaultdict[str, list[tuple[Any, ...]]]:
    grouped: defaultdict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for professional_id, *rest in (await session.execute(query)).all():
        grouped[professional_id].append(tuple(rest))
    return grouped


async def _busy_periods(
    session: AsyncSession, ids: Ids, booking: Booking, buffer: timedelta
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


async def _declined_ids(session: AsyncSession, booking_id: str) -> set[str]:
    rows = await session.execute(
        sa.select(Offer.professional_id).where(
            Offer.booking_id == booking_id, Offer.response_status == "declined"
        )
    )
    return set(rows.scalars())
