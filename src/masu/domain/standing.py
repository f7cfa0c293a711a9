"""A professional's standing: the parts of their match score that do not depend on the booking.

Rating (a Bayesian average with a prior of 4.0 over 3 reviews), responsiveness (Laplace acceptance times the
share of offers answered, and answer speed) and fairness (fewer recent jobs rank higher), weighted with the
distance to the booking's city (WEIGHTS) into the match score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

# Read-only so that no caller can skew every later ranking by mutating the shared weights.
WEIGHTS: Mapping[str, float] = MappingProxyType(
    {"distance": 0.30, "rating": 0.30, "responsiveness": 0.25, "fairness": 0.15}
)

_DISTANCE_CAP_KM = 50.0
_PRIOR_RATING = 4.0
_PRIOR_REVIEWS = 3
_SPEED_CAP_SECONDS = 900.0
_FAIRNESS_JOBS = 5.0
_UNKNOWN = 0.5  # neither rewarded nor punished for what we do not know


class TrackRecord(Protocol):
    """A professional's history as far as it bears on their standing."""

    @property
    def rating_average(self) -> float | None: ...
    @property
    def rating_count(self) -> int: ...
    @property
    def offers_answered(self) -> int: ...
    @property
    def offers_accepted(self) -> int: ...
    @property
    def offers_received(self) -> int: ...
    @property
    def median_response_seconds(self) -> float | None: ...
    @property
    def recent_jobs(self) -> int: ...


@dataclass(frozen=True, slots=True)
class ProfessionalRecord:
    """A track record's figures; the defaults are a newcomer's (no reviews, offers or jobs)."""

    rating_average: float | None = None
    rating_count: int = 0
    offers_answered: int = 0
    offers_accepted: int = 0
    offers_received: int = 0
    median_response_seconds: float | None = None
    recent_jobs: int = 0


def _clamp(value: float) -> float:
    """Return `value` limited to [0, 1], so inconsistent counts cannot push a part out of range."""
    return min(1.0, max(0.0, value))


def distance_part(distance_km: float | None) -> float:
    """Return 1 at the city, falling to 0 at the cap; neutral when the base is unknown."""
    if distance_km is None:
        return _UNKNOWN
    return 1.0 - min(distance_km, _DISTANCE_CAP_KM) / _DISTANCE_CAP_KM


def _rating_part(pro: TrackRecord) -> float:
    """Return the Bayesian average rating mapped from [1, 5] to [0, 1]."""
    count = max(pro.rating_count, 0) if pro.rating_average is not None else 0
    total = (pro.rating_average or 0.0) * count + _PRIOR_RATING * _PRIOR_REVIEWS
    return _clamp((total / (count + _PRIOR_REVIEWS) - 1.0) / 4.0)


def _responsiveness_part(pro: TrackRecord) -> float:
    """Return 60% Laplace acceptance (times the answered share) plus 40% answer speed."""
    answered, received = max(pro.offers_answered, 0), max(pro.offers_received, 0)
    acceptance = _clamp((max(pro.offers_accepted, 0) + 1) / (answered + 2))
    answered_share = _clamp((answered + 1) / (received + 1))
    if pro.median_response_seconds is None:
        speed = _UNKNOWN
    else:
        speed = 1.0 - min(max(pro.median_response_seconds, 0.0), _SPEED_CAP_SECONDS) / _SPEED_CAP_SECONDS
    return 0.6 * acceptance * answered_share + 0.4 * speed


def _fairness_part(pro: TrackRecord) -> float:
    """Return 1 for no recent jobs, halving at five."""
    return 1.0 / (1.0 + max(pro.recent_jobs, 0) / _FAIRNESS_JOBS)


def standing_parts(record: TrackRecord) -> dict[str, float]:
    """Return the three parts of the score that do not depend on the booking."""
    return {
        "rating": _rating_part(record),
        "responsiveness": _responsiveness_part(record),
        "fairness": _fairness_part(record),
    }


def standing_score(record: TrackRecord) -> float:
    """Return the weighted rating, responsiveness and fairness: the score less its distance part."""
    return sum(WEIGHTS[name] * value for name, value in standing_parts(record).items())


def match_score(standing: float, distance_km: float | None) -> float:
    """Return the match score, rounded as shown, from the standing and the distance to the city."""
    return round(_clamp(standing + WEIGHTS["distance"] * distance_part(distance_km)), 4)
