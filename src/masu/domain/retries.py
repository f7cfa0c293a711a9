"""How long to wait before trying again: one exponential backoff for every retry policy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

# Doubling stops here: 2^20 times any sensible base is far beyond any cap, and the shift stays small.
_MAX_DOUBLINGS = 20


def backoff_delay(
    attempt: int, *, base: timedelta, cap: timedelta, jitter: Callable[[], float] | None = None
) -> timedelta:
    """The wait after failed attempt number `attempt` (1 = the first): base·2^(attempt-1), at most `cap`.

    With `jitter`, a source of fractions in [0, 1) such as `random.Random().random`, the wait is drawn from
    the upper half of that (between half and all of it), so retries of failures that came together spread out.
    """
    ceiling = min(cap, base * (1 << min(max(0, attempt - 1), _MAX_DOUBLINGS)))
    if jitter is None:
        return ceiling
    return ceiling * (0.5 + 0.5 * jitter())
