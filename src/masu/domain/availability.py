"""Which of a day's possible visits someone could take: the booking wizard's times, judged in memory."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from masu.domain.matching import (
    BookingNeeds,
    BusyPeriod,
    HoursNeeded,
    WorkingInterval,
    hours_needed,
    is_busy,
    spans_covered,
)

Schedule = tuple[tuple[WorkingInterval, ...], tuple[BusyPeriod, ...]]


def open_visits(
    visits: Sequence[BookingNeeds],
    hours: Mapping[str, Iterable[WorkingInterval]],
    busy: Mapping[str, Iterable[BusyPeriod]],
    *,
    buffer: timedelta,
) -> list[BookingNeeds]:
    """The visits, in their order, that at least one professional works through with no visit near it.

    `hours` maps every professional otherwise eligible for these visits (approved, offering the treatment,
    covering the city, of the asked gender) to their weekly hours; `busy` maps them to their assigned
    visits around the day. Professionals with the same hours and nothing booked answer alike, so each
    such group is asked once, and the search stops as soon as every visit has found someone.
    """
    needed = {visit.starts_at: hours_needed(visit) for visit in visits}
    waiting = [visit for visit in visits if needed[visit.starts_at] is not None]
    found: set[datetime] = set()
    for working, booked in _distinct_schedules(hours, busy):
        still = []
        for visit in waiting:
            if _free_for(visit, needed[visit.starts_at], working, booked, buffer):
                found.add(visit.starts_at)
            else:
                still.append(visit)
        waiting = still
        if not waiting:
            break
    return [visit for visit in visits if visit.starts_at in found]


def _free_for(
    visit: BookingNeeds,
    needed: tuple[HoursNeeded, ...] | None,
    working: tuple[WorkingInterval, ...],
    booked: tuple[BusyPeriod, ...],
    buffer: timedelta,
) -> bool:
    """Whether one schedule works through the whole visit and has no assigned visit near it."""
    return needed is not None and spans_covered(working, needed) and not is_busy(booked, visit, buffer)


def _distinct_schedules(
    hours: Mapping[str, Iterable[WorkingInterval]], busy: Mapping[str, Iterable[BusyPeriod]]
) -> list[Schedule]:
    """Each different (hours, assigned visits) pair once, in any order (any one pair may open a visit)."""
    schedules = {
        (
            tuple(sorted(intervals, key=lambda i: (i.weekday, i.start_minute, i.end_minute))),
            tuple(sorted(busy.get(professional_id, ()), key=lambda b: (b.starts_at, b.ends_at))),
        )
        for professional_id, intervals in hours.items()
    }
    return list(schedules)
