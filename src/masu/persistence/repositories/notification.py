"""Notification rows: claiming due ones as leases, recording each delivery's outcome, the admin's list."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.base import new_id
from masu.persistence.models import Notification, User

QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
HELD_BACK = "held_back"  # not sent: the number had its day's share (see services.notifications)
CANCELLED, SKIPPED = "cancelled", "skipped"
_DUE_STATUSES = (QUEUED, SENDING)


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(Notification.status.in_(_DUE_STATUSES), Notification.next_attempt_at <= now)


async def claim_due(
    session: AsyncSession, *, now: datetime, lease_until: datetime, channels: Collection[str], limit: int
) -> list[Notification]:
    """Lease up to `limit` due rows of the channels to the caller (status sending until `lease_until`).

    Concurrent claimers get other rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's write lock
    serialises claimers). A row found still `sending` lost its lease (its worker died, maybe mid-call): that
    counts as an attempt, so a message that kills its worker cannot be retried forever.
    """
    if not channels:
        return []
    due = (
        sa.select(Notification.id)
        .where(_due(now), Notification.channel.in_(channels))
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    lost_lease = sa.case((Notification.status == SENDING, 1), else_=0)
    claimed = await session.execute(
        sa.update(Notification)
        .where(Notification.id.in_(due.scalar_subquery()))
        .values(status=SENDING, next_attempt_at=lease_until, attempts=Notification.attempts + lost_lease)
        .returning(Notification)
        .execution_options(synchronize_session=False)
    )
    return sorted(claimed.scalars(), key=lambda row: (row.created_at, row.id))


async def hold_due(session: AsyncSession, *, channel: str, now: datetime, until: datetime) -> int:
    """Move every due row of a channel to `until` without counting an attempt (its provider is down).

    Rows another worker has locked are left to it (SKIP LOCKED), so two workers holding at once never wait
    on each other's locks.
    """
    due = (
        sa.select(Notification.id)
        .where(_due(now), Notification.channel == channel)
        .with_for_update(skip_locked=True)
    )
    held = await session.execute(
        sa.update(Notification)
        .where(Notification.id.in_(due.scalar_subquery()))
        .values(status=QUEUED, next_attempt_at=until)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(held, "rowcount", 0) or 0)


async def finish(session: AsyncSession, *, lease: Notification, status: str, **values: Any) -> bool:
    """Record the outcome of a leased row; False when the lease was lost to another worker meanwhile.

    The lease's end time is the fencing token: a worker that re-claimed the row leased it until another time.
    """
    finished = await session.execute(
        sa.update(Notification)
        .where(
            Notification.id == lease.id,
            Notification.status == SENDING,
            Notification.next_attempt_at == lease.next_attempt_at,
        )
        .values(status=status, **values)
        .execution_options(synchronize_session=False)
    )
    return getattr(finished, "rowcount", 0) == 1


async def fallback_email_of(session: AsyncSession, user_id: str) -> str | None:
    """The user's email address when they have one and accept email."""
    query = sa.select(User.email).where(User.id == user_id, User.notify_by_email.is_(True))
    return (await session.execute(query)).scalar_one_or_none()


async def add(session: AsyncSession, **values: Any) -> bool:
    """Queue a message; False (and nothing added) when its idempotency key is taken already."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(Notification).values(id=values.pop("id", None) or new_id(), **values)
    added = await session.execute(
        statement.on_conflict_do_nothing(index_elements=[Notification.idempotency_key])
    )
    return getattr(added, "rowcount", 0) == 1


async def list_for_admin(
    session: AsyncSession, *, booking_id: str | None, recipient: str | None, limit: int
) -> list[Notification]:
    """The newest messages first, optionally of one booking and/or to one recipient."""
    query = sa.select(Notification).order_by(Notification.created_at.desc(), Notification.id.desc())
    if booking_id is not None:
        query = query.where(Notification.booking_id == booking_id)
    if recipient is not None:
        query = query.where(Notification.recipient == recipient)
    return list((await session.execute(query.limit(limit))).scalars())


async def get(session: AsyncSession, notification_id: str) -> Notification | None:
    """The row as stored now."""
    return await session.get(Notification, notification_id, populate_existing=True)


async def cancel_queued(session: AsyncSession, *, booking_id: str, template: str) -> int:
    """Cancel the booking's still-queued messages of one template; how many."""
    result = await session.execute(
        sa.update(Notification)
        .where(
            Notification.booking_id == booking_id,
            Notification.template == template,
            Notification.status == QUEUED,
        )
        .values(status=CANCELLED)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def lock_recipient(session: AsyncSession, address: str) -> None:
    """Serialise queueing to one address until commit, so a count of its messages stays true (PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(f"recipient:{address}")))
        )


async def count_sms_due_between(
    session: AsyncSession, *, address: str, start: datetime, end: datetime, excluding: str
) -> int:
    """SMS to `address` due in [start, end) and not held back, besides those of the `excluding` template."""
    query = sa.select(sa.func.count()).where(
        Notification.recipient == address,
        Notification.next_attempt_at >= start,
        Notification.next_attempt_at < end,
        Notification.channel == "sms",
        Notification.status != HELD_BACK,
        Notification.template != excluding,
    )
    return int((await session.execute(query)).scalar_one())
