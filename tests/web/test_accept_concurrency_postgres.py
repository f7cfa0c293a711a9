"""First accept wins, proven with real concurrent requests against a 2-process server on PostgreSQL."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator, Awaitable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import pytest
import sqlalchemy as sa

from masu.bootstrap import build_container
from masu.persistence.base import new_id
from masu.persistence.models import Booking, Offer
from masu.services.dispatch.waves import expire_due_offers
from tests.conftest import settings_for
from tests.factories import CUSTOMER, OTHER_CUSTOMER, THIRD_CUSTOMER, booking_body
from tests.live_server import live_server_fixture, tomorrow_noon_in_israel

pytestmark = pytest.mark.postgres
T = TypeVar("T")

server = live_server_fixture("postgres_url", workers=2, env={"MAX_BOOKINGS_PER_HOUR": "100000"})
PROFESSIONALS = [f"05400000{n:02d}" for n in range(1, 6)]
TRIALS = 200
RACES = 60


@pytest.fixture
async def http(server: str) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=50, max_keepalive_connections=50)
    async with httpx.AsyncClient(base_url=server, timeout=30, limits=limits) as client:
        yield client


async def _login(http: httpx.AsyncClient, phone: str, password: str) -> tuple[str, dict[str, str]]:
    body = (await http.post("/api/v1/auth/login", json={"phone": phone, "password": password})).json()
    return body["user"]["id"], {"Authorization": f"Bearer {body['accessToken']}"}


async def _book(http: httpx.AsyncClient, customer: dict[str, str], treatment_id: str, slot: int) -> str:
    """An hour's visit two hours after the one before, seven a day from 08:00 to 20:00 from tomorrow on (when
    the Tel Aviv professionals work): a professional can never hold two at once, so every round's winner is
    free for the next round (winning one visit makes them busy for its hour)."""
    tomorrow_at_eight = datetime.fromisoformat(tomorrow_noon_in_israel()) - timedelta(hours=4)
    starts = tomorrow_at_eight + timedelta(days=slot // 7, hours=2 * (slot % 7))
    body = booking_body(treatment_id, bookingDateTime=starts.isoformat())
    response = await http.post("/api/v1/bookings", json=body, headers=customer)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _offer(
    postgres_url: str, booking_id: str, professional_ids: list[str], expires_at: datetime
) -> list[str]:
    """Open one offer per professional, as a wave would (the dispatcher is not what is raced here)."""
    container = build_container(settings_for(postgres_url))
    try:
        async with container.sessions() as session:
            now = datetime.now(UTC)
            offers = [
                Offer(
                    id=new_id(),
                    booking_id=booking_id,
                    professional_id=pid,
                    wave=1,
                    match_score=0.5,
                    notified_at=now,
                    expires_at=expires_at,
                    response_status="pending",
                    created_at=now,
                )
                for pid in professional_ids
            ]
            session.add_all(offers)
            await session.commit()
            return [o.id for o in offers]
    finally:
        await container.close()


async def test_five_professionals_accepting_at_once_give_one_winner(
    http: httpx.AsyncClient, postgres_url: str
) -> None:
    pros = [await _login(http, phone, "pro-demo-pass") for phone in PROFESSIONALS]
    customers = [(await _login(http, *who))[1] for who in (CUSTOMER, OTHER_CUSTOMER, THIRD_CUSTOMER)]
    treatment = next(
        t for t in (await http.get("/api/v1/treatments")).json() if t["name"] == "Swedish Massage"
    )
    outcomes: Counter[tuple[int, ...]] = Counter()

    for trial in range(TRIALS):
        booking_id = await _book(http, customers[trial % 3], treatment["id"], trial)
        offer_ids = await _offer(
            postgres_url, booking_id, [pid for pid, _ in pros], datetime.now(UTC) + timedelta(minutes=15)
        )
        order = list(range(5))
        random.shuffle(order)
        answers = await asyncio.gather(
            *(http.post(f"/api/v1/offers/{offer_ids[i]}/accept", headers=pros[i][1]) for i in order)
        )
        statuses = sorted(a.status_code for a in answers)
        outcomes[tuple(statuses)] += 1
        assert statuses == [200, 409, 409, 409, 409], [a.text for a in answers]
        winner = next(a.json() for a in answers if a.status_code == 200)
        assert winner["status"] == "confirmed"
        assert {a.json()["code"] for a in answers if a.status_code == 409} == {"already_taken"}

    assert outcomes == {(200, 409, 409, 409, 409): TRIALS}
    assert await _confirmed_with_one_accepted_offer(postgres_url) == TRIALS


async def _confirmed_with_one_accepted_offer(postgres_url: str) -> int:
    container = build_container(settings_for(postgres_url))
    try:
        async with container.sessions() as session:
            rows = await session.execute(
                sa.select(
                    Booking.id,
                    sa.func.count().filter(Offer.response_status == "accepted"),
                    sa.func.count().filter(Offer.response_status == "withdrawn"),
                )
                .join(Offer, Offer.booking_id == Booking.id)
                .where(Booking.status == "confirmed", Booking.professional_id.is_not(None))
                .group_by(Booking.id)
            )
            return sum(1 for _, accepted, withdrawn in rows.all() if (accepted, withdrawn) == (1, 4))
    finally:
        await container.close()


async def test_an_accept_racing_the_expiry_pass_is_accepted_or_expired_never_both(
    http: httpx.AsyncClient, postgres_url: str
) -> None:
    professional_id, pro = await _login(http, PROFESSIONALS[0], "pro-demo-pass")
    customer = (await _login(http, *CUSTOMER))[1]
    treatment = next(
        t for t in (await http.get("/api/v1/treatments")).json() if t["name"] == "Swedish Massage"
    )
    expirer = build_container(settings_for(postgres_url))
    seen: Counter[str] = Counter()
    try:
        for race in range(RACES):
            booking_id = await _book(http, customer, treatment["id"], race)
            deadline = datetime.now(UTC) + timedelta(milliseconds=300)
            [offer_id] = await _offer(postgres_url, booking_id, [professional_id], deadline)
            # Both start before the deadline; the expiry pass runs as of the deadline. The head start sweeps
            # from the accept 30 ms late to the expiry 30 ms late: the ends settle each order for certain,
            # the middle is a genuine race for the offer's row.
            head_start = -0.03 + 0.06 * race / (RACES - 1)
            await asyncio.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds() - 0.1))
            answer, _ = await asyncio.gather(
                _later(max(0.0, -head_start), http.post(f"/api/v1/offers/{offer_id}/accept", headers=pro)),
                _later(max(0.0, head_start), _expire(expirer, deadline)),
            )
            outcome = await _outcome(expirer, booking_id, offer_id)
            seen[outcome] += 1
            assert outcome in {"accepted", "expired"}, outcome
            assert (answer.status_code == 200) == (outcome == "accepted"), answer.text
    finally:
        await expirer.close()
    assert sum(seen.values()) == RACES
    print(f"accept racing expiry: {dict(seen)}")
    assert set(seen) == {"accepted", "expired"}, (
        "both orders must have happened for the race to mean something"
    )


async def _later(delay: float, work: Awaitable[T]) -> T:
    await asyncio.sleep(delay)
    return await work


async def _expire(container: Any, at: datetime) -> None:
    async with container.sessions() as session:
        await expire_due_offers(session, now=at)
        await session.commit()


async def _outcome(container: Any, booking_id: str, offer_id: str) -> str:
    async with container.sessions() as session:
        offer = await session.get(Offer, offer_id)
        booking = await session.get(Booking, booking_id)
        assert offer is not None
        assert booking is not None
        if offer.response_status == "accepted" and booking.status == "confirmed" and booking.professional_id:
            return "accepted"
        if offer.response_status == "expired" and booking.status == "pending_professional":
            return "expired"
        return f"inconsistent: offer {offer.response_status}, booking {booking.status}"


async def test_an_admin_assign_racing_an_accept_has_one_winner(
    http: httpx.AsyncClient, postgres_url: str
) -> None:
    offered_id, offered = await _login(http, PROFESSIONALS[0], "pro-demo-pass")
    other_id, _ = await _login(http, PROFESSIONALS[1], "pro-demo-pass")
    admin = (await _login(http, "0500000001", "admin-demo-pass"))[1]
    customer = (await _login(http, *CUSTOMER))[1]
    treatment = next(
        t for t in (await http.get("/api/v1/treatments")).json() if t["name"] == "Swedish Massage"
    )
    winners: Counter[str] = Counter()

    for round_ in range(50):
        booking_id = await _book(http, customer, treatment["id"], round_)
        [offer_id] = await _offer(
            postgres_url, booking_id, [offered_id], datetime.now(UTC) + timedelta(minutes=15)
        )
        accept, assign = await asyncio.gather(
            http.post(f"/api/v1/offers/{offer_id}/accept", headers=offered),
            http.post(
                f"/api/v1/admin/bookings/{booking_id}/assign",
                json={"professionalId": other_id, "force": True},
                headers=admin,
            ),
        )
        assert sorted((accept.status_code, assign.status_code)) == [200, 409], (accept.text, assign.text)
        winner = offered_id if accept.status_code == 200 else other_id
        booking = (await http.get(f"/api/v1/bookings/{booking_id}", headers=admin)).json()
        assert (booking["status"], booking["professionalId"]) == ("confirmed", winner)
        winners["accept" if winner == offered_id else "assign"] += 1

    assert sum(winners.values()) == 50
    print(f"assign racing accept: {dict(winners)}")
