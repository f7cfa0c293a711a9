"""Booking creation and reads end to end: price, coupons, hourly limit, idempotency, cancel, lists, events."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from masu.bootstrap import Container
from masu.clock import SettableClock
from masu.persistence.models import Booking
from masu.services.catalogue.admin import create_coupon
from tests.factories import (
    ADMIN,
    CUSTOMER,
    OTHER_CUSTOMER,
    THIRD_CUSTOMER,
    book,
    booking_body,
    login,
    treatment_named,
)


async def _add_coupon(container: Container, code: str, **fields: Any) -> None:
    values: dict[str, Any] = {
        "kind": "percent",
        "value": 10_000,
        "valid_from": None,
        "valid_until": None,
        "usage_limit": None,
        "per_user_limit": None,
        "is_active": True,
    }
    values.update(fields)
    async with container.sessions() as session:
        await create_coupon(session, now=container.clock.now(), code=code, **values)
        await session.commit()


async def _events(client: httpx.AsyncClient, booking_id: str) -> list[dict[str, Any]]:
    admin = await login(client, ADMIN)
    return list((await client.get(f"/api/v1/admin/events?bookingId={booking_id}", headers=admin)).json())


async def test_new_booking_is_priced_numbered_recorded_and_announced(client: httpx.AsyncClient) -> None:
    headers = await login(client, CUSTOMER)
    booking = await book(client, headers, couponCode="welcome10")

    assert re.fullmatch(r"MASU-2026-\d{6}", booking["bookingNumber"])
    assert booking["status"] == "pending_professional"
    assert booking["payment"] == {"status": "pending"}
    assert booking["bookingDateTime"] == "2026-12-04T10:00:00Z"
    assert booking["recipientPhone"] == "+972521234567"
    assert booking["isForSomeoneElse"] is True
    assert booking["priceDetails"] == {
        "basePrice": 250,
        "surcharges": [],
        "totalSurcharges": 0,
        "discount": 25,
        "finalAmount": 225,
        "baseProfessionalPayment": 170,
        "surchargesProfessionalPayment": 0,
        "paymentBonus": 0,
        "totalProfessionalPayment": 170,
        "companyFee": 55,
    }
    [entry] = booking["statusHistory"]
    assert (entry["status"], entry["triggeredBy"]) == ("pending_professional", "customer")
    assert entry["timestamp"] == booking["createdAt"] == "2026-12-01T08:00:00Z"
    [event] = await _events(client, booking["id"])
    assert event["type"] == "booking.created"
    assert event["payload"]["bookingNumber"] == booking["bookingNumber"]
    assert event["payload"]["to"] == "pending_professional"


@pytest.mark.parametrize(
    ("local_time", "surcharges", "final", "professional"),
    [
        (
            "2026-12-04T20:30:00+02:00",
            [{"description": "Evening visit (20:00-22:00)", "amount": 50, "professionalShare": 35}],
            300,
            205,
        ),
        (
            "2026-12-05T12:00:00+02:00",
            [{"description": "Saturday", "amount": 37.5, "professionalShare": 26.25}],
            287.5,
            196.25,
        ),
        ("2026-12-04T19:30:00+02:00", [], 250, 170),
    ],
    ids=["friday evening", "saturday noon", "the last start before the evening window"],
)
async def test_surcharges_follow_local_time(
    client: httpx.AsyncClient,
    local_time: str,
    surcharges: list[dict[str, Any]],
    final: float,
    professional: float,
) -> None:
    booking = await book(client, await login(client, CUSTOMER), bookingDateTime=local_time)
    price = booking["priceDetails"]
    assert price["surcharges"] == surcharges
    assert (price["finalAmount"], price["totalProfessionalPayment"]) == (final, professional)
    assert price["companyFee"] == final - professional


async def test_full_coupon_makes_a_free_booking_with_a_negative_company_fee(
    client: httpx.AsyncClient, container: Container
) -> None:
    await _add_coupon(container, "ONTHEHOUSE")
    booking = await book(client, await login(client, CUSTOMER), couponCode="onthehouse")
    assert booking["priceDetails"]["finalAmount"] == 0
    assert booking["priceDetails"]["discount"] == 250
    assert booking["priceDetails"]["companyFee"] == -170
    assert booking["payment"] == {"status": "not_required"}


async def test_coupon_per_user_limit_holds_and_a_cancellation_gives_the_use_back(
    client: httpx.AsyncClient,
) -> None:
    headers = await login(client, CUSTOMER)
    first = await book(client, headers, couponCode="WELCOME10")
    treatment = await treatment_named(client, "Swedish Massage")
    again = await client.post(
        "/api/v1/bookings", json=booking_body(treatment["id"], couponCode="WELCOME10"), headers=headers
    )
    assert again.status_code == 422
    assert again.json()["errors"] == [{"field": "couponCode", "message": "you have already used this coupon"}]
    assert (await book(client, await login(client, OTHER_CUSTOMER), couponCode="WELCOME10"))["priceDetails"][
        "discount"
    ] == 25

    await client.post(f"/api/v1/bookings/{first['id']}/cancel", json={}, headers=headers)
    assert (await book(client, headers, couponCode="WELCOME10"))["priceDetails"]["discount"] == 25


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"usage_limit": 1}, "this coupon has been used up"),
        ({"valid_until": datetime(2026, 11, 30, tzinfo=UTC)}, "this coupon has expired or is not valid yet"),
        ({"valid_from": datetime(2026, 12, 2, tzinfo=UTC)}, "this coupon has expired or is not valid yet"),
        ({"is_active": False}, "this coupon is not active"),
    ],
    ids=["exhausted", "expired", "not yet valid", "inactive"],
)
async def test_unusable_coupons_are_refused(
    client: httpx.AsyncClient, container: Container, fields: dict[str, Any], message: str
) -> None:
    await _add_coupon(container, "LIMITED", **fields)
    if fields.get("usage_limit") == 1:
        await book(client, await login(client, OTHER_CUSTOMER), couponCode="LIMITED")
    treatment = await treatment_named(client, "Swedish Massage")
    response = await client.post(
        "/api/v1/bookings",
        json=booking_body(treatment["id"], couponCode="LIMITED"),
        headers=await login(client, CUSTOMER),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "couponCode", "message": message}]


async def test_hourly_limit_answers_429_with_retry_after(
    client: httpx.AsyncClient, clock: SettableClock
) -> None:
    headers = await login(client, CUSTOMER)
    for _ in range(5):
        await book(client, headers)
        clock.advance(timedelta(minutes=10))
    treatment = await treatment_named(client, "Swedish Massage")

    refused = await client.post("/api/v1/bookings", json=booking_body(treatment["id"]), headers=headers)

    assert refused.status_code == 429
    assert refused.headers["retry-after"] == str(10 * 60)  # the first booking leaves the hour in 10 minutes
    assert refused.json()["code"] == "rate_limited"
    assert (await book(client, await login(client, OTHER_CUSTOMER)))["status"] == "pending_professional"
    clock.advance(timedelta(minutes=10))
    assert (await book(client, headers))["status"] == "pending_professional"


async def test_idempotency_key_replays_refuses_other_bodies_and_frees_failed_keys(
    client: httpx.AsyncClient,
) -> None:
    headers = {**await login(client, CUSTOMER), "Idempotency-Key": "order-1"}
    treatment = await treatment_named(client, "Swedish Massage")
    body = booking_body(treatment["id"])

    first = await client.post("/api/v1/bookings", json=body, headers=headers)
    replay = await client.post("/api/v1/bookings", json=body, headers=headers)
    other = await client.post("/api/v1/bookings", json={**body, "notes": "different"}, headers=headers)

    assert (first.status_code, replay.status_code, other.status_code) == (201, 201, 422)
    assert replay.json() == first.json()
    assert replay.headers["idempotent-replayed"] == "true"
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    listed = (await client.get("/api/v1/bookings", headers=headers)).json()["items"]
    assert [b["id"] for b in listed] == [first.json()["id"]]

    failing = {**headers, "Idempotency-Key": "order-2"}
    bad = await client.post("/api/v1/bookings", json={**body, "recipientName": "X"}, headers=failing)
    assert bad.status_code == 422
    fixed = await client.post("/api/v1/bookings", json={**body, "recipientName": "Xena"}, headers=failing)
    assert fixed.status_code == 201
    other_user = {**await login(client, OTHER_CUSTOMER), "Idempotency-Key": "order-1"}
    assert (await client.post("/api/v1/bookings", json=body, headers=other_user)).status_code == 201


async def test_customer_cancels_until_the_cutoff_and_admin_after_it(
    client: httpx.AsyncClient, clock: SettableClock
) -> None:
    headers = await login(client, CUSTOMER)
    early = await book(client, headers, bookingDateTime="2026-12-01T13:00:00+02:00")
    late = await book(client, headers, bookingDateTime="2026-12-01T14:00:00+02:00")
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))  # 11:00 local: 2 h before `early`, 3 h before `late`

    cancelled = await client.post(
        f"/api/v1/bookings/{early['id']}/cancel", json={"reason": "sick"}, headers=headers
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancelledAt"] == "2026-12-01T09:00:00Z"
    assert cancelled.json()["cancellationReason"] == "sick"
    assert [h["status"] for h in cancelled.json()["statusHistory"]] == ["pending_professional", "cancelled"]
    assert [e["type"] for e in await _events(client, early["id"])] == ["booking.created", "booking.cancelled"]

    clock.advance(timedelta(hours=1, seconds=1))  # now less than 2 h before `late`
    too_late = await client.post(f"/api/v1/bookings/{late['id']}/cancel", headers=headers)
    assert too_late.status_code == 409
    assert too_late.json()["code"] == "cancellation_cutoff_passed"
    admin = await login(client, ADMIN)
    refund = await client.post(
        f"/api/v1/admin/bookings/{late['id']}/cancel", json={"reason": "x-ray", "refund": True}, headers=admin
    )
    assert (refund.status_code, refund.json()["code"]) == (409, "nothing_to_refund")
    by_admin = await client.post(
        f"/api/v1/admin/bookings/{late['id']}/cancel", json={"reason": "customer called"}, headers=admin
    )
    assert by_admin.status_code == 200
    assert by_admin.json()["statusHistory"][-1]["triggeredBy"] == "admin"
    twice = await client.post(
        f"/api/v1/admin/bookings/{late['id']}/cancel", json={"reason": "again"}, headers=admin
    )
    assert (twice.status_code, twice.json()["code"]) == (409, "illegal_transition")


async def test_list_pages_newest_first_without_gaps_or_repeats(
    client: httpx.AsyncClient, clock: SettableClock
) -> None:
    created = []
    for who in (CUSTOMER, CUSTOMER, CUSTOMER, OTHER_CUSTOMER, CUSTOMER):
        created.append(await book(client, await login(client, who)))
        clock.advance(timedelta(seconds=1))
    headers = await login(client, CUSTOMER)
    seen, cursor, pages = [], None, 0
    while True:
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(f"/api/v1/bookings?{query}", headers=headers)).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["nextCursor"]
        if cursor is None:
            break
    mine = [b["id"] for b in created if b["userId"] == created[0]["userId"]]
    assert seen == list(reversed(mine))
    assert pages == 2
    assert set(page["items"][0]) == {
        "id",
        "bookingNumber",
        "status",
        "bookingDateTime",
        "createdAt",
        "treatmentId",
        "durationMinutes",
        "city",
        "finalAmount",
        "professionalId",
    }


async def test_stats_count_and_sum_by_status(client: httpx.AsyncClient) -> None:
    headers = await login(client, THIRD_CUSTOMER)
    one = await book(client, headers)
    await book(client, headers, durationMinutes=90)
    await book(client, headers, durationMinutes=120)
    await client.post(f"/api/v1/bookings/{one['id']}/cancel", headers=headers)
    stats = (await client.get("/api/v1/bookings/stats", headers=headers)).json()
    assert stats == [
        {"status": "pending_professional", "count": 2, "totalAmount": 800},
        {"status": "cancelled", "count": 1, "totalAmount": 250},
    ]


async def test_admin_books_for_a_customer_and_filters_the_list(client: httpx.AsyncClient) -> None:
    customer = (await client.get("/api/v1/me", headers=await login(client, CUSTOMER))).json()
    admin = await login(client, ADMIN)
    treatment = await treatment_named(client, "Swedish Massage")
    body = booking_body(
        treatment["id"], userId=customer["id"], address={"street": "Hanassi 5", "city": "haifa"}
    )
    response = await client.post("/api/v1/bookings", json=body, headers=admin)
    assert response.status_code == 201, response.text
    booking = response.json()
    assert booking["userId"] == customer["id"]
    assert booking["address"]["city"] == "Haifa"
    assert booking["statusHistory"][0]["triggeredBy"] == "admin"
    await book(client, await login(client, OTHER_CUSTOMER))

    async def found(query: str) -> list[str]:
        page = (await client.get(f"/api/v1/admin/bookings?{query}", headers=admin)).json()
        return [item["id"] for item in page["items"]]

    assert await found("city=Haifa") == [booking["id"]]
    assert await found(f"q={booking['bookingNumber'].lower()}") == [booking["id"]]
    assert len(await found("status=pending_professional")) == 2
    assert await found("status=cancelled") == []
    customer_view = await client.get(
        f"/api/v1/bookings/{booking['id']}", headers=await login(client, CUSTOMER)
    )
    assert customer_view.status_code == 200


async def test_only_an_admin_cancels_once_the_professional_is_on_the_way(
    client: httpx.AsyncClient, container: Container
) -> None:
    headers = await login(client, CUSTOMER)
    booking = await book(client, headers, bookingDateTime="2026-12-10T12:00:00+02:00")
    async with (
        container.sessions() as session
    ):  # dispatch is not part of this test: put it on its way directly
        await session.execute(sa.update(Booking).where(Booking.id == booking["id"]).values(status="on_way"))
        await session.commit()

    by_customer = await client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=headers)
    admin = await login(client, ADMIN)
    by_admin = await client.post(
        f"/api/v1/admin/bookings/{booking['id']}/cancel",
        json={"reason": "address unreachable"},
        headers=admin,
    )

    assert (by_customer.status_code, by_customer.json()["code"]) == (403, "actor_not_allowed")
    assert by_admin.status_code == 200
    assert by_admin.json()["status"] == "cancelled"
    admin_id = (await client.get("/api/v1/me", headers=admin)).json()["id"]
    assert by_admin.json()["statusHistory"][-1] == {
        "status": "cancelled",
        "timestamp": "2026-12-01T08:00:00Z",
        "triggeredBy": "admin",
        "actorId": admin_id,
        "reason": "address unreachable",
    }
