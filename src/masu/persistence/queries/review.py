"""Reads for reviews: a professional's public reviews, the admin's list, the review link's booking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from masu.persistence.models import Booking, ProfessionalProfile, Review, Treatment, User
from masu.persistence.queries.pagination import newest_first, page_of


@dataclass(frozen=True, slots=True)
class ReviewFilter:
    """Which reviews a list shows; None means any."""

    professional_id: str | None = None
    booking_id: str | None = None
    hidden: bool | None = None


@dataclass(frozen=True, slots=True)
class ReviewLinkFacts:
    """What the review link's page shows about the booking behind it."""

    booking_id: str
    booking_number: str
    status: str
    booking_date_time: datetime
    treatment: str
    professional_name: str | None
    customer_language: str
    reviewed: bool


async def list_reviews(
    session: AsyncSession, where: ReviewFilter, *, limit: int, cursor: str | None
) -> tuple[list[Review], str | None]:
    """One page of reviews, newest first, and the cursor of the next page (None at the end)."""
    query = sa.select(Review).where(*_conditions(where))
    query = newest_first(query, Review.created_at, Review.id, limit=limit, cursor=cursor)
    return page_of(list((await session.execute(query)).scalars()), limit)


async def is_professional(session: AsyncSession, user_id: str) -> bool:
    """Whether this user has a professional profile."""
    query = sa.select(ProfessionalProfile.user_id).where(ProfessionalProfile.user_id == user_id)
    return (await session.execute(query)).first() is not None


async def link_facts(session: AsyncSession, booking_id: str) -> ReviewLinkFacts | None:
    """The booking behind a review link with its treatment, professional and owner, or None."""
    customer, professional = aliased(User), aliased(User)
    query = (
        sa.select(
            Booking.id,
            Booking.booking_number,
            Booking.status,
            Booking.booking_date_time,
            Treatment.name,
            professional.name,
            customer.language,
            sa.exists().where(Review.booking_id == Booking.id),
        )
        .join(Treatment, Treatment.id == Booking.treatment_id)
        .join(customer, customer.id == Booking.user_id)
        .outerjoin(professional, professional.id == Booking.professional_id)
        .where(Booking.id == booking_id)
    )
    row = (await session.execute(query)).first()
    if row is None:
        return None
    return ReviewLinkFacts(*row)


def _conditions(where: ReviewFilter) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = []
    if where.professional_id is not None:
        conditions.append(Review.professional_id == where.professional_id)
    if where.booking_id is not None:
        conditions.append(Review.booking_id == where.booking_id)
    if where.hidden is not None:
        conditions.append(Review.is_hidden.is_(where.hidden))
    return conditions
