"""Read queries for a professional's own work: the visits assigned to them and the ones they completed."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.models import Booking


async def assigned_bookings(
    session: AsyncSession, professional_id: str, statuses: Collection[str], *, limit: int = 100
) -> list[Booking]:
    """The professional's bookings in `statuses`, soonest visit first."""
    query = (
        sa.select(Booking)
        .where(Booking.professional_id == professional_id, Booking.status.in_(list(statuses)))
        .order_by(Booking.booking_date_time, Booking.id)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def bookings_done_since(
    session: AsyncSession,
    professional_id: str,
    statuses: Collection[str],
    since: datetime,
    *,
    limit: int = 1000,
) -> list[Booking]:
    """The professional's bookings in `statuses` whose visit is at or after `since`, latest first."""
    query = (
        sa.select(Booking)
        .where(
            Booking.professional_id == professional_id,
            Booking.status.in_(list(statuses)),
            Booking.booking_date_time >= since,
        )
        .order_by(Booking.booking_date_time.desc(), Booking.id)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())
