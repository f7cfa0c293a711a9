"""Read queries for the operations view: workers, outbox backlog, dead letters, response times."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.models import Offer, OutboxEvent, WorkerHeartbeat
from masu.persistence.repositories.outbox import DEAD, PENDING

MAX_HEARTBEATS = 20
MAX_RESPONSES = 10_000  # enough for a median; bounds the rows read however busy the week was
ANSWERED = ("accepted", "declined")


async def heartbeats(session: AsyncSession) -> list[WorkerHeartbeat]:
    """The workers' heartbeats, most recently seen first."""
    query = sa.select(WorkerHeartbeat).order_by(WorkerHeartbeat.last_seen_at.desc()).limit(MAX_HEARTBEATS)
    return list((await session.execute(query)).scalars())


async def oldest_pending_event_at(session: AsyncSession) -> datetime | None:
    """When the oldest event still waiting for delivery occurred; None when the outbox is drained."""
    query = sa.select(sa.func.min(OutboxEvent.occurred_at)).where(OutboxEvent.status == PENDING)
    return (await session.execute(query)).scalar_one_or_none()


async def dead_letter_count(session: AsyncSession) -> int:
    """How many events gave up after their last attempt."""
    query = sa.select(sa.func.count()).select_from(OutboxEvent).where(OutboxEvent.status == DEAD)
    return int((await session.execute(query)).scalar_one())


async def response_delays(session: AsyncSession, *, since: datetime) -> list[float]:
    """Seconds from offer to answer for the offers answered since `since` (at most MAX_RESPONSES)."""
    query = (
        sa.select(sa.func.coalesce(Offer.notified_at, Offer.created_at), Offer.response_at)
        .where(Offer.response_status.in_(ANSWERED), Offer.response_at >= since)
        .order_by(Offer.response_at.desc())
        .limit(MAX_RESPONSES)
    )
    rows = (await session.execute(query)).all()
    return [(answered - offered).total_seconds() for offered, answered in rows if answered and offered]
