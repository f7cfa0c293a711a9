"""A handler loaded through EVENT_HANDLER_PLUGINS that fails while a marker file exists (dead-letter tests).

The marker's path comes from MASU_TEST_FLAKY_MARKER; while the file is there the handler raises, so with
OUTBOX_MAX_ATTEMPTS=1 its event is dead-lettered at once. Each successful run adds a `flaky:<event id>`
counter row in the handler's transaction, so a test can see that the replayed event was handled.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.events import BookingCreated, EventType
from masu.events.bus import BookingEventBus, Event
from masu.persistence.models import Counter

MARKER_ENV = "MASU_TEST_FLAKY_MARKER"
EVENT_TYPE = EventType.BOOKING_CREATED
HANDLER = "test.flaky_audit"


class Broken(RuntimeError):
    """The failure the handler reports while its marker exists."""


async def flaky_audit(session: AsyncSession, event: Event[BookingCreated]) -> None:
    """Fail while the marker file exists; otherwise record the run."""
    if _broken():
        raise Broken("the audit store is unreachable")
    session.add(Counter(name=f"flaky:{event.id}", value=1))


def _broken() -> bool:
    """True while the marker file named by MASU_TEST_FLAKY_MARKER exists."""
    marker = os.environ.get(MARKER_ENV)
    return bool(marker) and Path(str(marker)).exists()


def register(bus: BookingEventBus) -> None:
    """Subscribe the flaky handler to new bookings."""
    bus.subscribe(EVENT_TYPE, HANDLER, flaky_audit)
