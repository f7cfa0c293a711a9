"""Reads for reviews: a professional's public reviews, the admin's list, the review link's booking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from masu.persistence.booking_queries import decode_cursor, encode_cursor
from masu.persistence.bookings import Booking
from masu.persistence.catalogue import Treatment
from masu.persistence.reviews import Review
from masu.persistence.users import ProfessionalProfile, User


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
    if cursor is not None:
        created_at, review_id = decode_cursor(cursor)
        query = query.where(
            sa.tuple_(Review.created_at, Review.id)
            < sa.tuple_(sa.literal(created_at, Review.created_at.type), review_id)
        )
    query = query.order_by(Review.created_at.desc(), Review.id.desc()).limit(limit + 1)
    rows = list((await session.execute(query)).scalars())
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor(last.created_at, last.id)


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
