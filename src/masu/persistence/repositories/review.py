"""Writes and lookups on reviews and on bookings' review cycles."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.models import Booking, Review, ReviewCycle


async def get_review(session: AsyncSession, review_id: str) -> Review | None:
    """The review with this id."""
    return await session.get(Review, review_id, populate_existing=True)


async def review_of_booking(session: AsyncSession, booking_id: str) -> Review | None:
    """The review of a booking, if it has one."""
    query = sa.select(Review).where(Review.booking_id == booking_id)
    return (await session.execute(query)).scalar_one_or_none()


async def reply_if_none(session: AsyncSession, review_id: str, *, reply: str, now: datetime) -> bool:
    """Store the professional's reply unless one is already there; False when it was (atomic)."""
    result = await session.execute(
        sa.update(Review)
        .where(Review.id == review_id, Review.professional_reply.is_(None))
        .values(professional_reply=reply, replied_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def set_hidden_if_not(session: AsyncSession, review_id: str, *, hidden: bool) -> bool:
    """Hide or show a review; False when it already was so (atomic, so one change is announced once)."""
    result = await session.execute(
        sa.update(Review)
        .where(Review.id == review_id, Review.is_hidden.is_not(hidden))
        .values(is_hidden=hidden)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def lock_booking_unless_busy(session: AsyncSession, booking_id: str) -> Booking | None:
    """Lock the booking unless another transaction holds it (then None: a later pass gets to it)."""
    query = (
        sa.select(Booking)
        .where(Booking.id == booking_id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def cycle_of(session: AsyncSession, booking_id: str) -> ReviewCycle | None:
    """The booking's review cycle as stored now (callers hold the booking's lock)."""
    return await session.get(ReviewCycle, booking_id, populate_existing=True)


async def due_cycles(session: AsyncSession, now: datetime, limit: int) -> list[str]:
    """Bookings whose next review step is due at `now`, earliest first (index range scan)."""
    rows = await session.execute(
        sa.select(ReviewCycle.booking_id)
        .where(ReviewCycle.next_step_at <= now)
        .order_by(ReviewCycle.next_step_at)
        .limit(limit)
    )
    return list(rows.scalars())


async def save_cycle(session: AsyncSession, booking_id: str, *, step: str, due_at: datetime) -> None:
    """Set the booking's next review step and when it falls due (creating the cycle if needed)."""
    cycle = await cycle_of(session, booking_id)
    if cycle is None:
        session.add(ReviewCycle(booking_id=booking_id, next_step=step, next_step_at=due_at))
    else:
        cycle.next_step, cycle.next_step_at = step, due_at
    await session.flush()


async def end_cycle(session: AsyncSession, booking_id: str) -> None:
    """Forget the booking's review cycle: nothing more is due for it."""
    await session.execute(sa.delete(ReviewCycle).where(ReviewCycle.booking_id == booking_id))
