"""Every validation rule of POST /api/v1/bookings answers 422 naming the field, and writes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import NOW
from tests.factories import ADMIN, CUSTOMER, book, booking_body, login, treatment_named


async def _booking_count(client: httpx.AsyncClient) -> int:
    admin = await login(client, ADMIN)
    stats = (await client.get("/api/v1/bookings/stats", headers=admin)).json()
    return sum(line["count"] for line in stats)


async def _event_count(client: httpx.AsyncClient) -> int:
    admin = await login(client, ADMIN)
    return len((await client.get("/api/v1/admin/events", headers=admin)).json())


def _iso(delta: timedelta) -> str:
    return (NOW + delta).isoformat()


INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("unknown treatment", {"treatmentId": "no-such-treatment"}, "treatmentId"),
    ("missing duration", {"durationMinutes": None}, "durationMinutes"),
    ("duration not offered", {"durationMinutes": 45}, "durationMinutes"),
    ("duration zero", {"durationMinutes": 0}, "durationMinutes"),
    ("visit too soon", {"bookingDateTime": _iso(timedelta(hours=1, minutes=59))}, "bookingDateTime"),
    ("visit in the past", {"bookingDateTime": _iso(timedelta(days=-1))}, "bookingDateTime"),
    ("visit too far", {"bookingDateTime": _iso(timedelta(days=30, minutes=1))}, "bookingDateTime"),
    ("naive time", {"bookingDateTime": "2026-12-03T12:00:00"}, "bookingDateTime"),
    ("offset beyond +14:00", {"bookingDateTime": "2026-12-04T12:00:00+14:30"}, "bookingDateTime"),
    ("offset beyond -14:00", {"bookingDateTime": "2026-12-04T12:00:00-14:30"}, "bookingDateTime"),
    ("offset of 23 hours", {"bookingDateTime": "2026-12-04T12:00:00+23:00"}, "bookingDateTime"),
    ("offset of a day less a minute", {"bookingDateTime": "2026-12-04T12:00:00-23:59"}, "bookingDateTime"),
    ("offset of 24 hours", {"bookingDateTime": "2026-12-04T12:00:00+24:00"}, "bookingDateTime"),
    ("not a time", {"bookingDateTime": "tomorrow"}, "bookingDateTime"),
    ("name too short", {"recipientName": "D"}, "recipientName"),
    ("name only spaces", {"recipientName": "   "}, "recipientName"),
    ("name too long", {"recipientName": "D" * 51}, "recipientName"),
    ("phone not Israeli", {"recipientPhone": "+14155550123"}, "recipientPhone"),
    ("phone landline", {"recipientPhone": "03-1234567"}, "recipientPhone"),
    ("phone garbage", {"recipientPhone": "call me"}, "recipientPhone"),
    ("phone too long", {"recipientPhone": "0" * 21}, "recipientPhone"),
    ("bad email", {"recipientEmail": "not-an-email"}, "recipientEmail"),
    ("street too short", {"address": {"street": "Hi 1", "city": "Tel Aviv"}}, "address.street"),
    ("street too long", {"address": {"street": "S" * 101, "city": "Tel Aviv"}}, "address.street"),
    ("city too short", {"address": {"street": "Herzl 10", "city": "T"}}, "address.city"),
    ("city not served", {"address": {"street": "Herzl 10", "city": "Eilat"}}, "address.city"),
    ("city missing", {"address": {"street": "Herzl 10"}}, "address.city"),
    ("notes too long", {"notes": "n" * 501}, "notes"),
    ("gender not offered", {"therapistGenderPreference": "female"}, "therapistGenderPreference"),
    ("gender unknown", {"therapistGenderPreference": "robot"}, "therapistGenderPreference"),
    ("unknown coupon", {"couponCode": "NOPE"}, "couponCode"),
    ("client-sent price", {"priceDetails": {"finalAmount": 1}}, "priceDetails"),
    ("wrong type", {"durationMinutes": "sixty"}, "durationMinutes"),
    ("huge string", {"recipientName": "x" * 20_000}, "recipientName"),
    ("userId from a customer", {"userId": "someone-else"}, "userId"),
]


@pytest.mark.parametrize(("case", "overrides", "field"), INVALID, ids=[c[0] for c in INVALID])
async def test_invalid_booking_is_422_naming_the_field_and_writes_nothing(
    client: httpx.AsyncClient, case: str, overrides: dict[str, Any], field: str
) -> None:
    headers = await login(client, CUSTOMER)
    treatment = await treatment_named(client, "Swedish Massage")
    before = await _booking_count(client), await _event_count(client)
    body = {k: v for k, v in booking_body(treatment["id"], **overrides).items() if v is not None}

    response = await client.post("/api/v1/bookings", json=body, headers=headers)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 422
    assert field in [error["field"] for error in problem["errors"]], problem
    assert (await _booking_count(client), await _event_count(client)) == before


async def test_fixed_price_treatment_refuses_another_duration(client: httpx.AsyncClient) -> None:
    headers = await login(client, CUSTOMER)
    facial = await treatment_named(client, "Classic Facial")
    response = await client.post(
        "/api/v1/bookings", json=booking_body(facial["id"], durationMinutes=90), headers=headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "durationMinutes"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"treatmentId": ', "application/json"),
        (b"not json at all", "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b"null", "application/json"),
        (b'{"recipientName": "\\ud800"}', "application/json"),
    ],
    ids=["truncated", "text", "array", "null", "lone surrogate"],
)
async def test_malformed_bodies_are_422_not_500(
    client: httpx.AsyncClient, content: bytes, content_type: str
) -> None:
    headers = await login(client, CUSTOMER)
    before = await _booking_count(client)
    response = await client.post(
        "/api/v1/bookings", content=content, headers={**headers, "content-type": content_type}
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"]
    assert await _booking_count(client) == before


async def test_oversized_body_is_refused_before_parsing(client: httpx.AsyncClient) -> None:
    headers = await login(client, CUSTOMER)
    treatment = await treatment_named(client, "Swedish Massage")
    body = booking_body(treatment["id"], notes="n" * 200_000)
    response = await client.post("/api/v1/bookings", json=body, headers=headers)
    assert response.status_code == 413


async def test_bad_idempotency_key_is_422(client: httpx.AsyncClient) -> None:
    headers = await login(client, CUSTOMER)
    treatment = await treatment_named(client, "Swedish Massage")
    response = await client.post(
        "/api/v1/bookings",
        json=booking_body(treatment["id"]),
        headers={**headers, "Idempotency-Key": "x" * 256},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("status=lost", "status"),
        ("cursor=%21%21", "cursor"),
    ],
)
async def test_bad_list_parameters_are_422(client: httpx.AsyncClient, query: str, field: str) -> None:
    headers = await login(client, CUSTOMER)
    response = await client.get(f"/api/v1/bookings?{query}", headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


async def test_nul_characters_are_422_on_every_backend(client: httpx.AsyncClient) -> None:
    headers = await login(client, CUSTOMER)
    admin = await login(client, ADMIN)
    treatment = await treatment_named(client, "Swedish Massage")
    in_body = await client.post(
        "/api/v1/bookings", json=booking_body(treatment["id"], notes="a\x00b"), headers=headers
    )
    in_path = await client.get("/api/v1/bookings/a%00b", headers=headers)
    in_query = await client.get("/api/v1/admin/bookings?q=a%00b", headers=admin)
    assert (in_body.status_code, in_path.status_code, in_query.status_code) == (422, 422, 422)
    assert in_body.json()["errors"][0]["field"] == "notes"
    malformed_id = await client.get("/api/v1/bookings/has spaces", headers=headers)
    assert (malformed_id.status_code, malformed_id.json()["errors"][0]["field"]) == (422, "bookingId")


@pytest.mark.parametrize(
    ("moment", "utc"),
    [
        ("2026-12-04T20:00:00+14:00", "2026-12-04T06:00:00Z"),  # Kiribati's evening is 08:00 in Israel
        ("2026-12-03T18:00:00-12:00", "2026-12-04T06:00:00Z"),
        ("2026-12-04T10:00:00Z", "2026-12-04T10:00:00Z"),
    ],
)
async def test_the_widest_real_offsets_are_accepted(client: httpx.AsyncClient, moment: str, utc: str) -> None:
    booking = await book(client, await login(client, CUSTOMER), bookingDateTime=moment)

    assert booking["bookingDateTime"] == utc


async def test_an_offset_beyond_fourteen_hours_says_which_offsets_are_real(client: httpx.AsyncClient) -> None:
    treatment = await treatment_named(client, "Swedish Massage")
    body = booking_body(treatment["id"], bookingDateTime="2026-12-04T12:00:00+14:30")

    response = await client.post("/api/v1/bookings", json=body, headers=await login(client, CUSTOMER))

    assert response.json()["errors"] == [
        {"field": "bookingDateTime", "message": "the UTC offset must lie between -14:00 and +14:00"}
    ]
