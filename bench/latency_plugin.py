"""The recording handler of bench/dispatch_latency.py, loaded by `masu worker` through EVENT_HANDLER_PLUGINS.

The bench starts each worker with `PYTHONPATH=bench` and `EVENT_HANDLER_PLUGINS=latency_plugin:register`.
"""

from __future__ import annotations

import os
import time

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.events import EventType, ReviewReplied
from masu.events.bus import BookingEventBus, Event

# A type no handler of the system subscribes to, so the workers run the recording handler alone.
EVENT_TYPE = EventType.REVIEW_REPLIED
HANDLER_NAME = "bench_record_start"
TABLE = "bench_handler_starts"
CREATE_TABLE_SQL = f"""
CREATE UNLOGGED TABLE {TABLE} (
    event_id bigint NOT NULL,
    started_at double precision NOT NULL,
    pid integer NOT NULL
)
"""
_INSERT = sa.text(f"INSERT INTO {TABLE} (event_id, started_at, pid) VALUES (:event_id, :started_at, :pid)")


async def record_start(session: AsyncSession, event: Event[ReviewReplied]) -> None:
    """Store when this handler started, in the handler's own transaction (the dispatcher commits it)."""
    # Wall clock, read first: the producer stamps its COMMIT with time.time() too, on the same machine.
    started_at = time.time()
    await session.execute(_INSERT, {"event_id": event.id, "started_at": started_at, "pid": os.getpid()})


def register(bus: BookingEventBus) -> None:
    """Subscribe the recording handler to the bench's event type."""
    bus.subscribe(EVENT_TYPE, HANDLER_NAME, record_start)


def ping(seq: int) -> ReviewReplied:
    """The bench's event number `seq` (no booking or review behind it: the outbox has no foreign keys)."""
    return ReviewReplied(
        review_id=f"bench-{seq}", booking_id="bench", professional_id="bench", actor_id="bench"
    )
