"""The SMS offer link /o/{token}: no login, one offer, useless once the offer has ended."""

from __future__ import annotations

from datetime import timedelta

import httpx

from masu.bootstrap import Container
from masu.clock import SettableClock
from masu.domain.dispatch import offer_token
from masu.worker.runner import Worker
from tests.conftest import NOW
from tests.factories import ADMIN, CUSTOMER, book, login

VISIT = "2026-12-04T12:00:00+02:00"


async def _tokens(client: httpx.AsyncClient, container: Container, booking_id: str) -> dict[str, str]:
    offers = (
        await client.get(f"/api/v1/admin/bookings/{booking_id}/offers", headers=await login(client, ADMIN))
    ).json()
    return {o["name"]: offer_token(o["id"], container.settings.SECRET_KEY) for o in offers}


async def test_the_link_shows_the_offer_and_accepts_it_without_login(
    client: httpx.AsyncClient, container: Container
) -> None:
    booking = await book(client, await login(client, CUSTOMER), bookingDateTime=VISIT)
    await Worker(container, container.bus).run_once(NOW)
    tokens = await _tokens(client, container, booking["id"])

    page = await client.get(f"/o/{tokens['Avi Pro']}")
    accepted = await client.post(f"/o/{tokens['Avi Pro']}/accept")
    after = await client.get(accepted.headers["location"])
    too_late = await client.post(f"/o/{tokens['Rina Pro']}/accept")

    assert page.status_code == 200
    assert '<html lang="he" dir="rtl">' in page.text
    for shown in ("Swedish Massage", "Tel Aviv", "₪170", "04/12/2026 12:00", "/accept", "/decline"):
        assert shown in page.text
    assert "Herzl 10" not in page.text  # the address only once the booking is theirs
    assert page.headers["referrer-policy"] == "no-referrer"
    assert (accepted.status_code, accepted.headers["location"]) == (
        303,
        f"/o/{tokens['Avi Pro']}?done=accept",
    )
    assert "Herzl 10, Tel Aviv" in after.text
    assert "/accept" not in after.text
    assert too_late.status_code == 409
    assert "already been taken" in too_late.text
    status = (
        await client.get(f"/api/v1/bookings/{booking['id']}", headers=await login(client, ADMIN))
    ).json()
    assert status["status"] == "confirmed"


async def test_forged_and_expired_links_do_nothing(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    booking = await book(client, await login(client, CUSTOMER), bookingDateTime=VISIT)
    await Worker(container, container.bus).run_once(NOW)
    token = (await _tokens(client, container, booking["id"]))["Shira Pro"]
    offer_id, signature = token.split(".")
    forged = f"{offer_id}.{'0' * len(signature)}"

    assert (await client.get(f"/o/{forged}")).status_code == 404
    assert (await client.post(f"/o/{forged}/accept")).status_code == 404
    assert (await client.get("/o/not-a-token")).status_code == 404
    clock.advance(timedelta(minutes=16))
    expired = await client.post(f"/o/{token}/decline")
    assert expired.status_code == 409
    assert "expired" in expired.text
    assert "/decline" not in expired.text
