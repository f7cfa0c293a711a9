"""The configurable rules the booking services enforce."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from masu.domain.visit_timing import DEFAULT_ON_WAY_LEAD


@dataclass(frozen=True, slots=True)
class BookingPolicy:
    """Lead time, horizon, rate limit, cut-off and feature switches, from Settings."""

    min_lead: timedelta = timedelta(hours=2)
    max_horizon: timedelta = timedelta(days=30)
    max_bookings_per_hour: int = 5
    cancellation_cutoff: timedelta = timedelta(hours=2)
    payment_gateway_enabled: bool = False
    reviews_enabled: bool = True
    matching_enabled: bool = True
    wave_size: int = 5
    offer_timeout: timedelta = timedelta(minutes=15)
    payment_gateway: str = "none"  # which gateway new payments go through (PAYMENT_GATEWAY)
    payment_timeout: timedelta = timedelta(minutes=30)  # unpaid bookings are cancelled after this
    on_way_lead: timedelta = DEFAULT_ON_WAY_LEAD  # the earliest "on my way" before the visit
