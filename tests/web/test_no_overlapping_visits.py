"""A professional offered two visits at the same hour can take only one, however the two accepts race."""

from __future__ import annotations

import asyncio

import httpx

from masu.bootstrap import Container
from masu.worker.runner import Worker
from tests.factories import ADMIN, CUSTOMER, OTHER_CUSTOMER, THIRD_CUSTOMER, book, login, professional

AVI = professional("Avi Pro")
RINA = professional("Rina Pro")


async def _two_offered_visits(client: httpx.AsyncClient, container: Container, at: str) -> list[str]:
    """Two customers book Tel Aviv at one time; a worker pass offers both to the city's professionals."""
    bookings = [
        (await book(client, await login(client, who), bookingDateTime=at))["id"]
        for who in (CUSTOMER, OTHER_CUSTOMER)
    ]
    await Worker(container, container.bus).run_once(container.clock.now())
    return bookings


async def _offer_of(client: httpx.AsyncClient, who: tuple[str, str], booking_id: str) -> str:
    offers = (await client.get("/api/v1/professional/offers", headers=await login(client, who))).json()
    return str(
        next(o["id"] for o in offers if o["bookingId"] == booking_id and o["responseStatus"] == "pending")
    )


async def _status(client: httpx.AsyncClient, booking_id: str) -> str:
    booking = await client.get(f"/api/v1/bookings/{booking_id}", headers=await login(client, ADMIN))
    return str(booking.json()["status"])


async def test_the_second_overlapping_accept_is_refused_and_the_visit_goes_to_someone_else(
    client: httpx.AsyncClient, container: Container
) -> None:
    first, second = await _two_offered_visits(client, container, "2026-12-04T12:00:00+02:00")
    avi = await login(client, AVI)
    offers = [await _offer_of(client, AVI, booking) for booking in (first, second)]

    taken = await client.post(f"/api/v1/offers/{offers[0]}/accept", headers=avi)
    refused = await client.post(f"/api/v1/offers/{offers[1]}/accept", headers=avi)
    by_rina = await client.post(
        f"/api/v1/offers/{await _offer_of(client, RINA, second)}/accept", headers=await login(client, RINA)
    )

    assert taken.status_code == 200
    assert (refused.status_code, refused.json()["code"]) == (409, "professional_busy")
    assert by_rina.status_code == 200
    assert [await _status(client, b) for b in (first, second)] == ["confirmed", "confirmed"]


async def test_a_visit_ending_within_the_travel_time_of_another_is_refused_too(
    client: httpx.AsyncClient, container: Container
) -> None:
    first = (await book(client, await login(client, CUSTOMER), bookingDateTime="2026-12-04T12:00:00+02:00"))[
        "id"
    ]
    # 13:00 starts as the 60-minute noon visit ends: inside the 30-minute travel buffer.
    near = (
        await book(client, await login(client, THIRD_CUSTOMER), bookingDateTime="2026-12-04T13:00:00+02:00")
    )["id"]
    await Worker(container, container.bus).run_once(container.clock.now())
    avi = await login(client, AVI)

    taken = await client.post(f"/api/v1/offers/{await _offer_of(client, AVI, first)}/accept", headers=avi)
    refused = await client.post(f"/api/v1/offers/{await _offer_of(client, AVI, near)}/accept", headers=avi)

    assert taken.status_code == 200
    assert refused.status_code == 409


async def test_two_accepts_at_once_of_overlapping_visits_give_one_visit(
    client: httpx.AsyncClient, container: Container
) -> None:
    outcomes = []
    for day in ("04", "05"):
        bookings = await _two_offered_visits(client, container, f"2026-12-{day}T18:00:00+02:00")
        avi = await login(client, AVI)
        offers = [await _offer_of(client, AVI, booking) for booking in bookings]

        answers = await asyncio.gather(
            *(client.post(f"/api/v1/offers/{o}/accept", headers=avi) for o in offers)
        )

        outcomes.append(sorted(answer.status_code for answer in answers))
        statuses = sorted([await _status(client, b) for b in bookings])
        assert statuses == ["confirmed", "pending_professional"]

    assert outcomes == [[200, 409], [200, 409]]
