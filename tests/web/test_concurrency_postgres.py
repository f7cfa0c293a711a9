"""Races against a real server: two `masu serve` worker processes on PostgreSQL, requests fired at once.

Each scenario repeats its race a few times with fresh users (or fresh coupons, keys), so a lucky interleaving
cannot pass it by accident. Visits are booked on the real clock: tomorrow at noon, Israel time.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Iterable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from masu.persistence.database import create_engine
from masu.persistence.models import Coupon, Notification
from tests.factories import ADMIN, booking_body
from tests.live_server import live_server_fixture, tomorrow_noon_in_israel

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

# Two server processes: requests really run in parallel, and in-process locks would not help the app.
# Every customer signs up from 127.0.0.1: the sign-up throttle is not what these races are about.
server = live_server_fixture("postgres_url", workers=2, env={"SIGNUPS_PER_ADDRESS": "100000/hour"})

PASSWORD = "concurrency-pass"
BOOKING_NUMBER = re.compile(r"^MASU-\d{4}-\d{6}$")
MAX_BOOKINGS_PER_HOUR = 5  # the default the server runs with


@pytest.fixture
async def http(server: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client for the live server, allowed enough connections to send every request of a race at once."""
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=server, timeout=60, limits=limits) as client:
        yield client


@pytest.fixture
def phones() -> Iterable[str]:
    """Fresh, distinct mobile numbers for the users a test registers (the database is fresh per test)."""
    return (f"0531{n:06d}" for n in itertools.count(1))


@pytest.fixture
async def swedish_massage(http: httpx.AsyncClient) -> str:
    """The id of the demo's Swedish Massage (priced by duration: 60/90/120 minutes)."""
    treatments = (await http.get("/api/v1/treatments")).json()
    return str(next(t["id"] for t in treatments if t["name"] == "Swedish Massage"))


async def at_once(requests: Iterable[Awaitable[httpx.Response]]) -> list[httpx.Response]:
    """Send every request concurrently and collect the answers."""
    return list(await asyncio.gather(*requests))


async def login(http: httpx.AsyncClient, phone: str, password: str) -> dict[str, str]:
    response = await http.post("/api/v1/auth/login", json={"phone": phone, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['accessToken']}"}


async def new_customers(
    http: httpx.AsyncClient, phones: Iterable[str], count: int, *, database_url: str
) -> list[dict[str, str]]:
    """Register `count` customers at once, then prove each phone with its texted code; their headers."""
    taken = list(itertools.islice(phones, count))
    registered = await at_once(
        http.post(
            "/api/v1/auth/register", json={"name": f"Racer {_letters(p)}", "phone": p, "password": PASSWORD}
        )
        for p in taken
    )
    assert [r.status_code for r in registered] == [201] * count, [r.text for r in registered if r.is_error]
    codes = await texted_codes(database_url, [r.json()["user"]["phone"] for r in registered])
    verified = await at_once(
        http.post("/api/v1/auth/verify-phone", json={"phone": phone, "code": code})
        for phone, code in codes.items()
    )
    assert [v.status_code for v in verified] == [200] * count, [v.text for v in verified if v.is_error]
    return [{"Authorization": f"Bearer {v.json()['accessToken']}"} for v in verified]


def _letters(phone: str) -> str:
    """A name-like word from a phone's last digits (names hold no digits)."""
    return "".join("abcdefghij"[int(digit)] for digit in phone[-4:]).title()


async def texted_codes(database_url: str, phones: list[str]) -> dict[str, str]:
    """The code in the sign-up SMS queued to each phone (the server runs no worker, so none was sent)."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            query = sa.select(Notification.recipient, Notification.body).where(
                Notification.template == "phone-code", Notification.recipient.in_(phones)
            )
            rows = (await connection.execute(query)).all()
    finally:
        await engine.dispose()
    return {phone: re.findall(r"\b\d{6}\b", body)[0] for phone, body in rows}


def create(
    http: httpx.AsyncClient, headers: dict[str, str], treatment_id: str, **overrides: Any
) -> Awaitable[httpx.Response]:
    body = booking_body(treatment_id, bookingDateTime=tomorrow_noon_in_israel(), **overrides)
    return http.post("/api/v1/bookings", json=body, headers=headers)


async def own_bookings(http: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await http.get("/api/v1/bookings", params={"limit": 100}, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_one_customer_racing_20_creates_gets_exactly_the_hourly_limit(
    http: httpx.AsyncClient, phones: Iterable[str], swedish_massage: str, postgres_url: str
) -> None:
    for headers in await new_customers(http, phones, 3, database_url=postgres_url):
        answers = await at_once(create(http, headers, swedish_massage) for _ in range(20))

        statuses = Counter(a.status_code for a in answers)
        assert statuses == {201: MAX_BOOKINGS_PER_HOUR, 429: 20 - MAX_BOOKINGS_PER_HOUR}, [
            a.text for a in answers if a.status_code not in (201, 429)
        ]
        for refused in (a for a in answers if a.status_code == 429):
            retry_after = refused.headers.get("Retry-After", "")
            assert retry_after.isdigit(), refused.headers
            assert int(retry_after) > 0
        created = {a.json()["id"] for a in answers if a.status_code == 201}
        assert {b["id"] for b in await own_bookings(http, headers)} == created


async def test_fifty_customers_booking_at_once_get_distinct_booking_numbers(
    http: httpx.AsyncClient, phones: Iterable[str], swedish_massage: str, postgres_url: str
) -> None:
    customers = await new_customers(http, phones, 50, database_url=postgres_url)
    numbers: list[str] = []
    for _ in range(3):  # three rounds by the same 50 customers, still under their hourly limit
        answers = await at_once(create(http, headers, swedish_massage) for headers in customers)

        assert [a.status_code for a in answers] == [201] * 50, [a.text for a in answers if a.is_error]
        numbers += [a.json()["bookingNumber"] for a in answers]

    assert len(set(numbers)) == len(numbers) == 150
    assert all(BOOKING_NUMBER.match(number) for number in numbers), numbers


async def single_use_coupon(http: httpx.AsyncClient, database_url: str, code: str) -> None:
    """A 50% coupon usable once in all: through the admin API when it exists, else straight into the table."""
    admin = await login(http, *ADMIN)
    body = {"code": code, "kind": "percent", "value": 50, "usageLimit": 1}
    response = await http.post("/api/v1/admin/coupons", json=body, headers=admin)
    if response.status_code not in (404, 405):  # the route exists: it must work
        assert response.status_code == 201, response.text
        return
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.insert(Coupon.__table__).values(
                    id=uuid.uuid4().hex,
                    code=code.upper(),
                    kind="percent",
                    value=5000,  # basis points
                    usage_limit=1,
                    per_user_limit=None,
                    times_used=0,
                    is_active=True,
                    created_at=datetime.now(UTC),
                )
            )
    finally:
        await engine.dispose()


async def times_used(database_url: str, code: str) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            query = sa.select(Coupon.__table__.c.times_used).where(Coupon.__table__.c.code == code.upper())
            return int((await connection.execute(query)).scalar_one())
    finally:
        await engine.dispose()


async def test_a_single_use_coupon_raced_by_ten_customers_is_redeemed_once(
    http: httpx.AsyncClient, phones: Iterable[str], swedish_massage: str, postgres_url: str
) -> None:
    customers = await new_customers(http, phones, 10, database_url=postgres_url)
    for round_number in range(3):  # a fresh coupon each round; each customer books at most 3 times
        code = f"RACE{round_number}HALF"
        await single_use_coupon(http, postgres_url, code)

        answers = await at_once(
            create(http, headers, swedish_massage, couponCode=code) for headers in customers
        )

        winners = [a for a in answers if a.status_code == 201]
        losers = [a for a in answers if a.status_code == 422]
        assert (len(winners), len(losers)) == (1, 9), [(a.status_code, a.text) for a in answers]
        assert winners[0].json()["priceDetails"]["discount"] > 0
        assert all(a.json()["errors"][0]["field"] == "couponCode" for a in losers), [a.text for a in losers]
        assert await times_used(postgres_url, code) == 1


async def test_one_idempotency_key_sent_ten_times_at_once_creates_one_booking(
    http: httpx.AsyncClient, phones: Iterable[str], swedish_massage: str, postgres_url: str
) -> None:
    for headers in await new_customers(http, phones, 4, database_url=postgres_url):
        keyed = {**headers, "Idempotency-Key": f"race-{uuid.uuid4()}"}
        body = booking_body(swedish_massage, bookingDateTime=tomorrow_noon_in_israel())

        answers = await at_once(http.post("/api/v1/bookings", json=body, headers=keyed) for _ in range(10))

        assert {a.status_code for a in answers} <= {201, 409}, [(a.status_code, a.text) for a in answers]
        created = [a for a in answers if a.status_code == 201]
        fresh = [a for a in created if a.headers.get("Idempotent-Replayed") != "true"]
        assert len(fresh) == 1, "exactly one request ran; every other 201 is a replay of its answer"
        booking_id = fresh[0].json()["id"]
        assert {a.json()["id"] for a in created} == {booking_id}
        assert [b["id"] for b in await own_bookings(http, headers)] == [booking_id]

        again = await http.post("/api/v1/bookings", json=body, headers=keyed)
        assert again.status_code == 201, again.text
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert again.json()["id"] == booking_id

        changed = await http.post(
            "/api/v1/bookings", json={**body, "notes": "Another request"}, headers=keyed
        )
        assert changed.status_code == 422, changed.text
        assert [b["id"] for b in await own_bookings(http, headers)] == [booking_id]
