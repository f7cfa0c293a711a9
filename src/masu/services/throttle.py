"""Throttles: how often a kind of action may happen per key (a phone, a client address), on `limits`.

Every kind is declared in `ThrottleKind` and given its rate by `ThrottlePolicy` (from the settings). The
counters live in `limits`' storage: Redis when REDIS_URL is set, so every server process shares them, process
memory otherwise. A storage failure never refuses anyone: the call is let through, logged and counted
(fail open), because an outage of Redis must not lock every user out.

Use from other code: `await throttle.hit(ThrottleKind.CODE_SEND_PHONE, phone)` before the action (raises
`RateLimited` with `retry_after_seconds` when no room is left, and then counts nothing), `check` to ask
without counting, `hit_all` to count several keys only when each has room.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

import structlog
from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

from masu.domain.errors import RateLimited
from masu.observability.metrics import THROTTLE_STORAGE_ERRORS

_log = structlog.get_logger(__name__)
_T = TypeVar("_T")


class ThrottleKind(StrEnum):
    """Every throttled action, with the key it is counted by."""

    LOGIN_FAILURE_PHONE = "login-failure-phone"  # counted by LoginGuard, with its lock
    LOGIN_FAILURE_ADDRESS = "login-failure-address"
    SIGNUP_ADDRESS = "signup-address"
    CODE_SEND_PHONE = "code-send-phone"
    CODE_SEND_ADDRESS = "code-send-address"


# The stable `code` of each kind's 429, for API clients and page messages.
REFUSAL_CODES: dict[ThrottleKind, str] = {
    ThrottleKind.LOGIN_FAILURE_PHONE: "login_locked",
    ThrottleKind.LOGIN_FAILURE_ADDRESS: "too_many_login_failures",
    ThrottleKind.SIGNUP_ADDRESS: "too_many_signups",
    ThrottleKind.CODE_SEND_PHONE: "too_many_codes",
    ThrottleKind.CODE_SEND_ADDRESS: "too_many_codes",
}


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """Each kind's rate in `limits` notation ("5/15 minutes"), and the log-in lock's growth."""

    rates: dict[ThrottleKind, str]
    lock_seconds: int = 60
    lock_max_seconds: int = 3600
    lock_memory_seconds: int = 24 * 3600


class Throttle:
    """Moving-window counters per (kind, key) in a `limits` storage, failing open."""

    def __init__(self, storage: Storage, policy: ThrottlePolicy) -> None:
        self.storage = storage
        self.policy = policy
        self._limiter = MovingWindowRateLimiter(storage)
        self._items: dict[ThrottleKind, RateLimitItem] = {
            kind: parse(rate) for kind, rate in policy.rates.items()
        }

    async def check(self, kind: ThrottleKind, key: str) -> None:
        """RateLimited when `key` has no room left for `kind`; counts nothing."""
        if not await self.safely(self._limiter.test(self._items[kind], kind, key), default=True):
            raise await self._refusal(kind, key)

    async def hit(self, kind: ThrottleKind, key: str) -> None:
        """Count one `kind` for `key` (atomically); RateLimited, counting nothing, when there is no room."""
        if not await self.try_hit(kind, key):
            raise await self._refusal(kind, key)

    async def try_hit(self, kind: ThrottleKind, key: str) -> bool:
        """Count one `kind` for `key` if there is room (atomically); whether it was counted."""
        return await self.safely(self._limiter.hit(self._items[kind], kind, key), default=True)

    async def hit_all(self, *hits: tuple[ThrottleKind, str]) -> None:
        """Check every (kind, key), then count each: a refusal of one counts none of them."""
        for kind, key in hits:
            await self.check(kind, key)
        for kind, key in hits:
            await self.hit(kind, key)

    async def remaining(self, kind: ThrottleKind, key: str) -> int:
        """How many more `kind` `key` may do in the window (the whole allowance when storage fails)."""
        item = self._items[kind]
        stats = await self.safely(self._limiter.get_window_stats(item, kind, key), default=None)
        return item.amount if stats is None else stats.remaining

    async def clear(self, kind: ThrottleKind, key: str) -> None:
        """Forget what was counted for `key`."""
        await self.safely(self._limiter.clear(self._items[kind], kind, key), default=None)

    async def safely(self, call: Awaitable[_T], *, default: _T) -> _T:
        """`call`'s answer; `default` (logged, counted) when the storage fails, so nobody is refused."""
        try:
            return await call
        except (StorageError, OSError) as exc:
            THROTTLE_STORAGE_ERRORS.inc()
            _log.warning("throttle_storage_unavailable", error=repr(exc), fail_open=True)
            return default

    async def _refusal(self, kind: ThrottleKind, key: str) -> RateLimited:
        stats = await self.safely(self._limiter.get_window_stats(self._items[kind], kind, key), default=None)
        return refused(kind, seconds_until(stats.reset_time) if stats is not None else 60)


def refused(kind: ThrottleKind, retry_after_seconds: int) -> RateLimited:
    """The RateLimited error of `kind`, with its stable code."""
    return RateLimited(
        "too many attempts; try again later",
        retry_after_seconds=retry_after_seconds,
        code=REFUSAL_CODES[kind],
    )


def seconds_until(moment: float) -> int:
    """Whole seconds from now until the epoch time `moment`, at least 1 (a Retry-After value)."""
    # limits measures its windows on the wall clock, so this does too (not the application's clock).
    return max(1, math.ceil(moment - time.time()))
