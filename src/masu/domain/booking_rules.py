"""Rules a new booking must satisfy that do not need the database."""

from __future__ import annotations

from datetime import datetime, timedelta

from masu.domain.errors import ValidationFailed


def check_visit_time(
    starts_at: datetime, *, now: datetime, min_lead: timedelta, max_horizon: timedelta
) -> None:
    """Refuse a visit sooner than `min_lead` or later than `max_horizon` from `now`."""
    if starts_at.tzinfo is None:
        raise ValidationFailed("bookingDateTime", "must include a UTC offset, e.g. 2026-12-01T18:00:00+02:00")
    if starts_at < now + min_lead:
        hours = min_lead.total_seconds() / 3600
        raise ValidationFailed("bookingDateTime", f"must be at least {hours:g} hours from now")
    if starts_at > now + max_horizon:
        raise ValidationFailed("bookingDateTime", f"must be at most {max_horizon.days} days from now")


def retry_after_seconds(oldest_in_window: datetime, *, now: datetime, window: timedelta) -> int:
    """Seconds until the oldest booking in the rate-limit window leaves it (at least 1)."""
    remaining = oldest_in_window + window - now
    return max(1, int(remaining.total_seconds()) + (1 if remaining.microseconds else 0))
