"""Queries on users and their roles."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.users import User, UserRole


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
