"""Payments through time: the payment timeout, late payments, refunds on cancel, outages and refusals."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from masu.clock import SettableClock
from masu.domain.lifecycle import Actor
from masu.payments.gateway import RefundRequest
from masu.persistence.models import Booking, OutboxDelivery
from masu.services.payment.refunds import refund_wanted
from tests.conftest import NOW
from tests.factories import ADMIN, CUSTOMER, book, login
from tests.payments.support import (
    CALLBACK_PATH,
    MerchantDown,
    SandboxApp,
    choose_on_hosted_page,
    event_log,
    open_hosted_page,
    pay,
    payment_row,
    sandbox_app,
    snapshot,
)

VISIT = "2026-12-04T12:00:00+02:00"
SOON = "2026-12-01T14:00:00+02:00"  # four hours after the tests' now (10:00 local)
AFTER_SOONS_CUTOFF = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)  # 12:30 local: 1.5 h before SOON


@pytest.fixture
async def sandbox(database_url: str, clock: SettableClock) -> AsyncIterator[SandboxApp]:
    async with sandbox_app(database_url, clock) as app:
        yield app


async def _paid_booking(sandbox: SandboxApp, **overrides: Any) -> dict[str, Any]:
    client = sandbox.client
    booking = await book(client, await login(client, CUSTOMER), **{"bookingDateTime": VISIT, **overrides})
    await pay(client, booking)
    assert (await snapshot(sandbox.container, booking["id"])).status == "pending_professional"
    return booking


async def _reference(sandbox: SandboxApp, booking_id: str) -> str:
    reference = (await payment_row(sandbox.container, booking_id)).reference
    assert reference is not None
    return reference


def _agorot(booking: dict[str, Any]) -> int:
    return round(booking["payment"]["amount"] * 100)


def _booking_events(events: list[str]) -> list[str]:
    return [e for e in events if e.startswith("booking.")]


async def test_unpaid_bookings_are_cancelled_at_the_deadline_and_a_late_payment_goes_back_untouched(
    sandbox: SandboxApp, clock: SettableClock
) -> None:
    client = sandbox.client
    booking = await book(client, await login(client, CUSTOMER), bookingDateTime=VISIT, couponCode="WELCOME10")
    page = await open_hosted_page(client, booking)

    clock.set(NOW + timedelta(minutes=29, seconds=59))
    await sandbox.run_worker()
    assert (await snapshot(sandbox.container, booking["id"])).status == "pending_payment"
    clock.set(NOW + timedelta(minutes=30))
    await sandbox.run_worker()

    timed_out = await snapshot(sandbox.container, booking["id"])
    assert (timed_out.status, timed_out.payment_status) == ("cancelled", "cancelled")
    assert timed_out.history == [("pending_payment", "create"), ("cancelled", "cancel")]
    async with sandbox.container.sessions() as session:
        row = await session.get(Booking, booking["id"])
        assert row is not None
        assert (row.cancellation_reason, row.cancelled_by) == ("payment_timeout", "system")
        redemptions = await session.execute(
            sa.text("SELECT count(*) FROM coupon_redemptions WHERE booking_id = :b"), {"b": booking["id"]}
        )
        assert redemptions.scalar() == 0, "the coupon use is given back"

    await choose_on_hosted_page(client, page, "pay")  # the customer pays on the page left open

    assert sandbox.callbacks.responses == [200]
    late = await snapshot(sandbox.container, booking["id"])
    assert (late.status, late.payment_status, late.history) == (
        timed_out.status,
        timed_out.payment_status,
        timed_out.history,
    )
    assert _booking_events(late.events) == _booking_events(timed_out.events)
    assert late.payment is not None
    assert late.payment[:2] == ("refund_pending", _agorot(booking))
    await sandbox.run_worker()
    refunded = await snapshot(sandbox.container, booking["id"])
    assert (refunded.status, refunded.history) == ("cancelled", timed_out.history)
    assert refunded.payment is not None
    assert refunded.payment[0] == "refunded"
    refunds = await sandbox.gateway.refunds_of(await _reference(sandbox, booking["id"]))
    assert [r.amount for r in refunds] == [_agorot(booking)]


async def test_a_customer_who_cancels_a_paid_booking_before_the_cutoff_gets_everything_back(
    sandbox: SandboxApp,
) -> None:
    client = sandbox.client
    headers = await login(client, CUSTOMER)
    booking = await _paid_booking(sandbox)
    amount = booking["payment"]["amount"]

    cancelled = await client.post(
        f"/api/v1/bookings/{booking['id']}/cancel", json={"reason": "sick"}, headers=headers
    )

    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["payment"] == {
        "status": "refund_pending",
        "amount": amount,
        "refundAmount": amount,
    }
    await sandbox.run_worker()
    refunded = (await client.get(f"/api/v1/bookings/{booking['id']}", headers=headers)).json()
    assert refunded["status"] == "refunded"
    assert refunded["payment"] == {"status": "refunded", "amount": amount, "refundAmount": amount}
    assert [(h["status"], h["triggeredBy"]) for h in refunded["statusHistory"]][-2:] == [
        ("cancelled", "customer"),
        ("refunded", "system"),
    ]
    events = await event_log(client, booking["id"])
    assert [e["type"] for e in events if e["type"] != "offer.created"] == [
        "booking.created",
        "booking.paid",
        "booking.cancelled",
        "payment.refund_requested",
        "booking.refunded",
        "payment.refunded",
    ]
    assert (
        next(e for e in events if e["type"] == "payment.refunded")["payload"]["refundAmount"] == amount * 100
    )
    refunds = await sandbox.gateway.refunds_of(await _reference(sandbox, booking["id"]))
    assert [r.amount for r in refunds] == [amount * 100]


async def test_after_the_cutoff_only_an_admin_cancels_and_chooses_whether_to_refund(
    sandbox: SandboxApp, clock: SettableClock
) -> None:
    client = sandbox.client
    customer, admin = await login(client, CUSTOMER), await login(client, ADMIN)
    refunded = await _paid_booking(sandbox, bookingDateTime=SOON)
    kept = await _paid_booking(sandbox, bookingDateTime=SOON)
    by_default = await _paid_booking(sandbox, bookingDateTime=SOON)
    clock.set(AFTER_SOONS_CUTOFF)

    too_late = await client.post(f"/api/v1/bookings/{refunded['id']}/cancel", headers=customer)
    assert (too_late.status_code, too_late.json()["code"]) == (409, "cancellation_cutoff_passed")
    answers = [
        await client.post(
            f"/api/v1/admin/bookings/{b['id']}/cancel", json={"reason": "rain", **extra}, headers=admin
        )
        for b, extra in ((refunded, {"refund": True}), (kept, {"refund": False}), (by_default, {}))
    ]
    assert [(a.status_code, a.json()["payment"]["status"]) for a in answers] == [
        (200, "refund_pending"),
        (200, "paid"),
        (200, "paid"),
    ]
    await sandbox.run_worker()

    assert (await snapshot(sandbox.container, refunded["id"])).status == "refunded"
    for booking in (kept, by_default):
        assert (await snapshot(sandbox.container, booking["id"])).status == "cancelled"
        assert await sandbox.gateway.refunds_of(await _reference(sandbox, booking["id"])) == []
    amount = _agorot(refunded)
    assert [
        r.amount for r in await sandbox.gateway.refunds_of(await _reference(sandbox, refunded["id"]))
    ] == [amount]


def test_who_gets_a_refund_on_cancel() -> None:
    cases = [
        (Actor.CUSTOMER, None, True, True),
        (Actor.ADMIN, None, True, True),
        (Actor.ADMIN, None, False, False),
        (Actor.ADMIN, True, False, True),
        (Actor.ADMIN, False, True, False),
    ]
    for actor, refund, before_cutoff, expected in cases:
        assert refund_wanted(actor=actor, refund=refund, before_cutoff=before_cutoff) is expected


async def test_a_refund_waits_out_a_gateway_outage_and_is_made_once(
    sandbox: SandboxApp, clock: SettableClock
) -> None:
    client = sandbox.client
    booking = await _paid_booking(sandbox)
    await client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=await login(client, CUSTOMER))

    sandbox.gateway.available = False
    await sandbox.run_worker()
    during = await snapshot(sandbox.container, booking["id"])
    assert (during.status, during.payment_status) == ("cancelled", "refund_pending")
    async with sandbox.container.sessions() as session:
        failures = await session.execute(
            sa.select(OutboxDelivery.attempts, OutboxDelivery.last_error).where(
                OutboxDelivery.handler == "payments.refund"
            )
        )
        attempts, error = failures.one()
        assert attempts == 1
        assert "GatewayUnavailable" in str(error)

    sandbox.gateway.available = True
    clock.advance(timedelta(minutes=1))  # past the dispatcher's retry delay
    await sandbox.run_worker()
    await sandbox.run_worker()

    assert (await snapshot(sandbox.container, booking["id"])).status == "refunded"
    refunds = await sandbox.gateway.refunds_of(await _reference(sandbox, booking["id"]))
    assert len(refunds) == 1


async def test_a_refund_the_gateway_refuses_flags_the_booking_for_an_admin(sandbox: SandboxApp) -> None:
    client = sandbox.client
    booking = await _paid_booking(sandbox)
    reference = await _reference(sandbox, booking["id"])
    amount = _agorot(booking)
    # Someone refunded the whole payment at the gateway directly: there is nothing left to give back.
    await sandbox.gateway.refund(RefundRequest(reference=reference, amount=amount, idempotency_key="by-hand"))

    await client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=await login(client, CUSTOMER))
    await sandbox.run_worker()

    refused = await snapshot(sandbox.container, booking["id"])
    assert (refused.status, refused.payment_status) == ("cancelled", "refund_failed")
    assert "payment.refund_failed" in refused.events
    async with sandbox.container.sessions() as session:
        row = await session.get(Booking, booking["id"])
        assert row is not None
        assert row.needs_attention is True
    assert len(await sandbox.gateway.refunds_of(reference)) == 1


async def test_a_paid_booking_nobody_takes_is_refunded_when_the_system_cancels_it(
    database_url: str, clock: SettableClock
) -> None:
    async with sandbox_app(database_url, clock, ENABLE_PROFESSIONAL_MATCHING=False) as sandbox:
        booking = await _paid_booking(sandbox)
        clock.set(datetime(2026, 12, 4, 10, 0, tzinfo=UTC))  # the visit time, nobody assigned

        await sandbox.run_worker()  # cancels the visit; its handler asks for the refund
        await sandbox.run_worker()  # makes the refund

        done = await snapshot(sandbox.container, booking["id"])
        assert [status for status, _ in done.history] == [
            "pending_payment",
            "pending_professional",
            "cancelled",
            "refunded",
        ]
        assert done.payment is not None
        assert done.payment[0] == "refunded"


async def test_concurrent_deliveries_of_one_callback_apply_it_once(sandbox: SandboxApp) -> None:
    client = sandbox.client
    booking = await book(client, await login(client, CUSTOMER), bookingDateTime=VISIT)
    merchant_down = MerchantDown()
    sandbox.gateway.deliver_callbacks_through(merchant_down)
    await pay(client, booking)  # the gateway takes the money but cannot tell the app
    assert (await snapshot(sandbox.container, booking["id"])).status == "pending_payment"
    genuine = merchant_down.requests[0]

    answers = await asyncio.gather(
        *(
            client.post(CALLBACK_PATH, content=genuine.content, headers=dict(genuine.headers))
            for _ in range(5)
        )
    )

    assert sorted(a.json()["result"] for a in answers) == ["duplicate"] * 4 + ["paid"]
    settled = await snapshot(sandbox.container, booking["id"])
    assert settled.history == [("pending_payment", "create"), ("pending_professional", "payment_succeeded")]
    assert settled.events.count("booking.paid") == 1
