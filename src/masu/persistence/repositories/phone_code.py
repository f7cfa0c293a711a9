"""One-time phone codes: adding them, counting recent ones, and spending a try on the newest."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.models import PhoneCode


def add(session: AsyncSession, code: PhoneCode) -> None:
    """Stage a new code row."""
    session.add(code)


async def sent_since(session: AsyncSession, *, phone: str, since: datetime) -> list[datetime]:
    """When each code to `phone` created after `since` was sent, newest first."""
    query = (
        sa.select(PhoneCode.created_at)
        .where(PhoneCode.phone == phone, PhoneCode.created_at > since)
        .order_by(PhoneCode.created_at.desc())
    )
    return list((await session.execute(query)).scalars())


async def newest_open(session: AsyncSession, *, phone: str, purpose: str, now: datetime) -> PhoneCode | None:
    """The newest unused, unexpired code of this phone and purpose (earlier ones are superseded)."""
    query = (
        sa.select(PhoneCode)
        .where(PhoneCode.phone == phone, PhoneCode.purpose == purpose)
        .order_by(PhoneCode.created_at.desc(), PhoneCode.id.desc())
        .limit(1)
    )
    code = (await session.execute(query)).scalar_one_or_none()
    if code is None or code.used_at is not None or code.expires_at <= now:
        return None
    return code


async def spend_try(session: AsyncSession, *, code_id: str, max_tries: int) -> bool:
    """Count one try of the code, atomically; False when its tries are used up or it was used meanwhile."""
    result = await session.execute(
        sa.update(PhoneCode)
        .where(PhoneCode.id == code_id, PhoneCode.attempts < max_tries, PhoneCode.used_at.is_(None))
        .values(attempts=PhoneCode.attempts + 1)
    )
    return getattr(result, "rowcount", 0) == 1


async def mark_used(session: AsyncSession, *, code_id: str, now: datetime) -> bool:
    """Spend the code for good; False when another request spent it first."""
    result = await session.execute(
        sa.update(PhoneCode).where(PhoneCode.id == code_id, PhoneCode.used_at.is_(None)).values(used_at=now)
    )
    return getattr(result, "rowcount", 0) == 1
