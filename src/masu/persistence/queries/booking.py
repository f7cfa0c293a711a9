"""Read queries for bookings: lists with keyset pagination, one booking with its history, stats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.models import Booking
from masu.persistence.queries.pagination import newest_first, page_of


@dataclass(frozen=True, slots=True)
class BookingSummary:
    """The fields a booking list shows."""

    id: str
    booking_number: str
    status: str
    booking_date_time: datetime
    created_at: datetime
    treatment_id: str
    duration_minutes: int
    city: str
    final_amount: int
    professional_id: str | None


@dataclass(frozen=True, slots=True)
class BookingFilter:
    """Which bookings a list covers; None means no restriction."""

    owner_id: str | None = None
    professional_id: str | None = None
    status: str | None = None
    city: str | None = None
    starts_from: datetime | None = None
    starts_before: datetime | None = None
    search: str | None = None
    needs_attention: bool | None = None


@dataclass(frozen=True, slots=True)
class StatusTotal:
    """How many bookings are in a status and what they add up to (agorot)."""

    status: str
    count: int
    total_amount: int


_SUMMARY_COLUMNS = (
    Booking.id,
    Booking.booking_number,
    Booking.status,
    Booking.booking_date_time,
    Booking.created_at,
    Booking.treatment_id,
    Booking.duration_minutes,
    Booking.address_city.label("city"),
    Booking.final_amount,
    Booking.professional_id,
)


async def list_bookings(
    session: AsyncSession, where: BookingFilter, *, limit: int, cursor: str | None
) -> tuple[list[BookingSummary], str | None]:
    """One page of bookings, newest `createdAt` first, and the cursor of the next page (None at the end)."""
    query = sa.select(*_SUMMARY_COLUMNS).where(*_conditions(where))
    query = newest_first(query, Booking.created_at, Booking.id, limit=limit, cursor=cursor)
    return page_of([BookingSummary(**row._asdict()) for row in (await session.execute(query)).all()], limit)


async def status_totals(session: AsyncSession, *, owner_id: str | None) -> list[StatusTotal]:
    """Count and total amount per status (the seed's aggregation), most bookings first."""
    count = sa.func.count().label("count")
    query = sa.select(Booking.status, count, sa.func.coalesce(sa.func.sum(Booking.final_amount), 0))
    if owner_id is not None:
        query = query.where(Booking.user_id == owner_id)
    query = query.group_by(Booking.status).order_by(count.desc(), Booking.status)
    return [
        StatusTotal(status, int(n), int(total)) for status, n, total in (await session.execute(query)).all()
    ]


def _conditions(where: BookingFilter) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = []
    if where.owner_id is not None:
        conditions.append(Booking.user_id == where.owner_id)
    if where.professional_id is not None:
        conditions.append(Booking.professional_id == where.professional_id)
    if where.status is not None:
        conditions.append(Booking.status == where.status)
    if where.city is not None:
        conditions.append(sa.func.lower(Booking.address_city) == where.city.strip().lower())
    if where.starts_from is not None:
        conditions.append(Booking.booking_date_time >= where.starts_from)
    if where.starts_before is not None:
        conditions.append(Booking.booking_date_time < where.starts_before)
    if where.search:
        conditions.append(_matches(where.search))
    if where.needs_attention is not None:
        conditions.append(Booking.needs_attention.is_(where.needs_attention))
    return conditions


def _matches(search: str) -> sa.ColumnElement[bool]:
    pattern = "%" + search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return sa.or_(
        sa.func.lower(Booking.booking_number).like(pattern, escape="\\"),
        sa.func.lower(Booking.recipient_name).like(pattern, escape="\\"),
        Booking.recipient_phone.like(pattern, escape="\\"),
    )
