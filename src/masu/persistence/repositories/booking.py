"""Writes and lookups on bookings and their history (reads for lists live in booking_queries)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.models import Booking, BookingStatusChange, Counter

BOOKING_NUMBER_COUNTER = "booking_number"


async def next_booking_sequence(session: AsyncSession) -> int:
    """Return the next booking number sequence value; unique across concurrent transactions."""
    if session.get_bind().dialect.name == "postgresql":
        return int((await session.execute(sa.text("SELECT nextval('booking_number_seq')"))).scalar_one())
    await session.execute(
        sqlite_insert(Counter).values(name=BOOKING_NUMBER_COUNTER, value=0).on_conflict_do_nothing()
    )
    bumped = await session.execute(
        sa.update(Counter)
        .where(Counter.name == BOOKING_NUMBER_COUNTER)
        .values(value=Counter.value + 1)
        .returning(Counter.value)
    )
    return int(bumped.scalar_one())


async def newest_creation_times(
    session: AsyncSession, user_id: str, *, after: datetime, limit: int
) -> list[datetime]:
    """Creation times of the user's `limit` newest bookings created after `after`, newest first."""
    rows = await session.execute(
        sa.select(Booking.created_at)
        .where(Booking.user_id == user_id, Booking.created_at > after)
        .order_by(Booking.created_at.desc())
        .limit(limit)
    )
    return list(rows.scalars())


async def get_booking(session: AsyncSession, booking_id: str, *, for_update: bool = False) -> Booking | None:
    """Return the booking with this id, optionally locking its row until commit."""
    query = sa.select(Booking).where(Booking.id == booking_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def update_status_if(
    session: AsyncSession, booking_id: str, *, expected: str, values: dict[str, Any]
) -> bool:
    """Write `values` only if the booking is still in `expected`; False when someone got there first."""
    result = await session.execute(
        sa.update(Booking)
        .where(Booking.id == booking_id, Booking.status == expected)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def status_history(session: AsyncSession, booking_id: str) -> list[BookingStatusChange]:
    """The booking's status changes in the order they happened."""
    rows = await session.execute(
        sa.select(BookingStatusChange)
        .where(BookingStatusChange.booking_id == booking_id)
        .order_by(BookingStatusChange.id)
    )
    return list(rows.scalars())
