"""Resilience around provider calls: tenacity retries of transient errors, and a circuit breaker per provider.

The breaker is closed (calls go through) until BREAKER_FAILURE_THRESHOLD consecutive calls fail; then it is
open (no call goes out) for BREAKER_RESET_SECONDS; then half-open: one trial call is let through (the others
wait for it), and its success closes the breaker while its failure opens it again. Its state lives in Redis
when there is one, changed only by Lua scripts (atomic), so every worker process sees and moves the same
breaker; in process memory otherwise. Time is the clock's, so tests step a breaker through its states.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import structlog
from redis.asyncio import Redis
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential
from tenacity.wait import WaitBaseT

from masu.clock import Clock
from masu.notifications.ports import PermanentProviderError, TransientProviderError
from masu.observability.metrics import PROVIDER_BREAKER_OPENED

_log = structlog.get_logger(__name__)

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"
# Between provider calls of one message: 0.1 s, 0.2 s, ... with full jitter, never more than 2 s.
DEFAULT_RETRY_WAIT: WaitBaseT = wait_random_exponential(multiplier=0.1, max=2)


class ProviderUnavailable(Exception):
    """The provider's breaker is open: nothing was sent; it may be tried again at `retry_at`."""

    def __init__(self, provider: str, retry_at: datetime) -> None:
        super().__init__(f"{provider} is unavailable until {retry_at.isoformat()}")
        self.provider = provider
        self.retry_at = retry_at


@dataclass(frozen=True, slots=True)
class Gate:
    """A breaker's stored state: consecutive failures, open until, a trial call's turn until (epoch s)."""

    failures: int = 0
    open_until: float = 0.0
    probe_until: float = 0.0


class BreakerStore(Protocol):
    """Keeps breakers' state; each operation is atomic."""

    async def acquire(self, name: str, *, now: float, probe_seconds: float) -> float | None:
        """None when a call may go out now (claiming the trial turn when half-open); else blocked until."""
        ...

    async def record_failure(self, name: str, *, now: float, threshold: int, reset_seconds: float) -> bool:
        """Count a failed call; open the breaker at the threshold or on a failed trial; True if it opened."""
        ...

    async def record_success(self, name: str) -> None:
        """Close the breaker and forget its failures."""
        ...

    async def read(self, name: str) -> Gate:
        """The stored state."""
        ...


class MemoryBreakerStore:
    """Breaker state in this process (a single process, or tests)."""

    def __init__(self) -> None:
        self._gates: dict[str, Gate] = {}

    async def acquire(self, name: str, *, now: float, probe_seconds: float) -> float | None:
        """None when a call may go out now (claiming the trial turn when half-open); else blocked until."""
        gate = self._gates.get(name, Gate())
        if gate.open_until == 0 or (now >= gate.open_until and gate.probe_until <= now):
            if gate.open_until:
                self._gates[name] = Gate(gate.failures, gate.open_until, now + probe_seconds)
            return None
        return gate.open_until if now < gate.open_until else gate.probe_until

    async def record_failure(self, name: str, *, now: float, threshold: int, reset_seconds: float) -> bool:
        """Count a failed call; open the breaker at the threshold or on a failed trial; True if it opened."""
        gate = self._gates.get(name, Gate())
        failures = gate.failures + 1
        if gate.open_until or failures >= threshold:
            self._gates[name] = Gate(failures, now + reset_seconds, 0.0)
            return gate.open_until == 0 or now >= gate.open_until
        self._gates[name] = Gate(failures, 0.0, 0.0)
        return False

    async def record_success(self, name: str) -> None:
        """Close the breaker and forget its failures."""
        self._gates.pop(name, None)

    async def read(self, name: str) -> Gate:
        """The stored state."""
        return self._gates.get(name, Gate())


# Lua numbers come back to Redis as integers, so times travel as strings.
_ACQUIRE = """
local open_until = tonumber(redis.call('HGET', KEYS[1], 'open_until') or '0')
if open_until == 0 then return false end
local now = tonumber(ARGV[1])
if now < open_until then return tostring(open_until) end
local probe_until = tonumber(redis.call('HGET', KEYS[1], 'probe_until') or '0')
if probe_until <= now then
  redis.call('HSET', KEYS[1], 'probe_until', tostring(now + tonumber(ARGV[2])))
  return false
end
return tostring(probe_until)
"""
_RECORD_FAILURE = """
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local open_until = tonumber(redis.call('HGET', KEYS[1], 'open_until') or '0')
local now = tonumber(ARGV[1])
if open_until > 0 or failures >= tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'open_until', tostring(now + tonumber(ARGV[3])), 'probe_until', '0')
  if open_until == 0 or now >= open_until then return 1 end
end
return 0
"""


class RedisBreakerStore:
    """Breaker state shared by every process through Redis (one hash per breaker, named `prefix` + name)."""

    def __init__(self, client: Redis, prefix: str) -> None:
        self._client = client
        self._prefix = prefix
        self._acquire = client.register_script(_ACQUIRE)
        self._record_failure = client.register_script(_RECORD_FAILURE)

    async def acquire(self, name: str, *, now: float, probe_seconds: float) -> float | None:
        """None when a call may go out now (claiming the trial turn when half-open); else blocked until."""
        blocked: Any = await self._acquire(keys=[self._prefix + name], args=[repr(now), repr(probe_seconds)])
        return None if blocked is None else float(blocked)

    async def record_failure(self, name: str, *, now: float, threshold: int, reset_seconds: float) -> bool:
        """Count a failed call; open the breaker at the threshold or on a failed trial; True if it opened."""
        args = [repr(now), str(threshold), repr(reset_seconds)]
        opened: Any = await self._record_failure(keys=[self._prefix + name], args=args)
        return bool(opened)

    async def record_success(self, name: str) -> None:
        """Close the breaker and forget its failures."""
        await self._client.delete(self._prefix + name)

    async def read(self, name: str) -> Gate:
        """The stored state."""
        raw: dict[Any, Any] = await self._client.hgetall(self._prefix + name)
        fields = {_text(key): float(_text(value)) for key, value in raw.items()}
        return Gate(
            int(fields.get("failures", 0)), fields.get("open_until", 0.0), fields.get("probe_until", 0.0)
        )


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


@dataclass(frozen=True, slots=True)
class BreakerState:
    """What an admin or a health check sees of a breaker."""

    provider: str
    state: str
    failures: int
    retry_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        """The state as JSON-friendly data."""
        retry_at = self.retry_at.isoformat() if self.retry_at else None
        return {
            "provider": self.provider,
            "state": self.state,
            "failures": self.failures,
            "retryAt": retry_at,
        }


class CircuitBreaker:
    """One provider's breaker; if its store cannot be reached it lets calls through (fails open)."""

    def __init__(
        self, name: str, *, store: BreakerStore, clock: Clock, failure_threshold: int, reset_seconds: float
    ) -> None:
        self.name = name
        self._store = store
        self._clock = clock
        self._threshold = failure_threshold
        self._reset_seconds = reset_seconds

    async def acquire(self) -> datetime | None:
        """None when a call may go out now; else the time the breaker may let a trial call through."""
        try:
            blocked = await self._store.acquire(
                self.name, now=self._clock.now().timestamp(), probe_seconds=self._reset_seconds
            )
        except Exception as exc:  # a breaker that cannot be read must not stop every message
            _store_unavailable(self.name, exc)
            return None
        return None if blocked is None else datetime.fromtimestamp(blocked, UTC)

    async def record_failure(self) -> None:
        """Count a failed call; may open the breaker (logged and counted)."""
        try:
            opened = await self._store.record_failure(
                self.name,
                now=self._clock.now().timestamp(),
                threshold=self._threshold,
                reset_seconds=self._reset_seconds,
            )
        except Exception as exc:  # as in acquire: the store's outage must not turn into a message failure
            _store_unavailable(self.name, exc)
            return
        if opened:
            PROVIDER_BREAKER_OPENED.labels(provider=self.name).inc()
            _log.warning("breaker_opened", provider=self.name, reset_seconds=self._reset_seconds)

    async def record_success(self) -> None:
        """A call went through: close the breaker."""
        try:
            await self._store.record_success(self.name)
        except Exception as exc:  # as in acquire
            _store_unavailable(self.name, exc)

    async def state(self) -> BreakerState:
        """Closed, open (until retryAt) or half-open; raises when the store cannot be read."""
        gate = await self._store.read(self.name)
        now = self._clock.now().timestamp()
        if gate.open_until == 0:
            return BreakerState(self.name, CLOSED, gate.failures, None)
        if now < gate.open_until:
            return BreakerState(self.name, OPEN, gate.failures, datetime.fromtimestamp(gate.open_until, UTC))
        return BreakerState(self.name, HALF_OPEN, gate.failures, None)


def _store_unavailable(name: str, exc: Exception) -> None:
    _log.warning("breaker_store_unavailable", provider=name, error=f"{type(exc).__name__}: {exc}"[:300])


@dataclass
class _CallRecord:
    calls: int = 0
    last_error: TransientProviderError | None = None


class GuardedProvider:
    """Runs provider calls through a breaker, retrying transient errors with tenacity.

    Each attempt asks the breaker first, and each attempt's outcome moves it: a transient error is a failure,
    an answer (even a refusal of the message) a success. Raises ProviderUnavailable when the breaker kept
    every attempt from going out, else the last provider error.
    """

    def __init__(
        self,
        breaker: CircuitBreaker,
        *,
        attempts: int,
        wait: WaitBaseT = DEFAULT_RETRY_WAIT,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.breaker = breaker
        self._attempts = attempts
        self._wait = wait
        self._sleep = sleep

    async def call(self, operation: Callable[[], Awaitable[str]]) -> str:
        """The operation's result (a provider message id), retried while transient errors allow."""
        record = _CallRecord()
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=self._wait,
            retry=retry_if_exception_type(TransientProviderError),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            return await retrying(self._attempt, operation, record)
        except ProviderUnavailable:
            if record.last_error is not None:  # calls did go out and failed before the breaker opened
                raise record.last_error from None
            raise

    async def _attempt(self, operation: Callable[[], Awaitable[str]], record: _CallRecord) -> str:
        blocked_until = await self.breaker.acquire()
        if blocked_until is not None:
            raise ProviderUnavailable(self.breaker.name, blocked_until)
        record.calls += 1
        try:
            result = await operation()
        except PermanentProviderError:
            await self.breaker.record_success()  # the provider answered: it is up, the message was bad
            raise
        except TransientProviderError as exc:
            record.last_error = exc
            await self.breaker.record_failure()
            raise
        except Exception as exc:  # an adapter's unexpected error is the provider's trouble, not the message's
            record.last_error = TransientProviderError(f"{type(exc).__name__}: {exc}"[:500])
            await self.breaker.record_failure()
            raise record.last_error from exc
        await self.breaker.record_success()
        return result
