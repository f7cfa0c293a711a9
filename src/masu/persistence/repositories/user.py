"""Queries on users and their roles."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.models import BrowserSessionRecord, User, UserRole


async def get_user(session: AsyncSession, user_id: str) -> User | None:
    """Return the user with this id, if any."""
    return await session.get(User, user_id)


async def get_user_by_phone(session: AsyncSession, phone: str) -> User | None:
    """Return the user with this E.164 phone, if any."""
    return (await session.execute(sa.select(User).where(User.phone == phone))).scalar_one_or_none()


async def add_role(session: AsyncSession, user_id: str, role: str) -> None:
    """Grant `role` unless the user already holds it."""
    if await session.get(UserRole, (user_id, role)) is None:
        session.add(UserRole(user_id=user_id, role=role))


async def lock_user(session: AsyncSession, user_id: str) -> None:
    """Take the user's row lock until commit, serialising that user's bookings (no-op on SQLite)."""
    await session.execute(sa.select(User.id).where(User.id == user_id).with_for_update())


async def user_with_roles(session: AsyncSession, user_id: str) -> tuple[User, set[str]] | None:
    """The user and their roles in one round trip; None if there is no such user."""
    rows = (
        await session.execute(
            sa.select(User, UserRole.role)
            .outerjoin(UserRole, UserRole.user_id == User.id)
            .where(User.id == user_id)
        )
    ).all()
    if not rows:
        return None
    return rows[0][0], {role for _, role in rows if role is not None}


async def active_admins(session: AsyncSession) -> list[User]:
    """Active users with the admin role, by id."""
    query = (
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "admin", User.is_active.is_(True))
        .order_by(User.id)
    )
    return list((await session.execute(query)).scalars())


async def add_browser_session(
    session: AsyncSession, *, key: str, user_id: str, now: datetime, expires_at: datetime
) -> None:
    """Store a browser session under `key` (the hash of its cookie's id)."""
    session.add(BrowserSessionRecord(id=key, user_id=user_id, created_at=now, expires_at=expires_at))
    await session.flush()


async def live_session_user(session: AsyncSession, *, key: str, now: datetime) -> tuple[str, str] | None:
    """(user id, language) of the unexpired session under `key`, if any."""
    row = (
        await session.execute(
            sa.select(User.id, User.language)
            .join(BrowserSessionRecord, BrowserSessionRecord.user_id == User.id)
            .where(BrowserSessionRecord.id == key, BrowserSessionRecord.expires_at > now)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def delete_browser_session(session: AsyncSession, key: str) -> None:
    """End the session under `key` (nothing when there is none)."""
    await session.execute(sa.delete(BrowserSessionRecord).where(BrowserSessionRecord.id == key))


async def delete_browser_sessions(
    session: AsyncSession, user_id: str, *, expired_before: datetime | None
) -> None:
    """End the user's sessions: every one, or only those expired before `expired_before`."""
    query = sa.delete(BrowserSessionRecord).where(BrowserSessionRecord.user_id == user_id)
    if expired_before is not None:
        query = query.where(BrowserSessionRecord.expires_at <= expired_before)
    await session.execute(query)


async def delete_expired_browser_sessions(session: AsyncSession, *, now: datetime, limit: int) -> int:
    """Delete up to `limit` sessions of anyone that expired by `now`; how many went."""
    expired = (
        sa.select(BrowserSessionRecord.id).where(BrowserSessionRecord.expires_at <= now).limit(limit)
    ).scalar_subquery()
    result = await session.execute(
        sa.delete(BrowserSessionRecord).where(BrowserSessionRecord.id.in_(expired))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def raise_token_version(session: AsyncSession, user_id: str) -> int:
    """Make every bearer token issued to the user so far worthless; the new version."""
    await session.execute(
        sa.update(User).where(User.id == user_id).values(token_version=User.token_version + 1)
    )
    return await token_version(session, user_id)


async def token_version(session: AsyncSession, user_id: str) -> int:
    """The user's current token version, read from the row (never from an object loaded earlier)."""
    return int((await session.execute(sa.select(User.token_version).where(User.id == user_id))).scalar_one())


async def set_password_hash(session: AsyncSession, user_id: str, password_hash: str) -> None:
    """Store the user's new password hash."""
    await session.execute(sa.update(User).where(User.id == user_id).values(password_hash=password_hash))
