"""What the admins' system-health page shows beyond /health: workers, outbox, bookings, response times."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.lifecycle import BookingStatus
from masu.persistence.queries import booking as booking_queries
from masu.persistence.queries import operations as operations_queries
from masu.services.operations.health import STALE_AFTER_SECONDS

RESPONSE_WINDOW = timedelta(days=7)
# Bookings still moving through the lifecycle; the finished ones only grow and say nothing about now.
ACTIVE_STATUSES = (
    BookingStatus.PENDING_PAYMENT,
    BookingStatus.PENDING_PROFESSIONAL,
    BookingStatus.CONFIRMED,
    BookingStatus.ON_WAY,
    BookingStatus.IN_TREATMENT,
    BookingStatus.PENDING_REVIEW,
)


@dataclass(frozen=True, slots=True)
class WorkerState:
    """One worker's last heartbeat and what its last pass did."""

    worker_id: str
    started_at: datetime
    last_seen_at: datetime
    age_seconds: float
    fresh: bool
    last_pass: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SystemStatus:
    """The background work and the bookings as of `now`."""

    workers: list[WorkerState]
    outbox_lag_seconds: float | None
    dead_letters: int
    active_bookings: dict[str, int]
    median_response_seconds: float | None
    responses_counted: int


async def system_status(session: AsyncSession, now: datetime) -> SystemStatus:
    """Read the workers' heartbeats, the outbox backlog, active bookings and last week's response times."""
    beats = await operations_queries.heartbeats(session)
    oldest = await operations_queries.oldest_pending_event_at(session)
    dead = await operations_queries.dead_letter_count(session)
    totals = await booking_queries.status_totals(session, owner_id=None)
    delays = await operations_queries.response_delays(session, since=now - RESPONSE_WINDOW)
    counts = {total.status: total.count for total in totals}
    return SystemStatus(
        workers=[
            _worker(beat.worker_id, beat.started_at, beat.last_seen_at, beat.last_pass, now) for beat in beats
        ],
        outbox_lag_seconds=max(0.0, (now - oldest).total_seconds()) if oldest else None,
        dead_letters=dead,
        active_bookings={status.value: counts.get(status.value, 0) for status in ACTIVE_STATUSES},
        median_response_seconds=statistics.median(delays) if delays else None,
        responses_counted=len(delays),
    )


def _worker(
    worker_id: str, started_at: datetime, last_seen_at: datetime, last_pass: dict[str, Any], now: datetime
) -> WorkerState:
    age = (now - last_seen_at).total_seconds()
    return WorkerState(worker_id, started_at, last_seen_at, age, age <= STALE_AFTER_SECONDS, dict(last_pass))
