"""When a visit's steps may happen: table-driven, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from masu.domain.errors import TooEarly
from masu.domain.lifecycle import Action
from masu.domain.visit_timing import VisitTiming, check_in_time, could_have_happened

VISIT = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
HOUR = VisitTiming(starts_at=VISIT, duration=timedelta(minutes=60))
STARTED_EARLY = VisitTiming(
    starts_at=VISIT, duration=timedelta(minutes=60), started_at=VISIT - timedelta(minutes=20)
)


@pytest.mark.parametrize(
    ("action", "timing", "now", "code"),
    [
        (Action.DEPART, HOUR, VISIT - timedelta(minutes=181), "too_early_on_way"),
        (Action.DEPART, HOUR, VISIT - timedelta(minutes=180), None),
        (Action.START, HOUR, VISIT - timedelta(minutes=31), "too_early_to_start"),
        (Action.START, HOUR, VISIT - timedelta(minutes=30), None),
        (Action.COMPLETE, HOUR, VISIT + timedelta(minutes=29), "too_early_to_complete"),
        (Action.COMPLETE, HOUR, VISIT + timedelta(minutes=30), None),
        (Action.COMPLETE, STARTED_EARLY, VISIT + timedelta(minutes=9), "too_early_to_complete"),
        (Action.COMPLETE, STARTED_EARLY, VISIT + timedelta(minutes=10), None),
        (Action.CANCEL, HOUR, VISIT - timedelta(days=3), None),
    ],
)
def test_each_step_waits_for_its_moment(
    action: Action, timing: VisitTiming, now: datetime, code: str | None
) -> None:
    if code is None:
        check_in_time(action, timing, now=now)
        return
    with pytest.raises(TooEarly) as refused:
        check_in_time(action, timing, now=now)
    assert refused.value.code == code
    assert refused.value.earliest_at > now


def test_the_on_way_lead_is_the_policy_s() -> None:
    wide = VisitTiming(starts_at=VISIT, duration=timedelta(minutes=60), on_way_lead=timedelta(hours=5))
    check_in_time(Action.DEPART, wide, now=VISIT - timedelta(hours=5))
    with pytest.raises(TooEarly):
        check_in_time(Action.DEPART, wide, now=VISIT - timedelta(hours=5, minutes=1))


def test_a_visit_could_have_happened_only_once_half_of_it_could_be_given() -> None:
    hour = timedelta(minutes=60)
    assert not could_have_happened(VISIT, hour, now=VISIT - timedelta(minutes=1))
    assert could_have_happened(VISIT, hour, now=VISIT)
