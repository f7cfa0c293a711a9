"""The sandbox gateway acts like a real one: idempotent sessions and refunds, one outcome, signed notices."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from masu.clock import SettableClock
from masu.payments import signatures
from masu.payments.gateway import (
    CallbackRejected,
    GatewayRefused,
    GatewayUnavailable,
    PaymentRequest,
    RefundRequest,
)
from masu.payments.sandbox import SIGNATURE_HEADER, TIMESTAMP_HEADER
from masu.persistence.models import SandboxPayment
from tests.factories import CUSTOMER, book, login
from tests.payments.support import (
    BASE_URL,
    CALLBACK_PATH,
    GATEWAY_KEY,
    SandboxApp,
    Unreachable,
    choose_on_hosted_page,
    form_action,
    open_hosted_page,
    sandbox_app,
    snapshot,
)


@pytest.fixture
async def sandbox(database_url: str, clock: SettableClock) -> AsyncIterator[SandboxApp]:
    async with sandbox_app(database_url, clock) as app:
        yield app


def _request(key: str = "order-1", amount: int = 18000) -> PaymentRequest:
    return PaymentRequest(
        amount=amount,
        currency="ILS",
        order_id="MASU-2026-000001",
        description="Masu booking MASU-2026-000001",
        idempotency_key=key,
        return_url=f"{BASE_URL}/pay/x/return",
        callback_url=f"{BASE_URL}{CALLBACK_PATH}",
    )


async def _stored(sandbox: SandboxApp, reference: str) -> SandboxPayment:
    async with sandbox.container.sessions() as session:
        row = await session.get(SandboxPayment, reference)
        assert row is not None
        return row


async def test_opening_a_payment_is_idempotent_per_key_and_refuses_odd_requests(sandbox: SandboxApp) -> None:
    gateway = sandbox.gateway

    first = await gateway.create_payment(_request())
    again = await gateway.create_payment(_request())
    other = await gateway.create_payment(_request(key="order-2"))

    assert again == first
    assert other.reference != first.reference
    assert first.url == f"{BASE_URL}/sandbox-gateway/pay/{first.reference}"
    assert len(first.reference) >= 24
    with pytest.raises(GatewayRefused):
        await gateway.create_payment(_request(amount=17000))
    with pytest.raises(GatewayRefused):
        await gateway.create_payment(_request(key="order-3", amount=0))
    gateway.available = False
    with pytest.raises(GatewayUnavailable):
        await gateway.create_payment(_request(key="order-4"))
    with pytest.raises(GatewayUnavailable):
        await gateway.refund(RefundRequest(reference=first.reference, amount=100, idempotency_key="r"))


async def test_refunds_only_what_was_captured_once_per_key(sandbox: SandboxApp) -> None:
    gateway = sandbox.gateway
    opened = await gateway.create_payment(_request())
    with pytest.raises(GatewayRefused):
        await gateway.refund(RefundRequest(reference=opened.reference, amount=100, idempotency_key="early"))

    await gateway.complete(opened.reference, "paid")
    part = await gateway.refund(RefundRequest(reference=opened.reference, amount=5000, idempotency_key="r1"))
    retried = await gateway.refund(
        RefundRequest(reference=opened.reference, amount=5000, idempotency_key="r1")
    )

    assert retried == part
    with pytest.raises(GatewayRefused):
        await gateway.refund(RefundRequest(reference=opened.reference, amount=6000, idempotency_key="r1"))
    with pytest.raises(GatewayRefused):
        await gateway.refund(RefundRequest(reference=opened.reference, amount=13001, idempotency_key="r2"))
    rest = await gateway.refund(RefundRequest(reference=opened.reference, amount=13000, idempotency_key="r2"))
    assert sorted(r.amount for r in await gateway.refunds_of(opened.reference)) == [5000, 13000]
    assert rest.reference != part.reference
    with pytest.raises(GatewayRefused):
        await gateway.refund(RefundRequest(reference="sbp_nobody", amount=1, idempotency_key="r3"))


async def test_a_payment_has_one_outcome_and_a_declined_one_cannot_be_refunded(sandbox: SandboxApp) -> None:
    gateway = sandbox.gateway
    opened = await gateway.create_payment(_request())

    declined = await gateway.complete(opened.reference, "failed")
    then_paid = await gateway.complete(opened.reference, "paid")

    assert declined is not None
    assert then_paid is not None
    assert (declined.status, then_paid.status) == ("declined", "declined")
    assert len(sandbox.callbacks.requests) == 1, "the outcome is reported once"
    with pytest.raises(GatewayRefused):
        await gateway.refund(RefundRequest(reference=opened.reference, amount=100, idempotency_key="r"))
    assert await gateway.complete("sbp_nobody", "paid") is None


async def test_notices_are_signed_over_the_raw_body_and_read_back_only_when_genuine(
    sandbox: SandboxApp, clock: SettableClock
) -> None:
    gateway = sandbox.gateway
    opened = await gateway.create_payment(_request())
    await gateway.complete(opened.reference, "paid")
    sent = sandbox.callbacks.requests[0]

    notice = gateway.read_callback(body=sent.content, headers=sent.headers, now=clock.now())

    assert (notice.reference, notice.outcome, notice.amount, notice.currency) == (
        opened.reference,
        "paid",
        18000,
        "ILS",
    )
    assert sent.headers[SIGNATURE_HEADER].startswith("v1=")
    assert sent.headers[TIMESTAMP_HEADER] == str(int(clock.now().timestamp()))
    with pytest.raises(CallbackRejected) as stale:
        gateway.read_callback(body=sent.content, headers=sent.headers, now=clock.now() + timedelta(minutes=6))
    assert (stale.value.code, stale.value.status) == ("signature_expired", 401)
    fields = {"eventId": "e", "type": "payment.succeeded", "reference": "r", "amount": 1, "currency": "ILS"}
    for body in (
        b"not json",
        b"[1, 2]",
        json.dumps({**fields, "amount": None}).encode(),
        json.dumps({**fields, "amount": True}).encode(),
        json.dumps({**fields, "type": "payment.refunded"}).encode(),
        json.dumps({**fields, "eventId": ""}).encode(),
    ):
        with pytest.raises(CallbackRejected) as malformed:
            gateway.read_callback(body=body, headers=_signed_headers(body, clock), now=clock.now())
        assert (malformed.value.code, malformed.value.status) == ("malformed_callback", 400)


def _signed_headers(body: bytes, clock: SettableClock) -> dict[str, str]:
    timestamp = int(clock.now().timestamp())
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signatures.sign(GATEWAY_KEY.encode(), timestamp=timestamp, body=body),
    }


async def test_an_unreachable_merchant_gets_the_notice_when_the_gateway_retries_it(
    sandbox: SandboxApp,
) -> None:
    client = sandbox.client
    booking = await book(client, await login(client, CUSTOMER))
    page = await open_hosted_page(client, booking)
    reference = form_action(page.text, "pay").split("/")[-2]
    network_down = Unreachable()
    sandbox.gateway.deliver_callbacks_through(network_down)

    await choose_on_hosted_page(client, page, "pay")

    assert network_down.attempts == 3
    stored = await _stored(sandbox, reference)
    assert (stored.status, stored.callback_attempts, stored.callback_delivered_at) == ("paid", 3, None)
    assert (await snapshot(sandbox.container, booking["id"])).status == "pending_payment"
    sandbox.gateway.deliver_callbacks_through(sandbox.callbacks)
    assert await sandbox.gateway.redeliver_callback(reference)
    assert (await snapshot(sandbox.container, booking["id"])).status == "pending_professional"
    async with sandbox.container.sessions() as session:
        delivered = await session.execute(
            sa.select(SandboxPayment.callback_delivered_at).where(SandboxPayment.reference == reference)
        )
        assert delivered.scalar() is not None
