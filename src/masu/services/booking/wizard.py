"""What the booking pages ask besides prices and slots: the cities served and the booker's own contact."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.errors import NotFound
from masu.persistence.models import City
from masu.persistence.repositories import catalogue as catalogue_repository
from masu.persistence.repositories import user as user_repository


@dataclass(frozen=True, slots=True)
class Contact:
    """How to reach a person who is booking for themselves."""

    name: str
    phone: str
    email: str | None


async def served_cities(session: AsyncSession) -> list[City]:
    """The active cities, by name."""
    return await catalogue_repository.list_cities(session, active_only=True)


async def contact_of(session: AsyncSession, user_id: str) -> Contact:
    """The user's name, phone and email; raises NotFound for an unknown user."""
    user = await user_repository.get_user(session, user_id)
    if user is None:
        raise NotFound("no such user")
    return Contact(name=user.name, phone=user.phone, email=user.email)
