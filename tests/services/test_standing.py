"""A professional's standing follows their record: refreshed by its events and, as days pass, by workers."""

from __future__ import annotations

from datetime import timedelta

import httpx
import sqlalchemy as sa

from masu.bootstrap import Container
from masu.clock import SettableClock
from masu.domain.standing import ProfessionalRecord, match_score, standing_score
from masu.persistence.models import ProfessionalCoverage, ProfessionalStats, User
from masu.worker.runner import Worker
from tests.factories import ADMIN, CUSTOMER, OTHER_CUSTOMER, book, login, professional

TEL_AVIV = {"Avi Pro", "Rina Pro", "Shira Pro", "Efrat Pro"}


async def _stats(container: Container, name: str) -> ProfessionalStats:
    async with container.sessions() as session:
        pid = (await session.execute(sa.select(User.id).where(User.name == name))).scalar_one()
        stats = await session.get(ProfessionalStats, pid)
        assert stats is not None
        return stats


async def _coverage_scores(container: Container, name: str) -> set[float]:
    async with container.sessions() as session:
        rows = await session.execute(
            sa.select(ProfessionalCoverage.match_score)
            .join(User, User.id == ProfessionalCoverage.professional_id)
            .where(User.name == name)
        )
        return set(rows.scalars())


async def test_answering_an_offer_and_taking_the_job_move_the_standing_and_the_order(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    worker = Worker(container, container.bus)
    await book(client, await login(client, CUSTOMER), bookingDateTime="2026-12-04T12:00:00+02:00")
    await worker.run_once(clock.now())
    avi = await login(client, professional("Avi Pro"))
    offer = (await client.get("/api/v1/professional/offers", headers=avi)).json()[0]
    clock.advance(timedelta(minutes=2))

    accepted = await client.post(f"/api/v1/offers/{offer['id']}/accept", headers=avi)
    await worker.run_once(clock.now())

    assert accepted.status_code == 200, accepted.text
    stats = await _stats(container, "Avi Pro")
    record = ProfessionalRecord(
        offers_received=1,
        offers_answered=1,
        offers_accepted=1,
        median_response_seconds=120.0,
        recent_jobs=1,
    )
    assert (
        stats.offers_received,
        stats.offers_answered,
        stats.offers_accepted,
        stats.median_response_seconds,
        stats.recent_jobs,
    ) == (1, 1, 1, 120.0, 1)
    assert stats.standing_score == standing_score(record)
    assert stats.refreshed_at == clock.now()
    assert await _coverage_scores(container, "Avi Pro") == {match_score(standing_score(record), None)}
    loser = await _stats(container, "Rina Pro")  # withdrawn when Avi accepted: never hers to answer
    assert (loser.offers_received, loser.offers_answered) == (0, 0)

    later = await book(
        client, await login(client, OTHER_CUSTOMER), bookingDateTime="2026-12-05T12:00:00+02:00"
    )
    ranked = await client.get(
        f"/api/v1/admin/bookings/{later['id']}/candidates", headers=await login(client, ADMIN)
    )
    eligible = [c for c in ranked.json() if c["eligible"]]
    assert {c["name"] for c in eligible} == TEL_AVIV
    assert eligible[0]["name"] == "Avi Pro"  # quick and willing outweighs one recent job
    assert eligible[0]["matchScore"] > eligible[1]["matchScore"]


async def test_the_worker_refreshes_day_old_standings_as_their_windows_move(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    worker = Worker(container, container.bus)
    await book(client, await login(client, CUSTOMER), bookingDateTime="2026-12-04T12:00:00+02:00")
    await worker.run_once(clock.now())
    avi = await login(client, professional("Avi Pro"))
    offer = (await client.get("/api/v1/professional/offers", headers=avi)).json()[0]
    await client.post(f"/api/v1/offers/{offer['id']}/accept", headers=avi)
    await worker.run_once(clock.now())
    assert (await _stats(container, "Avi Pro")).recent_jobs == 1

    clock.advance(timedelta(days=31))  # the job falls out of the 30-day fairness window
    for _ in range(3):  # 20 demo professionals, refreshed in passes of at most 200
        await worker.run_once(clock.now())

    refreshed = await _stats(container, "Avi Pro")
    assert (refreshed.recent_jobs, refreshed.offers_accepted) == (0, 1)  # offers count for 90 days
    assert refreshed.refreshed_at == clock.now()
    assert (await _stats(container, "Ziv Pro")).refreshed_at == clock.now()
