"""Read queries for bookings: lists with keyset pagination, one booking with its history, stats."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.bookings import Booking


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


class InvalidCursor(ValueError):
    """A pagination cursor that this server did not issue."""


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
    if cursor is not None:
        created_at, booking_id = decode_cursor(cursor)
        query = query.where(
            sa.tuple_(Booking.created_at, Booking.id)
            < sa.tuple_(sa.literal(created_at, Booking.created_at.type), booking_id)
        )
    query = query.order_by(Booking.created_at.desc(), Booking.id.desc()).limit(limit + 1)
    rows = [BookingSummary(**row._asdict()) for row in (await session.execute(query)).all()]
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor(last.created_at, last.id)


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


def encode_cursor(created_at: datetime, booking_id: str) -> str:
    """An opaque cursor pointing just after (`created_at`, `booking_id`)."""
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{booking_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The position a cursor points at; InvalidCursor if it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created_at_text, booking_id = raw.split("|", 1)
        created_at = datetime.fromisoformat(created_at_text)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidCursor("not a valid cursor") from exc
    if created_at.tzinfo is None or not booking_id:
        raise InvalidCursor("not a valid cursor")
    return created_at, booking_id
