"""GET /api/v1/admin/bookings/{id}/candidates: every professional, eligible ranked, the rest with reasons."""

from __future__ import annotations

from typing import Any

import httpx
import sqlalchemy as sa

from masu.bootstrap import Container
from masu.persistence.models import Booking, User
from tests.factories import ADMIN, CUSTOMER, OTHER_CUSTOMER, book, login, treatment_named

# Demo professionals cover two neighbouring cities each; these four cover Tel Aviv (odd positions are women).
TEL_AVIV = {"Avi Pro", "Rina Pro", "Shira Pro", "Efrat Pro"}
WOMEN = {"Rina Pro", "Efrat Pro"}


async def _candidates(client: httpx.AsyncClient, booking_id: str) -> dict[str, dict[str, Any]]:
    response = await client.get(
        f"/api/v1/admin/bookings/{booking_id}/candidates", headers=await login(client, ADMIN)
    )
    assert response.status_code == 200, response.text
    return {c["name"]: c for c in response.json()}


async def test_candidates_are_ranked_with_reasons(client: httpx.AsyncClient) -> None:
    booking = await book(client, await login(client, CUSTOMER), bookingDateTime="2026-12-04T12:00:00+02:00")

    ranked = await _candidates(client, booking["id"])

    assert len(ranked) == 20
    eligible = {name for name, c in ranked.items() if c["eligible"]}
    assert eligible == TEL_AVIV
    assert all(c["reasons"] == ["city_not_covered"] for name, c in ranked.items() if name not in TEL_AVIV)
    assert len({ranked[name]["matchScore"] for name in TEL_AVIV}) == 1  # nothing tells them apart yet
    assert set(ranked["Avi Pro"]["scoreParts"]) == {"distance", "rating", "responsiveness", "fairness"}
    order = list(ranked)
    assert set(order[:4]) == TEL_AVIV


async def test_gender_suspension_and_overlap_exclude_with_their_reason(
    client: httpx.AsyncClient, container: Container
) -> None:
    deep = await treatment_named(client, "Deep Tissue Massage")
    headers = await login(client, CUSTOMER)
    wanted = await book(
        client,
        headers,
        treatmentId=deep["id"],
        therapistGenderPreference="female",
        bookingDateTime="2026-12-04T12:00:00+02:00",
    )
    other = await book(
        client, await login(client, OTHER_CUSTOMER), bookingDateTime="2026-12-04T13:00:00+02:00"
    )
    async with container.sessions() as session:  # Rina already works a visit ending within the travel buffer
        rina = (await session.execute(sa.select(User.id).where(User.name == "Rina Pro"))).scalar_one()
        await session.execute(
            sa.update(Booking)
            .where(Booking.id == other["id"])
            .values(professional_id=rina, status="confirmed")
        )
        await session.commit()
    avi = next(c for c in (await _candidates(client, wanted["id"])).values() if c["name"] == "Avi Pro")
    suspended = await client.post(
        f"/api/v1/admin/professionals/{avi['professionalId']}/suspend", headers=await login(client, ADMIN)
    )
    assert suspended.status_code == 200

    ranked = await _candidates(client, wanted["id"])

    assert {name for name, c in ranked.items() if c["eligible"]} == {"Efrat Pro"}
    assert ranked["Rina Pro"]["reasons"] == ["busy"]
    assert ranked["Shira Pro"]["reasons"] == ["gender_mismatch"]
    assert ranked["Avi Pro"]["reasons"] == ["not_approved", "gender_mismatch"]


async def test_only_admins_see_candidates(client: httpx.AsyncClient) -> None:
    booking = await book(client, await login(client, CUSTOMER))
    path = f"/api/v1/admin/bookings/{booking['id']}/candidates"
    assert (await client.get(path, headers=await login(client, CUSTOMER))).status_code == 403
    assert (await client.get(path)).status_code == 401
    missing = await client.get("/api/v1/admin/bookings/nope/candidates", headers=await login(client, ADMIN))
    assert missing.status_code == 404
