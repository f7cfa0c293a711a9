"""The one backoff: doubling from the base up to the cap, jittered into the upper half of each step."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from masu.domain.retries import backoff_delay

attempts = st.integers(min_value=1, max_value=10_000)
bases = st.integers(min_value=1, max_value=10**6).map(lambda ms: timedelta(milliseconds=ms))
caps = st.integers(min_value=1, max_value=10**9).map(lambda ms: timedelta(milliseconds=ms))
fractions = st.floats(min_value=0.0, max_value=1.0, exclude_max=True)


@pytest.mark.parametrize(
    ("attempt", "expected"),
    [(0, 5), (1, 5), (2, 10), (3, 20), (4, 40), (9, 1280), (10, 1800), (10_000, 1800)],
)
def test_the_delay_doubles_from_the_base_up_to_the_cap(attempt: int, expected: int) -> None:
    delay = backoff_delay(attempt, base=timedelta(seconds=5), cap=timedelta(minutes=30))
    assert delay == timedelta(seconds=expected)


@given(attempt=attempts, base=bases, cap=caps)
def test_without_jitter_never_below_the_base_nor_above_the_cap(
    attempt: int, base: timedelta, cap: timedelta
) -> None:
    assume(base <= cap)
    assert base <= backoff_delay(attempt, base=base, cap=cap) <= cap


@given(attempt=attempts, base=bases, cap=caps)
def test_without_jitter_the_delay_never_shrinks(attempt: int, base: timedelta, cap: timedelta) -> None:
    assert backoff_delay(attempt, base=base, cap=cap) <= backoff_delay(attempt + 1, base=base, cap=cap)


@given(attempt=attempts, base=bases, cap=caps, fraction=fractions)
def test_jitter_keeps_the_delay_in_the_upper_half_of_its_step_never_above_the_cap(
    attempt: int, base: timedelta, cap: timedelta, fraction: float
) -> None:
    step = backoff_delay(attempt, base=base, cap=cap)
    delay = backoff_delay(attempt, base=base, cap=cap, jitter=lambda: fraction)
    assert step / 2 <= delay <= step <= cap
    if attempt >= 2 and base * 2 <= cap:  # from the second retry on, even the shortest wait is the base
        assert delay >= base


def test_the_jitter_is_drawn_once_per_delay_from_the_source() -> None:
    seeded, reference = random.Random(7), random.Random(7)
    delays = [
        backoff_delay(n, base=timedelta(seconds=10), cap=timedelta(hours=1), jitter=seeded.random)
        for n in (1, 2, 3)
    ]
    # As `uniform(0.5, 1.0)` of the same source draws: the policies' retry times did not move.
    assert delays == [timedelta(seconds=10 * 2 ** (n - 1)) * reference.uniform(0.5, 1.0) for n in (1, 2, 3)]
