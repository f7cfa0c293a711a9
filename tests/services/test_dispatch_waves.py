"""Dispatch through time with `Worker.run_once` and a settable clock: waves, declines, expiry, exhaustion."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa

from masu.bootstrap import Container, build_container
from masu.clock import SettableClock
from masu.persistence.models import Booking, OutboxEvent
from masu.web.app import create_app
from masu.worker.runner import Worker
from tests.conftest import NOW, settings_for
from tests.factories import ADMIN, CUSTOMER, book, login, professional

VISIT = "2026-12-04T12:00:00+02:00"  # Friday noon in Tel Aviv: four demo professionals are eligible
TEL_AVIV = {"Avi Pro", "Rina Pro", "Shira Pro", "Efrat Pro"}


@pytest.fixture
async def waves_of_two(database_url: str, clock: SettableClock) -> AsyncIterator[Container]:
    container = build_container(settings_for(database_url, MAX_PROFESSIONAL_RESPONSES=2), clock=clock)
    yield container
    await container.close()


async def _offers(container: Container, booking_id: str) -> list[tuple[int, str, str]]:
    async with container.sessions() as session:
        rows = await session.execute(
            sa.text(
                "SELECT o.wave, u.name, o.response_status FROM offers o"
                " JOIN users u ON u.id = o.professional_id WHERE o.booking_id = :b ORDER BY o.wave, u.name"
            ),
            {"b": booking_id},
        )
        return [tuple(row) for row in rows.all()]  # type: ignore[misc]


async def _booking(container: Container, booking_id: str) -> Booking:
    async with container.sessions() as session:
        booking = await session.get(Booking, booking_id)
        assert booking is not None
        return booking


async def _event_types(container: Container, booking_id: str) -> list[str]:
    async with container.sessions() as session:
        rows = await session.execute(
            sa.select(OutboxEvent.event_type)
            .where(OutboxEvent.booking_id == booking_id)
            .order_by(OutboxEvent.id)
        )
        return list(rows.scalars())


async def test_waves_expiry_declines_exhaustion_and_cancellation_at_visit_time(
    waves_of_two: Container, clock: SettableClock
) -> None:
    container = waves_of_two
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://masu.test") as client:
        booking = await book(client, await login(client, CUSTOMER), bookingDateTime=VISIT)
        worker = Worker(container, container.bus)

        await worker.run_once(clock.now())
        wave_one = await _offers(container, booking["id"])
        assert [(w, s) for w, _, s in wave_one] == [(1, "pending"), (1, "pending")]

        decliner = wave_one[0][1]
        pro_headers = await login(client, professional(decliner))
        my_offers = (await client.get("/api/v1/professional/offers", headers=pro_headers)).json()
        assert [(o["bookingNumber"], o["city"], o["expectedPayment"]) for o in my_offers] == [
            (booking["bookingNumber"], "Tel Aviv", 170)
        ]
        declined = await client.post(f"/api/v1/offers/{my_offers[0]['id']}/decline", headers=pro_headers)
        assert declined.status_code == 200
        await worker.run_once(clock.now())
        assert len(await _offers(container, booking["id"])) == 2, "the wave is still open: no new offers yet"

        clock.advance(timedelta(minutes=15))
        await worker.run_once(clock.now())
        offers = await _offers(container, booking["id"])
        assert sorted(s for w, _, s in offers if w == 1) == ["declined", "expired"]
        wave_two = [name for w, name, _ in offers if w == 2]
        assert len(wave_two) == 2
        assert {name for _, name, _ in offers} == TEL_AVIV

        late = await client.post(f"/api/v1/offers/{my_offers[0]['id']}/accept", headers=pro_headers)
        assert (late.status_code, late.json()["code"]) == (409, "offer_declined")
        candidates = await client.get(
            f"/api/v1/admin/bookings/{booking['id']}/candidates", headers=await login(client, ADMIN)
        )
        assert next(c for c in candidates.json() if c["name"] == decliner)["reasons"] == ["declined"]

        clock.advance(timedelta(minutes=15))
        await worker.run_once(clock.now())
        flagged = await _booking(container, booking["id"])
        assert (flagged.status, flagged.needs_attention) == ("pending_professional", True)
        assert (await _event_types(container, booking["id"])).count("booking.dispatch_exhausted") == 1

        clock.set(datetime(2026, 12, 4, 10, 0, tzinfo=UTC))  # the visit time, nobody assigned
        await worker.run_once(clock.now())
        cancelled = await _booking(container, booking["id"])
        assert (cancelled.status, cancelled.cancellation_reason, cancelled.cancelled_by) == (
            "cancelled",
            "no_professional",
            "system",
        )


async def test_first_accept_wins_and_the_rest_are_withdrawn(
    client: httpx.AsyncClient, container: Container
) -> None:
    booking = await book(client, await login(client, CUSTOMER), bookingDateTime=VISIT)
    await Worker(container, container.bus).run_once(NOW)
    offers = await _offers(container, booking["id"])
    assert len(offers) == 4  # waves of five, four eligible

    first, second = offers[0][1], offers[1][1]
    winner_headers = await login(client, professional(first))
    loser_headers = await login(client, professional(second))
    winner_offer = (await client.get("/api/v1/professional/offers", headers=winner_headers)).json()[0]
    loser_offer = (await client.get("/api/v1/professional/offers", headers=loser_headers)).json()[0]

    won = await client.post(f"/api/v1/offers/{winner_offer['id']}/accept", headers=winner_headers)
    lost = await client.post(f"/api/v1/offers/{loser_offer['id']}/accept", headers=loser_headers)
    stranger = await client.post(f"/api/v1/offers/{winner_offer['id']}/accept", headers=loser_headers)

    assert won.status_code == 200, won.text
    confirmed = won.json()
    assert (confirmed["status"], confirmed["confirmedAt"]) == ("confirmed", "2026-12-01T08:00:00Z")
    assert confirmed["statusHistory"][-1]["triggeredBy"] == "professional"
    assert confirmed["priceDetails"]["totalProfessionalPayment"] == 170
    assert (lost.status_code, lost.json()["code"]) == (409, "already_taken")
    assert stranger.status_code == 404
    states = sorted(s for _, _, s in await _offers(container, booking["id"]))
    assert states == ["accepted", "withdrawn", "withdrawn", "withdrawn"]
    types = await _event_types(container, booking["id"])
    assert types.count("offer.withdrawn") == 3
    assert "booking.confirmed" in types
    assert "offer.accepted" in types
    assigned = await client.get(f"/api/v1/bookings/{booking['id']}", headers=winner_headers)
    assert assigned.status_code == 200  # the assigned professional may now read the booking


async def test_matching_switched_off_leaves_dispatch_to_admins(
    database_url: str, clock: SettableClock
) -> None:
    container = build_container(settings_for(database_url, ENABLE_PROFESSIONAL_MATCHING=False), clock=clock)
    try:
        transport = httpx.ASGITransport(app=create_app(container))
        async with httpx.AsyncClient(transport=transport, base_url="http://masu.test") as client:
            booking = await book(client, await login(client, CUSTOMER), bookingDateTime=VISIT)
            await Worker(container, container.bus).run_once(NOW)
            assert await _offers(container, booking["id"]) == []
    finally:
        await container.close()
