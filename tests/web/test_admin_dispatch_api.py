"""Admins stepping in: assign (force for the ineligible), unassign, dispatch now, bonus."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from masu.bootstrap import Container, build_container
from masu.clock import SettableClock
from masu.persistence.models import Booking
from masu.web.app import create_app
from masu.worker.runner import Worker
from tests.conftest import settings_for
from tests.factories import ADMIN, CUSTOMER, book, login

VISIT = "2026-12-04T12:00:00+02:00"  # Tel Aviv, Friday noon: Avi, Rina, Shira and Efrat are eligible


@pytest.fixture
async def manual(
    database_url: str, clock: SettableClock
) -> AsyncIterator[tuple[httpx.AsyncClient, Container]]:
    """An app whose automatic matching is off, so every offer here comes from an admin's action."""
    container = build_container(settings_for(database_url, ENABLE_PROFESSIONAL_MATCHING=False), clock=clock)
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://masu.test") as client:
        yield client, container
    await container.close()


async def _professionals(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, str]:
    listed = (await client.get("/api/v1/admin/professionals", headers=admin)).json()
    return {p["name"]: p["id"] for p in listed}


async def _offers(client: httpx.AsyncClient, admin: dict[str, str], booking_id: str) -> list[dict[str, Any]]:
    return list((await client.get(f"/api/v1/admin/bookings/{booking_id}/offers", headers=admin)).json())


async def test_assign_refuses_the_ineligible_unless_forced(
    manual: tuple[httpx.AsyncClient, Container],
) -> None:
    client, _ = manual
    admin = await login(client, ADMIN)
    pros = await _professionals(client, admin)
    booking = await book(client, await login(client, CUSTOMER), bookingDateTime=VISIT)
    path = f"/api/v1/admin/bookings/{booking['id']}/assign"

    refused = await client.post(path, json={"professionalId": pros["Eli Pro"]}, headers=admin)
    forced = await client.post(path, json={"professionalId": pros["Eli Pro"], "force": True}, headers=admin)
    again = await client.post(path, json={"professionalId": pros["Avi Pro"]}, headers=admin)

    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "professionalId"
    assert "city_not_covered" in refused.json()["errors"][0]["message"]
    assert forced.status_code == 200, forced.text
    assert (forced.json()["status"], forced.json()["professionalId"]) == ("confirmed", pros["Eli Pro"])
    last = forced.json()["statusHistory"][-1]
    assert (last["triggeredBy"], last["reason"]) == ("admin", "forced despite: city_not_covered")
    assert (again.status_code, again.json()["code"]) == (409, "illegal_transition")
    unknown = await client.post(path, json={"professionalId": "nobody"}, headers=admin)
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (422, "professionalId")


async def test_unassign_puts_the_booking_back_and_it_is_dispatched_again(
    client: httpx.AsyncClient, container: Container
) -> None:
    admin = await login(client, ADMIN)
    pros = await _professionals(client, admin)
    booking = await book(client, await login(client, CUSTOMER), bookingDateTime=VISIT)
    assigned = await client.post(
        f"/api/v1/admin/bookings/{booking['id']}/assign",
        json={"professionalId": pros["Avi Pro"]},
        headers=admin,
    )
    assert assigned.json()["priceDetails"]["totalProfessionalPayment"] == 170

    back = await client.post(
        f"/api/v1/admin/bookings/{booking['id']}/unassign", json={"reason": "sick"}, headers=admin
    )
    await Worker(container, container.bus).run_once(container.clock.now())

    assert back.status_code == 200, back.text
    assert (back.json()["status"], back.json()["professionalId"]) == ("pending_professional", None)
    assert back.json()["statusHistory"][-1]["reason"] == "sick"
    offered = await _offers(client, admin, booking["id"])
    assert {o["name"] for o in offered if o["responseStatus"] == "pending"} >= {
        "Rina Pro",
        "Shira Pro",
        "Efrat Pro",
    }
    types = [
        e["type"]
        for e in (await client.get(f"/api/v1/admin/events?bookingId={booking['id']}", headers=admin)).json()
    ]
    assert "booking.unassigned" in types


async def test_dispatch_now_by_wave_or_to_everyone_suitable(
    manual: tuple[httpx.AsyncClient, Container],
) -> None:
    client, container = manual
    admin = await login(client, ADMIN)
    booking = await book(client, await login(client, CUSTOMER), bookingDateTime=VISIT)
    await Worker(container, container.bus).run_once(container.clock.now())
    assert await _offers(client, admin, booking["id"]) == []  # matching is off: nothing happened by itself

    wave = await client.post(
        f"/api/v1/admin/bookings/{booking['id']}/dispatch", json={"mode": "next-wave"}, headers=admin
    )
    rest = await client.post(
        f"/api/v1/admin/bookings/{booking['id']}/dispatch", json={"mode": "all-suitable"}, headers=admin
    )
    bad = await client.post(
        f"/api/v1/admin/bookings/{booking['id']}/dispatch", json={"mode": "everyone"}, headers=admin
    )

    assert wave.status_code == 200, wave.text
    assert {o["name"] for o in wave.json()} == {"Avi Pro", "Rina Pro", "Shira Pro", "Efrat Pro"}
    assert {o["wave"] for o in wave.json()} == {1}
    assert rest.json() == []  # everyone suitable was already asked
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "mode")


async def test_a_bonus_raises_the_pay_and_asks_again_all_who_did_not_decline(
    manual: tuple[httpx.AsyncClient, Container], clock: SettableClock
) -> None:
    client, container = manual
    admin = await login(client, ADMIN)
    booking = await book(client, await login(client, CUSTOMER), bookingDateTime=VISIT)
    first = await client.post(
        f"/api/v1/admin/bookings/{booking['id']}/dispatch", json={"mode": "next-wave"}, headers=admin
    )
    decliner = next(o for o in first.json() if o["name"] == "Rina Pro")
    rina = await login(client, ("0540000010", "pro-demo-pass"))
    assert (await client.post(f"/api/v1/offers/{decliner['id']}/decline", headers=rina)).status_code == 200
    clock.advance(timedelta(minutes=16))
    await Worker(container, container.bus).run_once(clock.now())  # the others let their offers expire

    raised = await client.post(
        f"/api/v1/admin/bookings/{booking['id']}/bonus", json={"amount": 50}, headers=admin
    )

    assert raised.status_code == 200, raised.text
    price = raised.json()["priceDetails"]
    assert (price["paymentBonus"], price["totalProfessionalPayment"], price["companyFee"]) == (50, 220, 30)
    pending = {
        o["name"] for o in await _offers(client, admin, booking["id"]) if o["responseStatus"] == "pending"
    }
    assert pending == {"Avi Pro", "Shira Pro", "Efrat Pro"}
    offers = (
        await client.get(
            "/api/v1/professional/offers", headers=await login(client, ("0540000001", "pro-demo-pass"))
        )
    ).json()
    assert offers[0]["expectedPayment"] == 220


async def test_an_assigned_professional_who_withdraws_is_not_asked_again_and_the_flag_clears(
    manual: tuple[httpx.AsyncClient, Container],
) -> None:
    client, container = manual
    admin = await login(client, ADMIN)
    pros = await _professionals(client, admin)
    booking = await book(client, await login(client, CUSTOMER), bookingDateTime=VISIT)
    async with container.sessions() as session:  # as if an earlier round had run out of professionals
        await session.execute(
            sa.update(Booking).where(Booking.id == booking["id"]).values(needs_attention=True)
        )
        await session.commit()

    assigned = await client.post(
        f"/api/v1/admin/bookings/{booking['id']}/assign",
        json={"professionalId": pros["Avi Pro"]},
        headers=admin,
    )
    avi = await login(client, ("0540000001", "pro-demo-pass"))
    withdrawn = await client.post(
        f"/api/v1/bookings/{booking['id']}/withdraw", json={"reason": "car broke down"}, headers=avi
    )
    offered = await client.post(
        f"/api/v1/admin/bookings/{booking['id']}/dispatch", json={"mode": "all-suitable"}, headers=admin
    )

    assert assigned.json()["needsAttention"] is False
    assert withdrawn.status_code == 200, withdrawn.text
    assert {o["name"] for o in offered.json()} == {"Rina Pro", "Shira Pro", "Efrat Pro"}
    candidates = (
        await client.get(f"/api/v1/admin/bookings/{booking['id']}/candidates", headers=admin)
    ).json()
    assert next(c for c in candidates if c["name"] == "Avi Pro")["reasons"] == ["declined"]


async def test_assigning_by_hand_withdraws_open_offers_and_tells_those_professionals(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    admin = await login(client, ADMIN)
    pros = await _professionals(client, admin)
    booking = await book(client, await login(client, CUSTOMER), bookingDateTime=VISIT)
    worker = Worker(container, container.bus)
    await worker.run_once(clock.now())  # automatic matching offers it to the four in Tel Aviv

    assigned = await client.post(
        f"/api/v1/admin/bookings/{booking['id']}/assign",
        json={"professionalId": pros["Avi Pro"]},
        headers=admin,
    )
    await worker.run_once(clock.now())

    assert assigned.status_code == 200, assigned.text
    offers = {o["name"]: o["responseStatus"] for o in await _offers(client, admin, booking["id"])}
    assert offers == {
        "Avi Pro": "withdrawn",
        "Rina Pro": "withdrawn",
        "Shira Pro": "withdrawn",
        "Efrat Pro": "withdrawn",
    }
    async with container.sessions() as session:
        told = await session.execute(
            sa.text(
                "SELECT u.name FROM notifications n JOIN users u ON u.id = n.user_id"
                " WHERE n.booking_id = :b AND n.template = 'booking-taken'"
            ),
            {"b": booking["id"]},
        )
        names = set(told.scalars())
    assert names == {"Rina Pro", "Shira Pro", "Efrat Pro"}  # Avi has the booking: no "taken" for him
