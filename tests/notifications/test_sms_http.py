"""SMS over HTTP against a local server behaving like the provider: answers, retries, timeouts, refusals."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import pytest

from masu.clock import SettableClock
from masu.notifications.ports import PermanentProviderError, TransientProviderError
from masu.notifications.providers import SMS, Providers
from tests.notifications.sms_provider import FakeSmsProvider, http_providers, running_sms_provider

TO = "+972521234567"


@pytest.fixture
async def sms_api() -> AsyncIterator[FakeSmsProvider]:
    async with running_sms_provider() as provider:
        yield provider


@pytest.fixture
async def providers(sms_api: FakeSmsProvider, clock: SettableClock) -> AsyncIterator[Providers]:
    built = http_providers(
        sms_api, clock, SMS_API_KEY="sms-token", SMS_SENDER="Masu", PROVIDER_RETRY_ATTEMPTS=3
    )
    yield built
    await built.aclose()


async def _send(providers: Providers, key: str = "msg-1", body: str = "שלום, ההזמנה אושרה") -> str:
    return await providers.send(channel=SMS, to=TO, subject=None, body=body, idempotency_key=key)


async def test_a_message_is_posted_with_its_key_and_the_providers_id_comes_back(
    providers: Providers, sms_api: FakeSmsProvider
) -> None:
    sid = await _send(providers)

    assert sid == sms_api.messages["msg-1"]
    [request] = sms_api.requests
    assert request.form == {"To": TO, "From": "Masu", "Body": "שלום, ההזמנה אושרה"}
    assert request.idempotency_key == "msg-1"
    assert request.authorization == "Bearer sms-token"


async def test_an_account_and_secret_key_is_sent_as_basic_auth(
    sms_api: FakeSmsProvider, clock: SettableClock
) -> None:
    providers = http_providers(sms_api, clock, SMS_API_KEY="AC1:auth-secret")
    try:
        await _send(providers)
    finally:
        await providers.aclose()
    expected = base64.b64encode(b"AC1:auth-secret").decode()
    assert sms_api.requests[0].authorization == f"Basic {expected}"


async def test_throttling_and_server_errors_are_retried_until_the_provider_answers(
    providers: Providers, sms_api: FakeSmsProvider
) -> None:
    sms_api.script = [429, 500]

    sid = await _send(providers)

    assert [r.status for r in sms_api.requests] == [429, 500, 201]
    assert {r.idempotency_key for r in sms_api.requests} == {"msg-1"}
    assert sid == sms_api.messages["msg-1"]


async def test_retries_stop_after_the_configured_attempts(
    providers: Providers, sms_api: FakeSmsProvider
) -> None:
    sms_api.script = [503, 502, 500, 500]

    with pytest.raises(TransientProviderError, match="HTTP 500"):
        await _send(providers)

    assert len(sms_api.requests) == 3
    assert sms_api.messages == {}


async def test_a_timeout_is_retried(providers: Providers, sms_api: FakeSmsProvider) -> None:
    sms_api.script = [1.0]  # the first answer comes after a second; the client waits 0.3 s

    sid = await _send(providers)

    assert len(sms_api.requests) == 2
    assert sid == sms_api.messages["msg-1"]


async def test_a_refused_message_is_not_retried_and_does_not_count_against_the_provider(
    providers: Providers, sms_api: FakeSmsProvider
) -> None:
    sms_api.script = [400]

    with pytest.raises(PermanentProviderError, match="HTTP 400"):
        await _send(providers)

    assert len(sms_api.requests) == 1
    state = await providers.breaker(SMS).state()
    assert (state.state, state.failures) == ("closed", 0)


async def test_an_unreachable_provider_is_a_transient_error(clock: SettableClock) -> None:
    providers = http_providers(FakeSmsProvider(url="http://127.0.0.1:1/Messages.json"), clock)
    try:
        with pytest.raises(TransientProviderError, match="connection failed"):
            await _send(providers)
    finally:
        await providers.aclose()
