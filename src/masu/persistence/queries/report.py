"""Read queries for the admin reports: a period's bookings and offers, grouped in SQL where it is portable.

Every query is bounded by its period on an indexed column: `bookings.created_at` (index on created_at, id),
`bookings.status, booking_date_time` for revenue, and offers through their booking (unique index led by
booking_id). Local weeks and months are passed in as UTC edges and grouped with a CASE, which SQLite and
PostgreSQL read alike; local weekday and hour need a time zone SQLite lacks, so those come back as distinct
appointment times that the service converts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from masu.persistence.models import Booking, City, Offer, User

# A treatment that took place: awaiting its review or completed (the lifecycle's states after `complete`).
TREATED = ("pending_review", "completed")
ANSWERED = ("accepted", "declined")
MAX_GROUPS = 50
MAX_ANSWERS = 50_000  # enough for weekly medians; bounds the rows read however busy the period was
MAX_SLOTS = 50_000  # distinct appointment times; visits start on a few slots an hour, so rarely reached


@dataclass(frozen=True, slots=True)
class GroupCount:
    """Bookings of one city or professional: how many were created and how many were treated."""

    id: str
    name: str
    bookings: int
    treated: int


@dataclass(frozen=True, slots=True)
class BucketStatusCount:
    """How many bookings created in one interval (by index) are now in one status."""

    bucket: int
    status: str
    count: int


@dataclass(frozen=True, slots=True)
class BucketRevenue:
    """The treated bookings of one interval (by index) and their price split."""

    bucket: int
    bookings: int
    company_fee: int
    professional_payments: int


def _created_in(start: datetime, end: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(Booking.created_at >= start, Booking.created_at < end)


def _treated_count() -> sa.ColumnElement[int]:
    return sa.func.sum(sa.case((Booking.status.in_(TREATED), 1), else_=0))


def _bucket(column: InstrumentedAttribute[datetime], edges: Sequence[datetime]) -> sa.ColumnElement[int]:
    """The index i of the interval [edges[i], edges[i+1]) holding `column` (callers bound it to the edges)."""
    whens = [(column < edge, index) for index, edge in enumerate(edges[1:])]
    return sa.case(*whens, else_=len(edges) - 1)


async def bookings_per_city(session: AsyncSession, *, start: datetime, end: datetime) -> list[GroupCount]:
    """Bookings created in [start, end) per city, most first (at most MAX_GROUPS cities)."""
    total = sa.func.count(Booking.id)
    query = (
        sa.select(City.id, City.name, total, _treated_count())
        .select_from(Booking)
        .join(City, City.id == Booking.city_id)
        .where(_created_in(start, end))
        .group_by(City.id, City.name)
        .order_by(total.desc(), City.name)
        .limit(MAX_GROUPS)
    )
    rows = (await session.execute(query)).all()
    return [GroupCount(row[0], row[1], int(row[2]), int(row[3] or 0)) for row in rows]


async def bookings_per_professional(
    session: AsyncSession, *, start: datetime, end: datetime
) -> list[GroupCount]:
    """Bookings created in [start, end) per assigned professional, most first; unassigned ones left out."""
    total = sa.func.count(Booking.id)
    query = (
        sa.select(User.id, User.name, total, _treated_count())
        .select_from(Booking)
        .join(User, User.id == Booking.professional_id)
        .where(_created_in(start, end))
        .group_by(User.id, User.name)
        .order_by(total.desc(), User.name)
        .limit(MAX_GROUPS)
    )
    rows = (await session.execute(query)).all()
    return [GroupCount(row[0], row[1], int(row[2]), int(row[3] or 0)) for row in rows]


async def statuses_per_interval(
    session: AsyncSession, *, edges: Sequence[datetime]
) -> list[BucketStatusCount]:
    """Bookings created between consecutive `edges`, counted per interval and current status."""
    bucket = _bucket(Booking.created_at, edges).label("bucket")
    # Grouped outside a subquery: PostgreSQL would not see the CASE's own parameters as the same expression.
    inner = sa.select(bucket, Booking.status).where(_created_in(edges[0], edges[-1])).subquery()
    query = sa.select(inner.c.bucket, inner.c.status, sa.func.count()).group_by(
        inner.c.bucket, inner.c.status
    )
    rows = (await session.execute(query)).all()
    return [BucketStatusCount(int(row[0]), row[1], int(row[2])) for row in rows]


async def answer_times(
    session: AsyncSession, *, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """(offered, answered) of answered offers of bookings created in [start, end) (at most MAX_ANSWERS)."""
    offered = sa.func.coalesce(Offer.notified_at, Offer.created_at)
    query = (
        sa.select(offered, Offer.response_at)
        .join(Booking, Booking.id == Offer.booking_id)
        .where(_created_in(start, end), Offer.response_status.in_(ANSWERED), Offer.response_at.is_not(None))
        .limit(MAX_ANSWERS)
    )
    rows = (await session.execute(query)).all()
    return [(row[0], row[1]) for row in rows if row[0] and row[1]]


async def appointment_times(
    session: AsyncSession, *, start: datetime, end: datetime
) -> list[tuple[datetime, int]]:
    """Each distinct appointment time of the bookings created in [start, end) with how many share it."""
    query = (
        sa.select(Booking.booking_date_time, sa.func.count())
        .where(_created_in(start, end))
        .group_by(Booking.booking_date_time)
        .limit(MAX_SLOTS)
    )
    return [(row[0], int(row[1])) for row in (await session.execute(query)).all()]


async def revenue_per_interval(session: AsyncSession, *, edges: Sequence[datetime]) -> list[BucketRevenue]:
    """Treated bookings whose appointment falls between consecutive `edges`: count, fees and payments."""
    bucket = _bucket(Booking.booking_date_time, edges).label("bucket")
    inner = (
        sa.select(bucket, Booking.company_fee, Booking.total_professional_payment)
        .where(
            Booking.status.in_(TREATED),
            Booking.booking_date_time >= edges[0],
            Booking.booking_date_time < edges[-1],
        )
        .subquery()
    )
    query = sa.select(
        inner.c.bucket,
        sa.func.count(),
        sa.func.sum(inner.c.company_fee),
        sa.func.sum(inner.c.total_professional_payment),
    ).group_by(inner.c.bucket)
    rows = (await session.execute(query)).all()
    return [BucketRevenue(int(row[0]), int(row[1]), int(row[2] or 0), int(row[3] or 0)) for row in rows]
