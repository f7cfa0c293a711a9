"""Log-in throttling: failures per phone, then a lock that doubles, and failures per client address.

A phone's attempts are counted in series. Each password check takes one of the series' allowance
(LOGIN_FAILURES_PER_PHONE) before it runs, so concurrent guesses cannot slip past it (an attempt finding every
place taken by checks still running is asked to retry in a second); a right password gives its place back by
ending the series. When a series is used up the phone is locked (1 minute, then twice as
long for each further lock, up to 1 hour) and the next series starts when the lock ends. While locked, even
the right password is refused. A successful log-in forgets the locks. Failures per address are counted after
the check, so right passwords never count against an address.

The lock state sits beside `limits`' counters in the same storage, as plain expiring counters.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import structlog
from limits.aio.storage import Storage

from masu.services.throttle import Throttle, ThrottleKind, refused, seconds_until

_log = structlog.get_logger(__name__)
_PHONE = ThrottleKind.LOGIN_FAILURE_PHONE
_ADDRESS = ThrottleKind.LOGIN_FAILURE_ADDRESS


class LoginGuard:
    """Admits password checks for a phone and a client address, and learns from their outcome."""

    def __init__(self, throttle: Throttle) -> None:
        self._throttle = throttle
        self._storage: Storage = throttle.storage
        self._policy = throttle.policy

    async def begin(self, *, phone: str | None, address: str) -> LoginAttempt:
        """Admit one password check; RateLimited when the phone is locked or the address has no room."""
        await self._throttle.check(_ADDRESS, address)
        if phone is None:  # not a phone number at all: only the address counts
            return LoginAttempt(self, phone=None, series=0, address=address)
        series = await self._get(_series_key(phone))
        await self._refuse_if_locked(phone, series)
        if not await self._throttle.try_hit(_PHONE, f"{phone}/{series}"):
            # The series' checks are all taken by attempts still running: come back in a moment; the lock,
            # if they fail, is theirs to set (right passwords among them end the series instead).
            raise refused(_PHONE, 1)
        return LoginAttempt(self, phone=phone, series=series, address=address)

    async def _refuse_if_locked(self, phone: str, series: int) -> None:
        if series == 0:
            return
        key = _lock_key(phone, series - 1)
        if await self._get(key) > 0:
            raise refused(_PHONE, await self._seconds_left(key))

    async def _lock(self, phone: str, series: int) -> None:
        """Lock the phone at the end of `series` (once, whoever gets here first)."""
        level = await self._get(_level_key(phone))
        seconds = min(self._policy.lock_seconds * 2 ** min(level, 20), self._policy.lock_max_seconds)
        key = _lock_key(phone, series)
        if await self._incr(key, seconds) == 1:
            memory = self._policy.lock_memory_seconds
            await self._incr(_level_key(phone), memory)
            await self._incr(_series_key(phone), memory)
            _log.info("login_locked", phone_suffix=phone[-4:], seconds=seconds, lock_number=level + 1)

    async def failed(self, attempt: LoginAttempt) -> None:
        """Count a wrong password against the address; lock the phone when its series is used up."""
        await self._throttle.try_hit(_ADDRESS, attempt.address)
        if attempt.phone is not None and not await self._throttle.remaining(
            _PHONE, f"{attempt.phone}/{attempt.series}"
        ):
            await self._lock(attempt.phone, attempt.series)

    async def succeeded(self, attempt: LoginAttempt) -> None:
        """Forget the phone's failures and locks: the next attempt starts a fresh series."""
        if attempt.phone is None:
            return
        await self._clear(_lock_key(attempt.phone, attempt.series))
        await self._clear(_level_key(attempt.phone))
        await self._throttle.clear(_PHONE, f"{attempt.phone}/{attempt.series}")
        await self._incr(_series_key(attempt.phone), self._policy.lock_memory_seconds)

    async def _get(self, key: str) -> int:
        return await self._throttle.safely(self._storage.get(key), default=0)

    async def _incr(self, key: str, expiry: int) -> int:
        return await self._throttle.safely(self._storage.incr(key, expiry), default=0)

    async def _clear(self, key: str) -> None:
        await self._throttle.safely(self._storage.clear(key), default=None)

    async def _seconds_left(self, key: str) -> int:
        expiry = await self._throttle.safely(self._storage.get_expiry(key), default=time.time() + 60)
        return seconds_until(expiry)


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """One admitted password check: report its outcome with `failed()` or `succeeded()`."""

    guard: LoginGuard
    phone: str | None
    series: int
    address: str

    async def failed(self) -> None:
        """The password was wrong (or the account unusable)."""
        await self.guard.failed(self)

    async def succeeded(self) -> None:
        """The password was right."""
        await self.guard.succeeded(self)


def _series_key(phone: str) -> str:
    return f"masu-login/{phone}/series"


def _level_key(phone: str) -> str:
    return f"masu-login/{phone}/level"


def _lock_key(phone: str, series: int) -> str:
    return f"masu-login/{phone}/lock/{series}"
