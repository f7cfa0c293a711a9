"""The dispatch prefilter hands matching only professionals who may cover the city, by list or by radius."""

from __future__ import annotations

import httpx
import sqlalchemy as sa

from masu.bootstrap import Container
from masu.persistence.bookings import Booking
from masu.persistence.users import ProfessionalProfile, User
from masu.services.matching import ranked_candidates
from tests.conftest import NOW
from tests.factories import CUSTOMER, book, login

HAIFA = (32.7940, 34.9896)  # about 81 km from Tel Aviv


async def test_prefilter_keeps_city_lists_and_radii_and_nothing_else(
    client: httpx.AsyncClient, container: Container
) -> None:
    booking = await book(client, await login(client, CUSTOMER), bookingDateTime="2026-12-04T12:00:00+02:00")
    async with container.sessions() as session:
        eli = (await session.execute(sa.select(User.id).where(User.name == "Eli Pro"))).scalar_one()
        await session.execute(
            sa.update(ProfessionalProfile)
            .where(ProfessionalProfile.user_id == eli)
            .values(base_latitude=HAIFA[0], base_longitude=HAIFA[1], service_radius_km=100)
        )
        await session.commit()
    async with container.sessions() as session:
        row = await session.get(Booking, booking["id"])
        assert row is not None
        prefiltered = await ranked_candidates(session, row, now=NOW)
        everyone = await ranked_candidates(session, row, now=NOW, everyone=True)

    assert {e.name for e in prefiltered} == {"Avi Pro", "Rina Pro", "Shira Pro", "Efrat Pro", "Eli Pro"}
    assert all(e.eligible for e in prefiltered)
    eli_ranked = next(e for e in prefiltered if e.name == "Eli Pro")
    assert eli_ranked.distance_km is not None
    assert 80 < eli_ranked.distance_km < 82
    assert len(everyone) == 20
    assert {e.name for e in everyone if e.eligible} == {e.name for e in prefiltered}
