"""Read queries on the event log (the outbox)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.models import OutboxEvent

MAX_EVENTS = 500


async def events_of(session: AsyncSession, *, booking_id: str | None) -> list[OutboxEvent]:
    """Events in the order they were recorded, for one booking or the latest overall."""
    query = sa.select(OutboxEvent)
    if booking_id is not None:
        return list(
            (
                await session.execute(
                    query.where(OutboxEvent.booking_id == booking_id).order_by(OutboxEvent.id)
                )
            ).scalars()
        )
    latest = (await session.execute(query.order_by(OutboxEvent.id.desc()).limit(MAX_EVENTS))).scalars()
    return list(reversed(list(latest)))
