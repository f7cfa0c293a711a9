"""Claiming, completing and releasing `Idempotency-Key`s."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.models import IdempotencyRecord


async def try_claim(
    session: AsyncSession, *, user_id: str, key: str, fingerprint: str, now: datetime, locked_until: datetime
) -> bool:
    """Insert the key as in progress; False when the user already used it (atomic)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(IdempotencyRecord)
        .values(
            user_id=user_id,
            key=key,
            request_fingerprint=fingerprint,
            created_at=now,
            locked_until=locked_until,
        )
        .on_conflict_do_nothing()
        .returning(IdempotencyRecord.key)
    )
    return (await session.execute(statement)).first() is not None


async def get_record(session: AsyncSession, *, user_id: str, key: str) -> IdempotencyRecord | None:
    """The stored record of a key."""
    return await session.get(IdempotencyRecord, (user_id, key), populate_existing=True)


async def take_over_stale(
    session: AsyncSession, *, user_id: str, key: str, now: datetime, locked_until: datetime
) -> bool:
    """Re-claim a key whose request died without an answer; False if another request holds it."""
    result = await session.execute(
        sa.update(IdempotencyRecord)
        .where(
            IdempotencyRecord.user_id == user_id,
            IdempotencyRecord.key == key,
            IdempotencyRecord.response_status.is_(None),
            IdempotencyRecord.locked_until < now,
        )
        .values(locked_until=locked_until)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def store_response(session: AsyncSession, *, user_id: str, key: str, status: int, body: str) -> None:
    """Keep the answer to replay it; runs in the business transaction so both commit together."""
    await session.execute(
        sa.update(IdempotencyRecord)
        .where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
        .values(response_status=status, response_body=body, locked_until=None)
    )


async def release(session: AsyncSession, *, user_id: str, key: str) -> None:
    """Forget an unanswered key so the client may retry the request with it."""
    await session.execute(
        sa.delete(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id,
            IdempotencyRecord.key == key,
            IdempotencyRecord.response_status.is_(None),
        )
    )
