"""Claiming due outbox events, recording each handler's delivery, the dead-letter list, heartbeats."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.models import OutboxDelivery, OutboxEvent, WorkerHeartbeat

PENDING, DONE, DEAD = "pending", "done", "dead"


async def claim_due(session: AsyncSession, *, now: datetime, lease_until: datetime, limit: int) -> list[int]:
    """Lease up to `limit` due events to the caller until `lease_until`; concurrent claimers get others."""
    due = (
        sa.select(OutboxEvent.id)
        .where(OutboxEvent.status == PENDING, OutboxEvent.next_attempt_at <= now)
        .order_by(OutboxEvent.next_attempt_at, OutboxEvent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite's write lock already serialises claimers
    )
    claimed = await session.execute(
        sa.update(OutboxEvent)
        .where(OutboxEvent.id.in_(due.scalar_subquery()))
        .values(next_attempt_at=lease_until, attempts=OutboxEvent.attempts + 1)
        .returning(OutboxEvent.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(claimed.scalars())


async def get_event(session: AsyncSession, event_id: int) -> OutboxEvent | None:
    """The event with this id."""
    return await session.get(OutboxEvent, event_id, populate_existing=True)


async def deliveries_of(session: AsyncSession, event_id: int) -> dict[str, OutboxDelivery]:
    """Each handler's delivery record of an event, by handler name."""
    rows = await session.execute(sa.select(OutboxDelivery).where(OutboxDelivery.event_id == event_id))
    return {row.handler: row for row in rows.scalars()}


async def hold_handler_run(session: AsyncSession, *, event_id: int, handler: str) -> bool:
    """Hold the event until the transaction ends and tell whether the handler's work is still to do.

    On PostgreSQL a worker whose lease ran out may still be running this event: the row lock makes a
    second runner wait for it (and claimers skip the event), and the done check then stops it. SQLite has
    one writer at a time and its setup runs one worker; starting the write transaction here would only
    block handlers that write through a session of their own first (the sandbox gateway does).
    """
    if session.get_bind().dialect.name != "postgresql":
        return True
    await session.execute(sa.select(OutboxEvent.id).where(OutboxEvent.id == event_id).with_for_update())
    status = await session.scalar(
        sa.select(OutboxDelivery.status).where(
            OutboxDelivery.event_id == event_id, OutboxDelivery.handler == handler
        )
    )
    return status != DONE


async def record_done(session: AsyncSession, *, event_id: int, handler: str, now: datetime) -> None:
    """Mark one handler's work on an event as done (in the handler's own transaction)."""
    await _upsert_delivery(
        session, event_id, handler, {"status": DONE, "completed_at": now, "last_error": None}
    )


async def record_failure(
    session: AsyncSession, *, event_id: int, handler: str, error: str, dead: bool
) -> None:
    """Count a failed attempt of one handler; `dead` stops further attempts until an operator retries."""
    await _upsert_delivery(
        session, event_id, handler, {"status": DEAD if dead else PENDING, "last_error": error}
    )


async def finish(
    session: AsyncSession,
    *,
    event_id: int,
    status: str,
    now: datetime,
    retry_at: datetime | None,
    error: str | None,
) -> None:
    """Close an event's pass: done, dead, or pending until `retry_at`."""
    values: dict[str, Any] = {"status": status, "last_error": error}
    if status == DONE:
        values["handled_at"] = now
    if retry_at is not None:
        values["next_attempt_at"] = retry_at
    await session.execute(sa.update(OutboxEvent).where(OutboxEvent.id == event_id).values(**values))


async def list_events(session: AsyncSession, *, dead_only: bool, limit: int) -> list[OutboxEvent]:
    """The newest events, or only the dead-lettered ones."""
    query = sa.select(OutboxEvent).order_by(OutboxEvent.id.desc()).limit(limit)
    if dead_only:
        query = query.where(OutboxEvent.status == DEAD)
    return list((await session.execute(query)).scalars())


async def retry_dead(session: AsyncSession, *, event_id: int, now: datetime) -> bool:
    """Put a dead event and its dead deliveries back in the queue; False if it is not dead."""
    revived = await session.execute(
        sa.update(OutboxEvent)
        .where(OutboxEvent.id == event_id, OutboxEvent.status == DEAD)
        .values(status=PENDING, next_attempt_at=now, attempts=0, last_error=None)
    )
    if getattr(revived, "rowcount", 0) != 1:
        return False
    await session.execute(
        sa.update(OutboxDelivery)
        .where(OutboxDelivery.event_id == event_id, OutboxDelivery.status == DEAD)
        .values(status=PENDING)
    )
    return True


async def beat(
    session: AsyncSession, *, worker_id: str, started_at: datetime, now: datetime, last_pass: dict[str, Any]
) -> None:
    """Record that a worker is alive and what its last pass did."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(WorkerHeartbeat).values(
        worker_id=worker_id, started_at=started_at, last_seen_at=now, last_pass=last_pass
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[WorkerHeartbeat.worker_id], set_={"last_seen_at": now, "last_pass": last_pass}
        )
    )


async def latest_heartbeat(session: AsyncSession) -> WorkerHeartbeat | None:
    """The most recent heartbeat of any worker."""
    query = sa.select(WorkerHeartbeat).order_by(WorkerHeartbeat.last_seen_at.desc()).limit(1)
    return (await session.execute(query)).scalar_one_or_none()


async def _upsert_delivery(
    session: AsyncSession, event_id: int, handler: str, values: dict[str, Any]
) -> None:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(OutboxDelivery).values(event_id=event_id, handler=handler, attempts=1, **values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[OutboxDelivery.event_id, OutboxDelivery.handler],
            set_={**values, "attempts": OutboxDelivery.attempts + 1},
        )
    )
