"""Matching: which professionals may take a booking, and in which order it is offered to them.

Who is eligible. A professional is offered a booking only when every rule below holds. An excluded
professional is shown with EVERY rule they fail, in this order:

1. not_approved - their profile is not approved.
2. inactive - their profile or their account is switched off.
3. treatment_not_offered - they do not offer this treatment at this length (a fixed-price treatment
   has a single length, so only the treatment counts).
4. city_not_covered - the booking's city is neither in their list of cities nor within their service
   radius of where they start from (straight-line distance between the two points).
5. gender_mismatch - the customer asked for a male or a female professional and they are not one; a
   professional who has not stated a gender never matches a specific request.
6. not_working_then - their weekly hours do not cover the whole visit. Hours are Israeli wall-clock
   times (Asia/Jerusalem) on the Israeli weekday, so a visit at 00:30 on Saturday needs Saturday hours
   even while it is still Friday in UTC. The visit must fit inside ONE interval of that day; a visit
   past midnight needs an interval until 24:00 on the first day and one from 00:00 on the next. The
   end of an interval is exclusive, so a visit may end exactly when the hours end but not a minute
   later. Across the autumn clock change 01:30 is 01:30 whichever of the two instants it is.
7. busy - another of their bookings is too close: both visits are padded by the travel buffer (30
   minutes unless configured otherwise), so the previous visit must end at least 30 minutes before this
   one starts and the next must start at least 30 minutes after this one ends.
8. declined - they already declined this booking.

In which order. Eligible professionals are sorted by a match score between 0 and 1, highest first,
equal scores by professional id. The score is the weighted sum of four parts, each between 0 and 1:

- distance (30%): 1 at the booking's city, falling evenly to 0 at 50 km or more from where they start;
  0.5 when we do not know where they start.
- rating (30%): their average pulled towards 4.0 as if they also had three 4-star reviews (so a single
  5-star review does not beat a hundred 4.8s), then scaled so 1 star is 0 and 5 stars is 1.
- responsiveness (25%): 60% acceptance and 40% speed. Acceptance is (accepted + 1) / (answered + 2)
  times the share of offers they answered at all, (answered + 1) / (received + 1), so letting offers
  expire counts against them; the +1s keep a newcomer near the middle. Speed is 1 for instant answers,
  falling evenly to 0 at a median answer time of 15 minutes or more; 0.5 when unknown.
- fairness (15%): 1 / (1 + jobs assigned in the last 30 days / 5), so work spreads to those who had less.

The parts and the score are shown rounded to 4 decimals (the score is summed before rounding). The
score is computed for excluded professionals too, for information; they are listed after the eligible
ones, by name.

Rating, responsiveness and fairness do not depend on the booking: together they are the professional's
standing, kept up to date in the database as their track record changes. With the distance from their
base to a city they cover, the standing gives their score for every booking in that city, so dispatch
can walk a city's professionals best first and stop at the first few who are free.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from masu.domain.pricing import BUSINESS_TZ
from masu.domain.standing import (
    distance_part,
    match_score,
    standing_parts,
    standing_score,
)

__all__ = [
    "TRAVEL_BUFFER",
    "BookingNeeds",
    "BusyPeriod",
    "CityCoverage",
    "Evaluation",
    "HoursNeeded",
    "ProfessionalFacts",
    "Reason",
    "WorkingInterval",
    "coverage",
    "evaluate",
    "haversine_km",
    "hours_needed",
    "rank",
]

TRAVEL_BUFFER = timedelta(minutes=30)
_MINUTES_PER_DAY = 1440
_MINUTE = timedelta(minutes=1)
_EARTH_RADIUS_KM = 6371.0  # mean radius; the error is far below what matters for a service radius


class Reason(StrEnum):
    """Why a professional is excluded from a booking, in the order they are reported."""

    NOT_APPROVED = "not_approved"
    INACTIVE = "inactive"
    TREATMENT_NOT_OFFERED = "treatment_not_offered"
    CITY_NOT_COVERED = "city_not_covered"
    GENDER_MISMATCH = "gender_mismatch"
    NOT_WORKING_THEN = "not_working_then"
    BUSY = "busy"
    DECLINED = "declined"


@dataclass(frozen=True, slots=True)
class WorkingInterval:
    """Weekly hours on one local weekday (0 = Monday), in minutes from local midnight, end exclusive."""

    weekday: int
    start_minute: int
    end_minute: int

    def __post_init__(self) -> None:
        """Reject an impossible weekday or an empty or out-of-day interval."""
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday must be between 0 (Monday) and 6 (Sunday)")
        if not 0 <= self.start_minute < self.end_minute <= _MINUTES_PER_DAY:
            raise ValueError("need 0 <= start_minute < end_minute <= 1440")


@dataclass(frozen=True, slots=True)
class BusyPeriod:
    """A visit the professional is already assigned to."""

    starts_at: datetime
    ends_at: datetime

    def __post_init__(self) -> None:
        """Reject naive times, which cannot be compared with the booking's."""
        _require_aware(self.starts_at, self.ends_at)


@dataclass(frozen=True, slots=True)
class ProfessionalFacts:
    """Everything matching needs to know about one professional, loaded for one booking."""

    professional_id: str
    name: str
    approved: bool
    active: bool
    gender: str | None
    offers: frozenset[tuple[str, int]]  # (treatment_id, minutes or 0 for a fixed-price treatment)
    city_ids: frozenset[str]
    base: tuple[float, float] | None = None  # (lat, lng) of where they start from
    service_radius_km: float | None = None
    hours: tuple[WorkingInterval, ...] = ()
    busy: tuple[BusyPeriod, ...] = ()
    declined: bool = False  # declined THIS booking before
    rating_average: float | None = None
    rating_count: int = 0
    offers_answered: int = 0  # accepted or declined, not expired
    offers_accepted: int = 0
    offers_received: int = 0  # answered or let expire (a withdrawn offer was never theirs to answer)
    median_response_seconds: float | None = None
    recent_jobs: int = 0  # assigned in the last 30 days


@dataclass(frozen=True, slots=True)
class HoursNeeded:
    """Minutes `first` to `last` of a local weekday that one working interval must span."""

    weekday: int
    first: float
    last: float


@dataclass(frozen=True, slots=True)
class CityCoverage:
    """A city a professional covers (by their list or by radius) and their score for visits there."""

    city_id: str
    by_radius: bool
    distance_km: float | None
    match_score: float


@dataclass(frozen=True, slots=True)
class BookingNeeds:
    """What a booking asks of its professional."""

    treatment_id: str
    duration_key: int  # minutes, or 0 for a fixed-price treatment
    city_id: str
    city_location: tuple[float, float]
    starts_at: datetime
    ends_at: datetime
    gender_preference: str  # "any" | "male" | "female"

    def __post_init__(self) -> None:
        """Reject naive times and a visit that ends before it starts."""
        _require_aware(self.starts_at, self.ends_at)
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One professional judged against one booking: eligibility with reasons, and the score."""

    professional_id: str
    name: str
    eligible: bool
    reasons: tuple[Reason, ...]
    match_score: float
    score_parts: dict[str, float]
    distance_km: float | None


def _require_aware(*moments: datetime) -> None:
    """Raise ValueError for a naive datetime."""
    if any(m.tzinfo is None or m.utcoffset() is None for m in moments):
        raise ValueError("times must be timezone-aware")


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the great-circle distance in km between two (lat, lng) points in degrees."""
    lat1, lng1, lat2, lng2 = (math.radians(v) for v in (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))  # rounding can push h just past 1


def _within_radius(
    base: tuple[float, float] | None, radius_km: float | None, location: tuple[float, float]
) -> bool:
    """Return whether `location` lies within the service radius of the base (False without either)."""
    return base is not None and radius_km is not None and haversine_km(base, location) <= radius_km


def _covers_city(pro: ProfessionalFacts, needs: BookingNeeds) -> bool:
    """Return whether the city is on their list or within their radius of their base."""
    return needs.city_id in pro.city_ids or _within_radius(
        pro.base, pro.service_radius_km, needs.city_location
    )


def _gender_matches(pro: ProfessionalFacts, needs: BookingNeeds) -> bool:
    """Return whether the professional fits the customer's gender preference."""
    return needs.gender_preference == "any" or (
        pro.gender is not None and pro.gender == needs.gender_preference
    )


def _wall(moment: datetime) -> datetime:
    """Return naive local wall-clock time; both instants of the repeated autumn hour read the same."""
    return moment.astimezone(BUSINESS_TZ).replace(tzinfo=None, fold=0)


def hours_needed(needs: BookingNeeds) -> tuple[HoursNeeded, ...] | None:
    """Return the spans of local weekdays the visit occupies; None for a visit longer than a day."""
    start, end = _wall(needs.starts_at), _wall(needs.ends_at)
    weekday = start.weekday()
    midnight = datetime.combine(start.date(), time())
    first, last = (start - midnight) / _MINUTE, (end - midnight) / _MINUTE
    if last <= _MINUTES_PER_DAY:
        # In the repeated autumn hour the end can read earlier than the start, so check both ends.
        return (HoursNeeded(weekday, min(first, last), max(first, last)),)
    if last <= 2 * _MINUTES_PER_DAY:
        return (
            HoursNeeded(weekday, first, _MINUTES_PER_DAY),
            HoursNeeded((weekday + 1) % 7, 0, last - _MINUTES_PER_DAY),
        )
    return None  # a visit longer than a day is beyond what weekly hours describe


def _works_then(hours: tuple[WorkingInterval, ...], needs: BookingNeeds) -> bool:
    """Return whether their local weekly hours cover the whole visit, each day's part in one interval."""
    needed = hours_needed(needs)
    return needed is not None and spans_covered(hours, needed)


def spans_covered(hours: Iterable[WorkingInterval], needed: Iterable[HoursNeeded]) -> bool:
    """Return whether each needed span of a weekday lies within one of these working intervals."""
    shifts = tuple(hours)
    return all(
        any(i.weekday == n.weekday and i.start_minute <= n.first and n.last <= i.end_minute for i in shifts)
        for n in needed
    )


def is_busy(busy: Iterable[BusyPeriod], needs: BookingNeeds, buffer: timedelta) -> bool:
    """Return whether any assigned visit, padded by travel time on both sides, overlaps this one."""
    return any(b.starts_at - buffer < needs.ends_at and b.ends_at + buffer > needs.starts_at for b in busy)


def _reasons(pro: ProfessionalFacts, needs: BookingNeeds, buffer: timedelta) -> tuple[Reason, ...]:
    """Return every eligibility rule the professional fails, in Reason's order."""
    fails = {
        Reason.NOT_APPROVED: not pro.approved,
        Reason.INACTIVE: not pro.active,
        Reason.TREATMENT_NOT_OFFERED: (needs.treatment_id, needs.duration_key) not in pro.offers,
        Reason.CITY_NOT_COVERED: not _covers_city(pro, needs),
        Reason.GENDER_MISMATCH: not _gender_matches(pro, needs),
        Reason.NOT_WORKING_THEN: not _works_then(pro.hours, needs),
        Reason.BUSY: is_busy(pro.busy, needs, buffer),
        Reason.DECLINED: pro.declined,
    }
    return tuple(reason for reason in Reason if fails[reason])


def coverage(
    *,
    city_ids: Iterable[str],
    base: tuple[float, float] | None,
    radius_km: float | None,
    cities: Mapping[str, tuple[float, float]],
    standing: float,
) -> list[CityCoverage]:
    """Return every city of `cities` the professional covers, by list or radius, with their score there."""
    listed = set(city_ids)
    entries = []
    for city_id, location in cities.items():
        by_list = city_id in listed
        if by_list or _within_radius(base, radius_km, location):
            distance = haversine_km(base, location) if base is not None else None
            entries.append(CityCoverage(city_id, not by_list, distance, match_score(standing, distance)))
    return entries


def evaluate(
    pro: ProfessionalFacts, needs: BookingNeeds, *, travel_buffer: timedelta = TRAVEL_BUFFER
) -> Evaluation:
    """Return whether `pro` may take the booking, why not, and how well they match it."""
    reasons = _reasons(pro, needs, travel_buffer)
    distance_km = haversine_km(pro.base, needs.city_location) if pro.base is not None else None
    parts = {"distance": distance_part(distance_km), **standing_parts(pro)}
    return Evaluation(
        professional_id=pro.professional_id,
        name=pro.name,
        eligible=not reasons,
        reasons=reasons,
        match_score=match_score(standing_score(pro), distance_km),
        score_parts={name: round(value, 4) for name, value in parts.items()},
        distance_km=distance_km,
    )


def rank(
    pros: Iterable[ProfessionalFacts], needs: BookingNeeds, *, travel_buffer: timedelta = TRAVEL_BUFFER
) -> list[Evaluation]:
    """Return everyone evaluated: eligible by score then id, then the excluded by name."""
    evaluations = [evaluate(pro, needs, travel_buffer=travel_buffer) for pro in pros]
    eligible = [e for e in evaluations if e.eligible]
    excluded = [e for e in evaluations if not e.eligible]
    # Sort on the rounded score so that what the admin sees as a tie is broken by id, not float noise.
    eligible.sort(key=lambda e: (-e.match_score, e.professional_id))
    excluded.sort(key=lambda e: (e.name, e.professional_id))
    return eligible + excluded
