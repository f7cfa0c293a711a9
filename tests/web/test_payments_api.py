"""Paying through the sandbox gateway over HTTP: the pay link, the hosted page, the signed callback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from masu.clock import SettableClock
from masu.web.pages.customer.payment import TEXTS
from tests.conftest import NOW
from tests.factories import ADMIN, CUSTOMER, OTHER_CUSTOMER, book, login
from tests.payments.support import (
    CALLBACK_PATH,
    SandboxApp,
    choose_on_hosted_page,
    event_log,
    open_hosted_page,
    pay,
    sandbox_app,
    signed_body,
    signed_callback,
    snapshot,
)

HE = TEXTS["he"]  # the demo customers' language
VISIT = "2026-12-04T12:00:00+02:00"  # Friday noon in Tel Aviv: demo professionals are free


@pytest.fixture
async def sandbox(database_url: str, clock: SettableClock) -> AsyncIterator[SandboxApp]:
    async with sandbox_app(database_url, clock) as app:
        yield app


async def _offers(client: httpx.AsyncClient, booking_id: str) -> list[dict[str, object]]:
    admin = await login(client, ADMIN)
    return list((await client.get(f"/api/v1/admin/bookings/{booking_id}/offers", headers=admin)).json())


async def test_a_booking_waits_for_payment_then_paying_on_the_hosted_page_starts_dispatch(
    sandbox: SandboxApp,
) -> None:
    client = sandbox.client
    headers = await login(client, CUSTOMER)
    booking = await book(client, headers, bookingDateTime=VISIT)

    assert booking["status"] == "pending_payment"
    final_amount = booking["priceDetails"]["finalAmount"]
    payment = booking["payment"]
    assert payment["status"] == "pending"
    assert payment["amount"] == final_amount
    assert payment["expiresAt"] == (NOW + timedelta(minutes=30)).isoformat().replace("+00:00", "Z")
    assert payment["payUrl"].startswith("http://masu.test/pay/")
    assert (await client.get(f"/api/v1/bookings/{booking['id']}", headers=headers)).json()[
        "payment"
    ] == payment
    await sandbox.run_worker()
    assert await _offers(client, booking["id"]) == [], "no dispatch before the money is in"

    to_gateway = await client.get(payment["payUrl"])
    assert to_gateway.status_code == 303
    assert to_gateway.headers["location"].startswith("http://masu.test/sandbox-gateway/pay/sbp_")
    page = await open_hosted_page(client, booking)
    assert f"{final_amount} ILS" in page.text
    assert booking["bookingNumber"] in page.text
    back = await choose_on_hosted_page(client, page, "pay")

    assert str(back.url) == f"{payment['payUrl']}/return"
    assert HE["paid"] in back.text
    paid = (await client.get(f"/api/v1/bookings/{booking['id']}", headers=headers)).json()
    assert paid["status"] == "pending_professional"
    assert paid["payment"] == {"status": "paid", "amount": final_amount}
    assert [(h["status"], h["triggeredBy"]) for h in paid["statusHistory"]] == [
        ("pending_payment", "customer"),
        ("pending_professional", "system"),
    ]
    assert [e["type"] for e in await event_log(client, booking["id"])] == ["booking.created", "booking.paid"]
    await sandbox.run_worker()
    offers = await _offers(client, booking["id"])
    assert offers
    assert {o["responseStatus"] for o in offers} == {"pending"}


async def test_failing_on_the_hosted_page_cancels_the_booking_and_frees_the_coupon(
    sandbox: SandboxApp,
) -> None:
    client = sandbox.client
    headers = await login(client, CUSTOMER)
    booking = await book(client, headers, bookingDateTime=VISIT, couponCode="WELCOME10")

    page = await open_hosted_page(client, booking)
    back = await choose_on_hosted_page(client, page, "fail")

    assert HE["failed"] in back.text
    failed = (await client.get(f"/api/v1/bookings/{booking['id']}", headers=headers)).json()
    assert (failed["status"], failed["cancellationReason"]) == ("cancelled", "payment_failed")
    assert failed["payment"] == {"status": "failed", "amount": booking["payment"]["amount"]}
    assert [e["type"] for e in await event_log(client, booking["id"])] == [
        "booking.created",
        "booking.payment_failed",
    ]
    again = await book(client, headers, bookingDateTime=VISIT, couponCode="WELCOME10")
    assert again["priceDetails"]["discount"] > 0, "the coupon of a failed payment can be used again"
    # The outcome is final: pressing Pay on the old page afterwards takes no money and changes nothing.
    before = await snapshot(sandbox.container, booking["id"])
    pressed_later = await choose_on_hosted_page(client, page, "pay")
    assert HE["failed"] in pressed_later.text
    assert len(sandbox.callbacks.requests) == 1
    assert await snapshot(sandbox.container, booking["id"]) == before


async def test_forged_mismatched_replayed_and_duplicate_callbacks_change_nothing(
    sandbox: SandboxApp, clock: SettableClock
) -> None:
    client = sandbox.client
    booking = await book(client, await login(client, CUSTOMER), bookingDateTime=VISIT)
    page = await open_hosted_page(client, booking)
    reference = str(page.url).rsplit("/", 1)[1]
    amount_agorot = round(booking["payment"]["amount"] * 100)
    paid = {
        "eventId": "evt_forged",
        "type": "payment.succeeded",
        "reference": reference,
        "amount": amount_agorot,
        "currency": "ILS",
    }
    waiting = await snapshot(sandbox.container, booking["id"])

    forged_body, forged_headers = signed_callback(paid, at=clock.now(), key="not-the-gateway-key")
    forged = await client.post(CALLBACK_PATH, content=forged_body, headers=forged_headers)
    unsigned = await client.post(CALLBACK_PATH, json=paid)
    tampered_body, tampered_headers = signed_callback(paid, at=clock.now())
    tampered = await client.post(
        CALLBACK_PATH, content=tampered_body.replace(b'"ILS"', b'"ils"'), headers=tampered_headers
    )
    wrong_amount = await _post_signed(client, {**paid, "amount": amount_agorot - 100}, clock)
    wrong_currency = await _post_signed(client, {**paid, "currency": "USD"}, clock)
    unknown = await _post_signed(client, {**paid, "reference": "sbp_nobody"}, clock)
    malformed = await _post_signed(client, {"type": "payment.succeeded"}, clock)
    other_gateway = await client.post("/api/v1/payments/callback/cardcom", json=paid)

    assert [(r.status_code, r.json()["code"]) for r in (forged, unsigned, tampered)] == [
        (401, "signature_invalid"),
        (401, "signature_invalid"),
        (401, "signature_invalid"),
    ]
    assert [
        (r.status_code, r.json()["code"]) for r in (wrong_amount, wrong_currency, unknown, malformed)
    ] == [
        (400, "amount_mismatch"),
        (400, "amount_mismatch"),
        (400, "unknown_payment"),
        (400, "malformed_callback"),
    ]
    assert other_gateway.status_code == 404
    assert await snapshot(sandbox.container, booking["id"]) == waiting

    await choose_on_hosted_page(client, page, "pay")
    genuine = sandbox.callbacks.requests[-1]
    settled = await snapshot(sandbox.container, booking["id"])
    assert settled.status == "pending_professional"

    duplicate = await client.post(CALLBACK_PATH, content=genuine.content, headers=dict(genuine.headers))
    assert (duplicate.status_code, duplicate.json()) == (200, {"received": True, "result": "duplicate"})
    assert await sandbox.gateway.redeliver_callback(reference), "a gateway retry is acknowledged"
    clock.advance(timedelta(minutes=6))
    replayed = await client.post(CALLBACK_PATH, content=genuine.content, headers=dict(genuine.headers))
    assert (replayed.status_code, replayed.json()["code"]) == (401, "signature_expired")
    failed_now = await _post_signed(
        client, {**paid, "eventId": "evt_late_fail", "type": "payment.failed"}, clock
    )
    assert (failed_now.status_code, failed_now.json()["result"]) == (200, "ignored")
    assert await snapshot(sandbox.container, booking["id"]) == settled


async def test_a_signed_callback_nested_past_the_limit_is_a_400_not_a_crash(
    sandbox: SandboxApp, clock: SettableClock
) -> None:
    body, headers = signed_body(b"[" * 5000 + b"]" * 5000, at=clock.now())
    response = await sandbox.client.post(CALLBACK_PATH, content=body, headers=headers)
    assert (response.status_code, response.json()["code"]) == (400, "too_deeply_nested")
    assert response.headers["content-type"] == "application/problem+json"


async def _post_signed(
    client: httpx.AsyncClient, document: dict[str, object], clock: SettableClock
) -> httpx.Response:
    body, headers = signed_callback(document, at=clock.now())
    return await client.post(CALLBACK_PATH, content=body, headers=headers)


async def test_the_return_page_never_takes_the_browsers_word(sandbox: SandboxApp) -> None:
    client = sandbox.client
    booking = await book(client, await login(client, CUSTOMER), bookingDateTime=VISIT)

    back = await client.get(f"{booking['payment']['payUrl']}/return?status=success&complete=1")

    assert back.status_code == 200
    assert HE["pending"] in back.text
    assert f'href="/pay/{booking["payment"]["payUrl"].rsplit("/", 1)[1]}"' in back.text
    assert (await snapshot(sandbox.container, booking["id"])).status == "pending_payment"
    assert (await client.get("/pay/0123456789abcdef0123456789abcdef")).status_code == 404
    assert (await client.get("/sandbox-gateway/pay/sbp_nobody")).status_code == 404
    assert (await client.post("/sandbox-gateway/pay/sbp_nobody/pay")).status_code == 404


async def test_a_gateway_outage_shows_on_the_pay_page_and_paying_works_once_it_is_back(
    sandbox: SandboxApp,
) -> None:
    client = sandbox.client
    booking = await book(client, await login(client, CUSTOMER), bookingDateTime=VISIT)

    sandbox.gateway.available = False
    down = await client.get(booking["payment"]["payUrl"])
    sandbox.gateway.available = True

    assert down.status_code == 503
    assert HE["unavailable"] in down.text
    await pay(client, booking)
    assert (await snapshot(sandbox.container, booking["id"])).status == "pending_professional"


async def test_another_customer_cannot_see_the_payment_and_a_cancelled_unpaid_booking_has_nothing_to_pay(
    sandbox: SandboxApp,
) -> None:
    client = sandbox.client
    headers = await login(client, CUSTOMER)
    booking = await book(client, headers, bookingDateTime=VISIT)
    stranger = await client.get(
        f"/api/v1/bookings/{booking['id']}", headers=await login(client, OTHER_CUSTOMER)
    )
    assert stranger.status_code == 404

    cancelled = await client.post(f"/api/v1/bookings/{booking['id']}/cancel", json={}, headers=headers)

    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["payment"] == {"status": "cancelled", "amount": booking["payment"]["amount"]}
    page = await client.get(booking["payment"]["payUrl"])
    assert (page.status_code, HE["cancelled"] in page.text) == (200, True)


async def test_with_no_gateway_bookings_are_paid_later_and_payment_routes_do_not_exist(
    client: httpx.AsyncClient,
) -> None:
    booking = await book(client, await login(client, CUSTOMER), bookingDateTime=VISIT)

    assert booking["status"] == "pending_professional"
    assert booking["payment"] == {"status": "pending"}
    assert (await client.post(CALLBACK_PATH, json={})).status_code == 404
    assert (await client.get("/sandbox-gateway/pay/sbp_anything")).status_code == 404
    assert (await client.get("/pay/0123456789abcdef0123456789abcdef")).status_code == 404
