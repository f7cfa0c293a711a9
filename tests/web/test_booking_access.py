"""authorizeBookingAccess on every booking route: owner, assigned professional and admins; nobody else."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from masu.bootstrap import Container
from masu.clock import SettableClock
from masu.persistence.models import Booking, User
from tests.factories import ADMIN, CUSTOMER, OTHER_CUSTOMER, PROFESSIONAL, book, login

CALLERS = ["anonymous", "owner", "other_customer", "professional", "assigned_professional", "admin"]

# Expected status per route and caller. "assigned_professional" is a professional whose id is on the booking.
MATRIX: dict[str, dict[str, int]] = {
    "read": {
        "anonymous": 401,
        "owner": 200,
        "other_customer": 404,
        "professional": 404,
        "assigned_professional": 200,
        "admin": 200,
    },
    "cancel": {
        "anonymous": 401,
        "owner": 200,
        "other_customer": 404,
        "professional": 404,
        "assigned_professional": 403,
        "admin": 200,
    },
    "admin_cancel": {
        "anonymous": 401,
        "owner": 403,
        "other_customer": 403,
        "professional": 403,
        "assigned_professional": 403,
        "admin": 200,
    },
    "admin_events": {
        "anonymous": 401,
        "owner": 403,
        "other_customer": 403,
        "professional": 403,
        "assigned_professional": 403,
        "admin": 200,
    },
}


async def _assign(container: Container, booking_id: str, phone: str) -> None:
    """Put a professional on the booking directly (dispatch is not what this test is about)."""
    async with container.sessions() as session:
        professional_id = (
            await session.execute(sa.select(User.id).where(User.phone == "+972" + phone[1:]))
        ).scalar_one()
        await session.execute(
            sa.update(Booking).where(Booking.id == booking_id).values(professional_id=professional_id)
        )
        await session.commit()


async def _headers(client: httpx.AsyncClient, caller: str) -> dict[str, str]:
    who = {
        "owner": CUSTOMER,
        "other_customer": OTHER_CUSTOMER,
        "admin": ADMIN,
        "professional": ("0540000002", "pro-demo-pass"),
        "assigned_professional": PROFESSIONAL,
    }
    return {} if caller == "anonymous" else await login(client, who[caller])


async def _call(
    client: httpx.AsyncClient, route: str, booking_id: str, headers: dict[str, str]
) -> httpx.Response:
    requests: dict[str, tuple[str, str, Any]] = {
        "read": ("GET", f"/api/v1/bookings/{booking_id}", None),
        "cancel": ("POST", f"/api/v1/bookings/{booking_id}/cancel", {"reason": "plans changed"}),
        "admin_cancel": ("POST", f"/api/v1/admin/bookings/{booking_id}/cancel", {"reason": "duplicate"}),
        "admin_events": ("GET", f"/api/v1/admin/events?bookingId={booking_id}", None),
    }
    method, url, body = requests[route]
    return await client.request(method, url, json=body, headers=headers)


@pytest.mark.parametrize("route", list(MATRIX))
@pytest.mark.parametrize("caller", CALLERS)
async def test_access_matrix(
    client: httpx.AsyncClient, container: Container, route: str, caller: str
) -> None:
    booking = await book(client, await login(client, CUSTOMER))
    await _assign(container, booking["id"], PROFESSIONAL[0])

    response = await _call(client, route, booking["id"], await _headers(client, caller))

    assert response.status_code == MATRIX[route][caller], response.text
    if response.status_code == 404:
        assert "no such booking" in response.json()["detail"]


@pytest.mark.parametrize("caller", ["owner", "other_customer", "admin"])
async def test_unknown_booking_looks_the_same_as_someone_elses(
    client: httpx.AsyncClient, caller: str
) -> None:
    response = await client.get("/api/v1/bookings/does-not-exist", headers=await _headers(client, caller))
    assert response.status_code == 404


async def test_lists_and_stats_show_only_what_the_caller_may_see(
    client: httpx.AsyncClient, container: Container
) -> None:
    mine = await book(client, await login(client, CUSTOMER))
    theirs = await book(client, await login(client, OTHER_CUSTOMER))
    await _assign(container, theirs["id"], PROFESSIONAL[0])

    async def listed(caller: str) -> set[str]:
        page = (await client.get("/api/v1/bookings", headers=await _headers(client, caller))).json()
        return {item["id"] for item in page["items"]}

    assert await listed("owner") == {mine["id"]}
    assert await listed("other_customer") == {theirs["id"]}
    assert await listed("assigned_professional") == {theirs["id"]}
    assert await listed("professional") == set()
    assert await listed("admin") == {mine["id"], theirs["id"]}
    owner_stats = (await client.get("/api/v1/bookings/stats", headers=await _headers(client, "owner"))).json()
    assert owner_stats == [{"status": "pending_professional", "count": 1, "totalAmount": 250}]
    admin_stats = (await client.get("/api/v1/bookings/stats", headers=await _headers(client, "admin"))).json()
    assert admin_stats == [{"status": "pending_professional", "count": 2, "totalAmount": 500}]
    assert (await client.get("/api/v1/bookings")).status_code == 401


@pytest.mark.parametrize("route", ["/api/v1/admin/bookings", "/api/v1/admin/events"])
async def test_admin_lists_refuse_everyone_but_admins(client: httpx.AsyncClient, route: str) -> None:
    assert (await client.get(route)).status_code == 401
    assert (await client.get(route, headers=await login(client, CUSTOMER))).status_code == 403
    assert (await client.get(route, headers=await login(client, PROFESSIONAL))).status_code == 403
    assert (await client.get(route, headers=await login(client, ADMIN))).status_code == 200


async def test_forged_and_expired_tokens_are_401(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    headers = await login(client, CUSTOMER)
    token = headers["Authorization"].removeprefix("Bearer ")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})).status_code == 401
    assert (await client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"})).status_code == 401
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    clock.advance(timedelta(minutes=container.settings.ACCESS_TOKEN_TTL_MINUTES))
    expired = await client.get("/api/v1/me", headers=headers)
    assert expired.status_code == 401
    assert expired.headers["www-authenticate"] == "Bearer"
