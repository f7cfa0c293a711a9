"""A handler worker processes load via EVENT_HANDLER_PLUGINS in tests; it counts its committed runs."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.events import EventType
from masu.events.bus import BookingEventBus, Event
from masu.persistence.models import Counter

# A type no handler of the system subscribes to, so the workers run this handler alone on the test's rows.
EVENT_TYPE = EventType.REVIEW_REPLIED
PAYLOAD = '{"reviewId": "r", "bookingId": "b", "professionalId": "p", "actorId": "p"}'


async def count_run(session: AsyncSession, event: Event[Any]) -> None:
    """Add one to `run:<event id>` in the handler's transaction: a value above 1 means it ran twice."""
    await asyncio.sleep(0.003)  # slow enough for a kill to land in the middle of a batch
    statement = insert(Counter).values(name=f"run:{event.id}", value=1)
    await session.execute(
        statement.on_conflict_do_update(index_elements=[Counter.name], set_={"value": Counter.value + 1})
    )


def register(bus: BookingEventBus) -> None:
    """Subscribe the counting handler."""
    bus.subscribe(EVENT_TYPE, "count_run", count_run)
