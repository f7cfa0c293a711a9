"""The circuit breaker: opens after consecutive failures, keeps calls from the provider, half-opens, closes.

Run against the local provider server (counting the requests it saw), in memory and through a real Redis.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from masu.clock import SettableClock
from masu.notifications.ports import TransientProviderError
from masu.notifications.providers import SMS, Providers
from masu.notifications.resilience import (
    BreakerStore,
    CircuitBreaker,
    MemoryBreakerStore,
    ProviderUnavailable,
    RedisBreakerStore,
)
from masu.persistence.cache import key_prefix_for
from tests.conftest import NOW, redis_url
from tests.notifications.sms_provider import (
    FakeSmsProvider,
    http_providers,
    provider_settings,
    running_sms_provider,
)

THRESHOLD, RESET = 5, 60
PREFIX = "masu:breaker-test:"
# Where the providers of the default settings keep their SMS breaker in Redis.
SMS_BREAKER_KEY = key_prefix_for(provider_settings().DATABASE_URL) + "breaker:sms-http"


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url())
    yield client
    await client.aclose()


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def redis_or_none(request: pytest.FixtureRequest) -> AsyncIterator[Redis | None]:
    if request.param == "memory":
        yield None
        return
    client = Redis.from_url(redis_url())
    await client.delete(SMS_BREAKER_KEY)
    yield client
    await client.delete(SMS_BREAKER_KEY)
    await client.aclose()


@pytest.fixture
async def sms_api() -> AsyncIterator[FakeSmsProvider]:
    async with running_sms_provider() as provider:
        yield provider


async def _send(providers: Providers, key: str) -> str:
    return await providers.send(channel=SMS, to="+972521234567", subject=None, body="hi", idempotency_key=key)


async def test_the_breaker_opens_stops_calls_half_opens_and_closes(
    sms_api: FakeSmsProvider, clock: SettableClock, redis_or_none: Redis | None
) -> None:
    providers = http_providers(
        sms_api,
        clock,
        redis=redis_or_none,
        PROVIDER_RETRY_ATTEMPTS=3,
        BREAKER_FAILURE_THRESHOLD=THRESHOLD,
        BREAKER_RESET_SECONDS=RESET,
    )
    sms_api.down = True
    with pytest.raises(TransientProviderError):
        await _send(providers, "a")  # three failed calls
    with pytest.raises(TransientProviderError):
        await _send(providers, "b")  # two more: the fifth opens the breaker, the third try is not made
    assert len(sms_api.requests) == THRESHOLD
    assert (await providers.breaker(SMS).state()).state == "open"

    for step in (0, 30, 59):
        clock.set(NOW + timedelta(seconds=step))
        with pytest.raises(ProviderUnavailable) as unavailable:
            await _send(providers, "c")
        assert unavailable.value.retry_at == NOW + timedelta(seconds=RESET)
    assert len(sms_api.requests) == THRESHOLD  # nothing reached the provider while open

    clock.set(NOW + timedelta(seconds=RESET))
    assert (await providers.breaker(SMS).state()).state == "half_open"
    with pytest.raises(TransientProviderError):
        await _send(providers, "c")  # the trial call fails: open again, no retry
    assert len(sms_api.requests) == THRESHOLD + 1
    with pytest.raises(ProviderUnavailable):
        await _send(providers, "c")

    clock.set(NOW + timedelta(seconds=2 * RESET))
    sms_api.down = False
    assert await _send(providers, "c") == sms_api.messages["c"]  # the trial succeeds: closed
    assert (await providers.breaker(SMS).state()).state == "closed"
    await _send(providers, "d")
    assert len(sms_api.requests) == THRESHOLD + 3
    await providers.aclose()


@pytest.mark.redis
async def test_deployments_sharing_a_redis_keep_their_own_breakers(
    sms_api: FakeSmsProvider, clock: SettableClock, redis: Redis
) -> None:
    databases = [f"sqlite+aiosqlite:////srv/{name}/masu.db" for name in ("production", "staging")]
    production, staging = (
        http_providers(sms_api, clock, redis=redis, DATABASE_URL=url, BREAKER_FAILURE_THRESHOLD=1)
        for url in databases
    )
    sms_api.down = True
    try:
        with pytest.raises(TransientProviderError):
            await _send(production, "a")

        assert (await production.breaker(SMS).state()).state == "open"
        assert (await staging.breaker(SMS).state()).state == "closed"
    finally:
        for url in databases:
            await redis.delete(key_prefix_for(url) + "breaker:sms-http")
        await production.aclose()
        await staging.aclose()


async def test_a_success_resets_the_count_of_consecutive_failures(
    sms_api: FakeSmsProvider, clock: SettableClock
) -> None:
    providers = http_providers(sms_api, clock, PROVIDER_RETRY_ATTEMPTS=1, BREAKER_FAILURE_THRESHOLD=3)
    sms_api.script = [500, 500, 201, 500, 500]
    for key in "abcde":
        with contextlib.suppress(TransientProviderError):
            await _send(providers, key)
    state = await providers.breaker(SMS).state()
    assert (state.state, state.failures) == ("closed", 2)
    await providers.aclose()


def _breaker(store: BreakerStore, clock: SettableClock, name: str) -> CircuitBreaker:
    return CircuitBreaker(name, store=store, clock=clock, failure_threshold=2, reset_seconds=RESET)


@pytest.mark.redis
async def test_breakers_of_two_processes_share_their_state_through_redis(
    redis: Redis, clock: SettableClock
) -> None:
    name = f"sms-test-{uuid.uuid4().hex}"
    other_client = Redis.from_url(redis_url())
    here = _breaker(RedisBreakerStore(redis, PREFIX), clock, name)
    there = _breaker(RedisBreakerStore(other_client, PREFIX), clock, name)
    try:
        await here.record_failure()
        await there.record_failure()  # the second consecutive failure, seen from another process
        assert await here.acquire() == NOW + timedelta(seconds=RESET)
        assert (await there.state()).state == "open"

        clock.advance(timedelta(seconds=RESET))
        assert await there.acquire() is None  # the one trial call of the half-open breaker...
        assert await here.acquire() == NOW + timedelta(seconds=2 * RESET)  # ...is not given twice
        await there.record_success()
        assert await here.acquire() is None
        assert (await here.state()).state == "closed"
    finally:
        await redis.delete(PREFIX + name)
        await other_client.aclose()


async def test_the_memory_store_gives_the_trial_call_once(clock: SettableClock) -> None:
    store = MemoryBreakerStore()
    first, second = _breaker(store, clock, "sms"), _breaker(store, clock, "sms")
    await first.record_failure()
    await first.record_failure()
    clock.advance(timedelta(seconds=RESET))
    assert await first.acquire() is None
    assert await second.acquire() is not None
    await first.record_failure()
    assert (await second.state()).state == "open"


async def test_an_unreachable_store_lets_calls_through(clock: SettableClock) -> None:
    client = Redis.from_url("redis://127.0.0.1:1/0", retry=Retry(NoBackoff(), 0))
    breaker = _breaker(RedisBreakerStore(client, PREFIX), clock, "sms")
    try:
        await breaker.record_failure()
        assert await breaker.acquire() is None
    finally:
        await client.aclose()
