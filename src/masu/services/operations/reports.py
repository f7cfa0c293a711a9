"""The admin reports over a period of local days: bookings per city and professional, weekly response times
and success rates, appointment patterns by weekday and hour, and the monthly revenue split."""

from __future__ import annotations

import bisect
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.errors import ValidationFailed
from masu.domain.lifecycle import BookingStatus
from masu.domain.pricing import BUSINESS_TZ
from masu.persistence.queries import report as report_queries
from masu.persistence.queries.report import BucketStatusCount, GroupCount

DEFAULT_WEEKS = 12
MAX_DAYS = 366
# Still waiting for its outcome: not paid yet, or no professional has taken it yet.
OPEN = {BookingStatus.PENDING_PAYMENT.value, BookingStatus.PENDING_PROFESSIONAL.value}
# Reached `confirmed` (a professional took it) and is confirmed or further on, up to completed.
SUCCEEDED = {
    BookingStatus.CONFIRMED.value,
    BookingStatus.ON_WAY.value,
    BookingStatus.IN_TREATMENT.value,
    BookingStatus.PENDING_REVIEW.value,
    BookingStatus.COMPLETED.value,
}


@dataclass(frozen=True, slots=True)
class Period:
    """Local days `first` to `last`, both included, in Israel's time."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        """The first day's local midnight."""
        return local_midnight(self.first)

    @property
    def end(self) -> datetime:
        """The local midnight after the last day (excluded)."""
        return local_midnight(self.last + timedelta(days=1))


@dataclass(frozen=True, slots=True)
class WeekFigures:
    """One local week (Sunday to Saturday, cut to the period) of created bookings and answered offers.

    `success_rate` = succeeded ÷ (created − still open), where still open means pending payment or pending
    a professional, and succeeded means the booking reached `confirmed` and is confirmed or further on (on
    the way, in treatment, awaiting review, completed); the rest, cancelled or refunded, failed. None when
    no booking of the week has an outcome yet. `median_response_minutes` is the median of minutes from
    offer to answer (accepted or declined) of the offers made to the period's bookings, by the week the
    offer was made.
    """

    week_start: date
    created: int
    still_open: int
    succeeded: int
    failed: int
    success_rate: float | None
    answers: int
    median_response_minutes: float | None


@dataclass(frozen=True, slots=True)
class MonthRevenue:
    """The treated bookings (awaiting review or completed) whose appointment fell in one local month."""

    month: str
    bookings: int
    company_fee: int
    professional_payments: int


@dataclass(frozen=True, slots=True)
class Reports:
    """Every report of one period; money in agorot; weekdays Sunday first, hours 0–23, in Israel's time."""

    period: Period
    cities: list[GroupCount]
    professionals: list[GroupCount]
    weeks: list[WeekFigures]
    weekdays: list[int]
    hours: list[int]
    months: list[MonthRevenue]


def local_midnight(day: date) -> datetime:
    """The start of `day` in Israel's time."""
    return datetime.combine(day, time(0), tzinfo=BUSINESS_TZ)


def report_period(first: str | None, last: str | None, *, today: date) -> Period:
    """The days `first`..`last` (YYYY-MM-DD), by default 12 local weeks to today; raises ValidationFailed."""
    last_day = _day("to", last) or today
    sunday = last_day - timedelta(days=(last_day.weekday() + 1) % 7)
    first_day = _day("from", first) or sunday - timedelta(weeks=DEFAULT_WEEKS - 1)
    if first_day > last_day:
        raise ValidationFailed("to", "must not be before from", code="period_reversed")
    if (last_day - first_day).days >= MAX_DAYS:
        raise ValidationFailed("to", f"the period may span at most {MAX_DAYS} days", code="period_too_long")
    return Period(first_day, last_day)


def _day(field: str, text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed(field, "must be a date as YYYY-MM-DD", code="bad_date") from None


def week_starts(period: Period) -> list[date]:
    """The first day of each local week (starting Sunday) of the period, the first one cut to the period."""
    days = [period.first]
    sunday = period.first + timedelta(days=(6 - period.first.weekday()) % 7 or 7)
    while sunday <= period.last:
        days.append(sunday)
        sunday += timedelta(weeks=1)
    return days


def month_starts(period: Period) -> list[date]:
    """The first day of each local month of the period, the first one cut to the period."""
    days = [period.first]
    month = period.first.replace(day=1)
    while True:
        month = (month + timedelta(days=32)).replace(day=1)
        if month > period.last:
            return days
        days.append(month)


def _edges(starts: list[date], period: Period) -> list[datetime]:
    return [local_midnight(day) for day in starts] + [period.end]


async def build_reports(session: AsyncSession, period: Period) -> Reports:
    """Read every report of `period` (no writes)."""
    weeks = week_starts(period)
    months = month_starts(period)
    start, end = period.start, period.end
    statuses = await report_queries.statuses_per_interval(session, edges=_edges(weeks, period))
    answers = await report_queries.answer_times(session, start=start, end=end)
    slots = await report_queries.appointment_times(session, start=start, end=end)
    revenue = await report_queries.revenue_per_interval(session, edges=_edges(months, period))
    weekdays, hours = appointment_pattern(slots)
    by_month = {row.bucket: row for row in revenue}
    return Reports(
        period=period,
        cities=await report_queries.bookings_per_city(session, start=start, end=end),
        professionals=await report_queries.bookings_per_professional(session, start=start, end=end),
        weeks=weekly_figures(weeks, _edges(weeks, period), statuses, answers),
        weekdays=weekdays,
        hours=hours,
        months=[
            MonthRevenue(
                day.strftime("%Y-%m"),
                by_month[i].bookings if i in by_month else 0,
                by_month[i].company_fee if i in by_month else 0,
                by_month[i].professional_payments if i in by_month else 0,
            )
            for i, day in enumerate(months)
        ],
    )


def weekly_figures(
    starts: list[date],
    edges: list[datetime],
    statuses: Iterable[BucketStatusCount],
    answers: Iterable[tuple[datetime, datetime]],
) -> list[WeekFigures]:
    """Each week's outcome counts, success rate and median answer time (see WeekFigures for the rules)."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in statuses:
        kind = "open" if row.status in OPEN else "succeeded" if row.status in SUCCEEDED else "failed"
        counts[row.bucket][kind] += row.count
    minutes: dict[int, list[float]] = defaultdict(list)
    for offered, answered in answers:
        week = _interval_of(offered, edges)
        if week is not None:
            minutes[week].append((answered - offered).total_seconds() / 60)
    figures = []
    for i, first in enumerate(starts):
        open_, done, failed = counts[i]["open"], counts[i]["succeeded"], counts[i]["failed"]
        decided = done + failed
        figures.append(
            WeekFigures(
                week_start=first,
                created=open_ + decided,
                still_open=open_,
                succeeded=done,
                failed=failed,
                success_rate=round(done / decided, 4) if decided else None,
                answers=len(minutes[i]),
                median_response_minutes=round(statistics.median(minutes[i]), 1) if minutes[i] else None,
            )
        )
    return figures


def _interval_of(moment: datetime, edges: list[datetime]) -> int | None:
    """The index of the interval between consecutive edges that holds `moment`; None outside them all."""
    index = bisect.bisect_right(edges, moment) - 1
    return index if 0 <= index < len(edges) - 1 else None


def appointment_pattern(slots: Iterable[tuple[datetime, int]]) -> tuple[list[int], list[int]]:
    """Bookings per local weekday (Sunday first) and per local hour (0–23) of their appointment time."""
    weekdays, hours = [0] * 7, [0] * 24
    for moment, count in slots:
        local = moment.astimezone(BUSINESS_TZ)  # zoneinfo applies the offset of that date, across DST
        weekdays[(local.weekday() + 1) % 7] += count
        hours[local.hour] += count
    return weekdays, hours
