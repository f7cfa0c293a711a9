"""A professional's track record from reviews, offers and jobs, in a fixed number of queries."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.standing import ProfessionalRecord
from masu.persistence.models import Booking, Offer, Review

STATS_WINDOW = timedelta(days=90)
RECENT_JOBS_WINDOW = timedelta(days=30)
_ANSWERED = ("accepted", "declined")
# Offers a professional could have answered; a withdrawn one went to someone else first.
_RECEIVED = ("accepted", "declined", "expired")


async def track_records(
    session: AsyncSession, ids: Sequence[str], now: datetime
) -> dict[str, ProfessionalRecord]:
    """The record of each professional in `ids` as of `now`; a newcomer's for those with no history."""
    ratings = await _ratings(session, ids)
    offers = await _offer_counts(session, ids, now)
    medians = await _median_response_seconds(session, ids, now)
    jobs = await _recent_jobs(session, ids, now)
    records = {}
    for pid in ids:
        average, count = ratings.get(pid, (None, 0))
        received, answered, accepted = offers.get(pid, (0, 0, 0))
        records[pid] = ProfessionalRecord(
            rating_average=average,
            rating_count=count,
            offers_received=received,
            offers_answered=answered,
            offers_accepted=accepted,
            median_response_seconds=medians.get(pid),
            recent_jobs=jobs.get(pid, 0),
        )
    return records


async def _ratings(session: AsyncSession, ids: Sequence[str]) -> dict[str, tuple[float, int]]:
    rows = await session.execute(
        sa.select(Review.professional_id, sa.func.avg(Review.rating), sa.func.count())
        .where(Review.professional_id.in_(ids), Review.is_hidden.is_(False))
        .group_by(Review.professional_id)
    )
    return {pid: (float(avg), int(n)) for pid, avg, n in rows.all()}


async def _offer_counts(
    session: AsyncSession, ids: Sequence[str], now: datetime
) -> dict[str, tuple[int, int, int]]:
    """Offers received, answered and accepted in the last 90 days."""
    rows = await session.execute(
        sa.select(
            Offer.professional_id,
            sa.func.count(),
            sa.func.count().filter(Offer.response_status.in_(_ANSWERED)),
            sa.func.count().filter(Offer.response_status == "accepted"),
        )
        .where(
            Offer.professional_id.in_(ids),
            Offer.created_at >= now - STATS_WINDOW,
            Offer.response_status.in_(_RECEIVED),
        )
        .group_by(Offer.professional_id)
    )
    return {pid: (int(r), int(a), int(c)) for pid, r, a, c in rows.all()}


async def _median_response_seconds(
    session: AsyncSession, ids: Sequence[str], now: datetime
) -> dict[str, float]:
    answered = sa.and_(
        Offer.professional_id.in_(ids),
        Offer.created_at >= now - STATS_WINDOW,
        Offer.response_status.in_(_ANSWERED),
        Offer.response_at.is_not(None),
        Offer.notified_at.is_not(None),
    )
    if session.get_bind().dialect.name == "postgresql":
        seconds = sa.func.extract("epoch", Offer.response_at - Offer.notified_at)
        median = sa.func.percentile_cont(0.5).within_group(seconds)
        rows: Any = await session.execute(
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


async def _recent_jobs(session: AsyncSession, ids: Sequence[str], now: datetime) -> dict[str, int]:
    rows = await session.execute(
        sa.select(Booking.professional_id, sa.func.count())
        .where(Booking.professional_id.in_(ids), Booking.confirmed_at >= now - RECENT_JOBS_WINDOW)
        .group_by(Booking.professional_id)
    )
    return {str(pid): int(n) for pid, n in rows.all()}
