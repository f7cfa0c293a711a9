"""Israeli mobile numbers and the visit-time window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from masu.domain.booking_rules import check_visit_time, retry_after_seconds
from masu.domain.errors import ValidationFailed
from masu.domain.phones import normalize_israeli_mobile


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("052-1234567", "+972521234567"),
        ("0521234567", "+972521234567"),
        ("+972521234567", "+972521234567"),
        ("+972-54-000-0001", "+972540000001"),
        (" 050 000 0001 ", "+972500000001"),
        ("972521234567", "+972521234567"),
    ],
)
def test_israeli_mobiles_are_stored_in_e164(raw: str, e164: str) -> None:
    assert normalize_israeli_mobile(raw, field="phone") == e164


@pytest.mark.parametrize(
    "raw",
    ["03-1234567", "+14155550123", "052-123456", "052-12345678", "phone", "", "+972 3 123 4567", "5" * 25],
)
def test_everything_else_is_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        normalize_israeli_mobile(raw, field="recipientPhone")
    assert refused.value.field == "recipientPhone"


NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
LEAD, HORIZON = timedelta(hours=2), timedelta(days=30)


@pytest.mark.parametrize("offset", [LEAD, LEAD + timedelta(seconds=1), HORIZON, timedelta(days=10)])
def test_visits_inside_the_window_pass(offset: timedelta) -> None:
    check_visit_time(NOW + offset, now=NOW, min_lead=LEAD, max_horizon=HORIZON)


@pytest.mark.parametrize(
    ("offset", "message"),
    [
        (LEAD - timedelta(seconds=1), "at least 2 hours"),
        (timedelta(days=-1), "at least 2 hours"),
        (HORIZON + timedelta(seconds=1), "at most 30 days"),
    ],
)
def test_visits_outside_the_window_are_refused(offset: timedelta, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message) as refused:
        check_visit_time(NOW + offset, now=NOW, min_lead=LEAD, max_horizon=HORIZON)
    assert refused.value.field == "bookingDateTime"


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (timedelta(minutes=10), 3000),
        (timedelta(minutes=59, seconds=59, microseconds=500), 1),
        (timedelta(0), 3600),
    ],
)
def test_retry_after_counts_until_the_oldest_leaves_the_window(age: timedelta, expected: int) -> None:
    assert retry_after_seconds(NOW - age, now=NOW, window=timedelta(hours=1)) == expected
