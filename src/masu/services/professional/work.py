"""A professional's own work: the visits they are assigned and what they earned, per booking and month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.lifecycle import BookingStatus
from masu.domain.pricing import BUSINESS_TZ
from masu.domain.visit_timing import could_have_happened
from masu.persistence.models import Booking
from masu.persistence.queries import professional_work

ACTIVE = (BookingStatus.CONFIRMED, BookingStatus.ON_WAY, BookingStatus.IN_TREATMENT)
EARNED = (BookingStatus.PENDING_REVIEW, BookingStatus.COMPLETED)  # the treatment was given
EARNINGS_MONTHS = 12


@dataclass(frozen=True, slots=True)
class Pay:
    """What a professional earns (agorot): base pay, surcharge shares, bonus and their total."""

    base: int = 0
    surcharges: int = 0
    bonus: int = 0
    total: int = 0

    def __add__(self, other: Pay) -> Pay:
        return Pay(
            self.base + other.base,
            self.surcharges + other.surcharges,
            self.bonus + other.bonus,
            self.total + other.total,
        )


@dataclass(frozen=True, slots=True)
class EarnedBooking:
    """One treatment given, with its pay."""

    booking: Booking
    pay: Pay


@dataclass(frozen=True, slots=True)
class MonthEarnings:
    """One local calendar month ("2026-12"): its treatments and the sum of their pay."""

    month: str
    bookings: list[EarnedBooking]
    total: Pay


async def assigned_visits(session: AsyncSession, professional_id: str) -> list[Booking]:
    """The professional's confirmed, on-the-way and in-treatment bookings, soonest first."""
    return await professional_work.assigned_bookings(session, professional_id, [s.value for s in ACTIVE])


async def earnings_of(session: AsyncSession, professional_id: str, *, now: datetime) -> list[MonthEarnings]:
    """The treatments given in the last EARNINGS_MONTHS local months, grouped by month, latest first.

    A visit marked done that could not yet have been given (an admin closed it early) counts from its time.
    """
    since = _months_back(now, EARNINGS_MONTHS - 1)
    rows = await professional_work.bookings_done_since(
        session, professional_id, [s.value for s in EARNED], since
    )
    months: dict[str, list[EarnedBooking]] = {}
    for booking in rows:
        length = timedelta(minutes=booking.duration_minutes)
        if not could_have_happened(booking.booking_date_time, length, now=now):
            continue
        key = booking.booking_date_time.astimezone(BUSINESS_TZ).strftime("%Y-%m")
        months.setdefault(key, []).append(EarnedBooking(booking, pay_of(booking)))
    return [
        MonthEarnings(month, items, sum((item.pay for item in items), Pay()))
        for month, items in months.items()
    ]


def pay_of(booking: Booking) -> Pay:
    """The professional's pay recorded on the booking."""
    return Pay(
        base=booking.base_professional_payment,
        surcharges=booking.surcharges_professional_payment,
        bonus=booking.payment_bonus,
        total=booking.total_professional_payment,
    )


def _months_back(now: datetime, months: int) -> datetime:
    """Local midnight of the first day of the month `months` before now's local month."""
    local = now.astimezone(BUSINESS_TZ)
    index = local.year * 12 + local.month - 1 - months
    return local.replace(
        year=index // 12, month=index % 12 + 1, day=1, hour=0, minute=0, second=0, microsecond=0
    )
