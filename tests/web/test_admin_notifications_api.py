"""GET /api/v1/admin/notifications: admins only, newest first, filtered by booking and recipient."""

from __future__ import annotations

from datetime import timedelta

import httpx

from masu.bootstrap import Container
from masu.persistence.base import new_id
from tests.conftest import NOW
from tests.factories import ADMIN, CUSTOMER, PROFESSIONAL, login
from tests.notifications.rows import message, queue

URL = "/api/v1/admin/notifications"
BOOKING, OTHER_BOOKING = new_id(), new_id()


async def _queue_three(container: Container) -> list[str]:
    return await queue(
        container,
        message("one", booking_id=BOOKING, at=NOW - timedelta(minutes=3)),
        message(
            "two",
            booking_id=BOOKING,
            at=NOW - timedelta(minutes=2),
            channel="email",
            recipient="dana@example.com",
            subject="אישור",
            status="sent",
            attempts=1,
            sent_at=NOW - timedelta(minutes=1),
        ),
        message(
            "three",
            booking_id=OTHER_BOOKING,
            at=NOW - timedelta(minutes=1),
            recipient="+972527654321",
            status="failed",
            attempts=8,
            error="HTTP 400: invalid number",
        ),
    )


async def test_admins_see_every_message_newest_first(client: httpx.AsyncClient, container: Container) -> None:
    one, two, three = await _queue_three(container)

    response = await client.get(URL, headers=await login(client, ADMIN))

    assert response.status_code == 200
    body = response.json()
    assert [m["id"] for m in body] == [three, two, one]
    assert body[1] == {
        "id": two,
        "channel": "email",
        "recipient": "dana@example.com",
        "template": "booking-confirmed",
        "language": "he",
        "body": "message two",
        "status": "sent",
        "attempts": 1,
        "createdAt": "2026-12-01T07:58:00Z",
        "sentAt": "2026-12-01T07:59:00Z",
        "error": None,
    }
    assert (body[0]["status"], body[0]["error"], body[0]["sentAt"]) == (
        "failed",
        "HTTP 400: invalid number",
        None,
    )


async def test_filters_by_booking_and_by_recipient(client: httpx.AsyncClient, container: Container) -> None:
    one, two, three = await _queue_three(container)
    headers = await login(client, ADMIN)

    async def ids(**params: str) -> list[str]:
        response = await client.get(URL, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [m["id"] for m in response.json()]

    assert await ids(bookingId=BOOKING) == [two, one]
    assert await ids(recipient="052-7654321") == [three]  # a phone as people write it
    assert await ids(recipient="+972521234567") == [one]
    assert await ids(recipient="dana@example.com", bookingId=BOOKING) == [two]
    assert await ids(recipient="dana@example.com", bookingId=OTHER_BOOKING) == []
    assert await ids(limit="2") == [three, two]


async def test_only_admins_may_look(client: httpx.AsyncClient, container: Container) -> None:
    await _queue_three(container)
    assert (await client.get(URL)).status_code == 401
    for who in (CUSTOMER, PROFESSIONAL):
        assert (await client.get(URL, headers=await login(client, who))).status_code == 403


async def test_a_malformed_filter_is_a_422_naming_it(client: httpx.AsyncClient) -> None:
    headers = await login(client, ADMIN)
    for params, field in (({"bookingId": "no spaces"}, "bookingId"), ({"limit": "0"}, "limit")):
        response = await client.get(URL, params=params, headers=headers)
        assert response.status_code == 422
        assert field in [error["field"] for error in response.json()["errors"]]


async def test_health_reports_each_message_providers_breaker(client: httpx.AsyncClient) -> None:
    details = (await client.get("/health", headers=await login(client, ADMIN))).json()["details"]
    assert details["messageProviders"] == [
        {"channel": "sms", "provider": "sms-console", "state": "closed", "failures": 0, "retryAt": None},
        {"channel": "email", "provider": "email-console", "state": "closed", "failures": 0, "retryAt": None},
    ]
