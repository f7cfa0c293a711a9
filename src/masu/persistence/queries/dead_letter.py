"""The dead letters as operators read them, and the signal that wakes the dispatchers after a replay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.models import Booking, OutboxDelivery, OutboxEvent
from masu.persistence.repositories.outbox import DEAD

# The channel the outbox trigger notifies on insert (migration 0008) and the worker listens to.
WAKE_CHANNEL = "masu_outbox"


@dataclass(frozen=True, slots=True)
class DeadHandler:
    """One handler that gave up on the event: its name, attempts and last error."""

    name: str
    attempts: int
    last_error: str | None


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A dead-lettered event with its booking's number and the handlers that gave up on it."""

    event_id: int
    event_type: str
    booking_id: str | None
    booking_number: str | None
    occurred_at: datetime
    attempts: int
    last_error: str | None
    handlers: list[DeadHandler]


async def newest_dead_letters(session: AsyncSession, *, limit: int) -> list[DeadLetter]:
    """The newest dead-lettered events (by id), with booking numbers and dead handlers: two queries."""
    rows = (
        await session.execute(
            sa.select(OutboxEvent, Booking.booking_number)
            .outerjoin(Booking, Booking.id == OutboxEvent.booking_id)
            .where(OutboxEvent.status == DEAD)
            .order_by(OutboxEvent.id.desc())
            .limit(limit)
        )
    ).all()
    handlers = await _dead_handlers(session, [event.id for event, _ in rows])
    return [
        DeadLetter(
            event_id=event.id,
            event_type=event.event_type,
            booking_id=event.booking_id,
            booking_number=number,
            occurred_at=event.occurred_at,
            attempts=event.attempts,
            last_error=event.last_error,
            handlers=handlers.get(event.id, []),
        )
        for event, number in rows
    ]


async def _dead_handlers(session: AsyncSession, event_ids: list[int]) -> dict[int, list[DeadHandler]]:
    """The dead deliveries of these events, by event id, handlers in name order."""
    if not event_ids:
        return {}
    deliveries = await session.execute(
        sa.select(OutboxDelivery)
        .where(OutboxDelivery.event_id.in_(event_ids), OutboxDelivery.status == DEAD)
        .order_by(OutboxDelivery.event_id, OutboxDelivery.handler)
    )
    found: dict[int, list[DeadHandler]] = {}
    for row in deliveries.scalars():
        found.setdefault(row.event_id, []).append(DeadHandler(row.handler, row.attempts, row.last_error))
    return found


async def wake_dispatchers(session: AsyncSession) -> None:
    """Notify listening dispatchers when the transaction commits (PostgreSQL; elsewhere they poll)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(sa.select(sa.func.pg_notify(WAKE_CHANNEL, "")))
