"""An SMS provider outage under load, and concurrent delivery passes, against the local HTTP provider.

The provider records every request with its idempotency key, so "nothing lost, nothing sent twice, nothing
sent while the breaker is open" is counted on the provider's side.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from tenacity import wait_none

from masu.bootstrap import Container, build_container, delivery_policy
from masu.clock import SettableClock
from masu.notifications.delivery import deliver_due_notifications
from masu.notifications.providers import SMS, build_providers
from masu.persistence.models import Notification
from masu.worker.runner import Worker
from tests.conftest import NOW, settings_for
from tests.notifications.rows import message, queue
from tests.notifications.sms_provider import FakeSmsProvider, running_sms_provider

THRESHOLD, RESET = 5, 60


@pytest.fixture
async def sms_api() -> AsyncIterator[FakeSmsProvider]:
    async with running_sms_provider() as provider:
        yield provider


async def http_container(database_url: str, clock: SettableClock, sms_api: FakeSmsProvider) -> Container:
    settings = settings_for(
        database_url,
        SMS_BACKEND="http",
        SMS_API_URL=sms_api.url,
        SMS_TIMEOUT_SECONDS=5,
        PROVIDER_RETRY_ATTEMPTS=2,
        BREAKER_FAILURE_THRESHOLD=THRESHOLD,
        BREAKER_RESET_SECONDS=RESET,
    )
    container = build_container(settings, clock=clock)
    await container.providers.aclose()
    container.providers = build_providers(settings, clock=clock, redis=None, retry_wait=wait_none())
    return container


async def statuses(container: Container) -> dict[str, int]:
    async with container.sessions() as session:
        rows = await session.execute(
            sa.select(Notification.status, sa.func.count()).group_by(Notification.status)
        )
        return dict(rows.all())


async def test_a_thousand_messages_survive_a_ten_minute_outage_and_go_out_once_each(
    database_url: str, clock: SettableClock, sms_api: FakeSmsProvider
) -> None:
    container = await http_container(database_url, clock, sms_api)
    worker = Worker(container, container.bus)
    breaker = container.providers.breaker(SMS)
    keys = {f"outage-{n:04d}" for n in range(1000)}
    try:
        await queue(container, *(message(key) for key in sorted(keys)))
        sms_api.down = True
        states = set()
        while clock.now() < NOW + timedelta(minutes=10):
            state, seen = (await breaker.state()).state, len(sms_api.requests)
            states.add(state)
            await worker.run_once(clock.now())
            if state == "open":
                assert len(sms_api.requests) == seen, (
                    "a request reached the provider while the breaker was open"
                )
            elif state == "half_open":
                assert len(sms_api.requests) <= seen + 1, "more than one trial call while half-open"
            clock.advance(timedelta(seconds=20))
        assert states == {"closed", "open", "half_open"}
        assert (await statuses(container)).get("sent", 0) == 0
        assert (await statuses(container)).get("failed", 0) == 0
        # The first pass's calls in flight (8 at once) opened the breaker; then one trial call a minute.
        assert len(sms_api.requests) <= 8 + 10

        sms_api.down = False
        for _ in range(100):
            if await statuses(container) == {"sent": 1000}:
                break
            await worker.run_once(clock.now())
            clock.advance(timedelta(seconds=20))

        assert await statuses(container) == {"sent": 1000}
        accepted = sms_api.accepted_keys()
        assert set(accepted) == keys
        assert set(accepted.values()) == {1}
        assert sms_api.messages.keys() == keys
    finally:
        await container.close()


async def _drain(container: Container, clock: SettableClock) -> int:
    """Pass after small pass until one claims nothing; how many rows this worker claimed."""
    claimed = 0
    while True:
        report = await deliver_due_notifications(
            container.sessions,
            now=clock.now(),
            providers=container.providers,
            policy=delivery_policy(container.settings),
            limit=15,
        )
        if report.claimed == 0:
            return claimed
        claimed += report.claimed


@pytest.mark.postgres
async def test_concurrent_passes_on_postgres_never_send_a_row_twice(
    postgres_url: str, clock: SettableClock, sms_api: FakeSmsProvider
) -> None:
    first = await http_container(postgres_url, clock, sms_api)
    second = await http_container(postgres_url, clock, sms_api)
    try:
        for round_ in range(3):
            keys = {f"race-{round_}-{n:03d}" for n in range(150)}
            await queue(first, *(message(key) for key in sorted(keys)))

            claims = await asyncio.gather(_drain(first, clock), _drain(second, clock))

            assert sum(claims) == 150
            assert min(claims) > 0, "the two passes did not overlap"
            round_keys = {k: n for k, n in sms_api.accepted_keys().items() if k in keys}
            assert set(round_keys) == keys
            assert set(round_keys.values()) == {1}
        assert len(sms_api.requests) == 450
    finally:
        await first.close()
        await second.close()
