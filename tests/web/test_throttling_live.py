"""Throttles against a real server: two `masu serve` processes on PostgreSQL sharing their counters in Redis.

Clients stand for distinct addresses through X-Forwarded-For, which the server trusts from 127.0.0.1 only
(TRUSTED_PROXIES). Each run uses its own phones and addresses, so the shared test Redis holds nothing of
another run. The lock is shortened to 4 s (doubling to 16 s) so the brute-force run sees several of them.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest
import sqlalchemy as sa

from masu.persistence.database import create_engine
from masu.persistence.models import User
from tests.conftest import redis_url
from tests.live_server import running_server

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

LOCK_SECONDS, LOCK_MAX_SECONDS = 4, 16
FAILURES_PER_LOCK = 5  # the default LOGIN_FAILURES_PER_PHONE, "5/15 minutes"
SIGNUPS_PER_ADDRESS = 10  # the default SIGNUPS_PER_ADDRESS, "10/hour"
ATTACKERS, ATTACK_SECONDS = 8, 60.0
PASSWORD = "the owner's password"


@pytest.fixture
def server(postgres_url: str) -> Iterator[str]:
    env = {
        "REDIS_URL": redis_url(),
        "TRUSTED_PROXIES": "127.0.0.1",
        "LOGIN_LOCK_SECONDS": str(LOCK_SECONDS),
        "LOGIN_LOCK_MAX_SECONDS": str(LOCK_MAX_SECONDS),
    }
    with running_server(postgres_url, workers=2, env=env) as url:
        yield url


@pytest.fixture
async def http(server: str) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=server, timeout=60, limits=limits) as client:
        yield client


class Run:
    """Phones and addresses of this run only."""

    def __init__(self) -> None:
        self._tag = uuid.uuid4().int

    def phone(self, n: int = 0) -> str:
        return f"0539{(self._tag + n) % 1_000_000:06d}"

    def address(self, n: int) -> dict[str, str]:
        third, fourth = divmod((self._tag >> 20) % 60_000 + n, 250)
        return {"X-Forwarded-For": f"198.18.{third % 250}.{fourth + 1}"}


@dataclass(frozen=True)
class Answer:
    received: float
    status: int
    code: str | None
    retry_after: int | None


async def attempt(http: httpx.AsyncClient, phone: str, password: str, headers: dict[str, str]) -> Answer:
    response = await http.post(
        "/api/v1/auth/login", json={"phone": phone, "password": password}, headers=headers
    )
    code = response.json().get("code") if response.status_code >= 400 else None
    retry_after = response.headers.get("Retry-After")
    return Answer(time.monotonic(), response.status_code, code, int(retry_after) if retry_after else None)


def series_of_checks(answers: list[Answer]) -> list[int]:
    """The 401s grouped into series: a lock (LOCK_SECONDS or more) separates one series from the next.

    Requests on different connections reach the two server processes in no fixed order, so a guess sent
    early can be refused by a lock that a guess sent later set; the silence of a lock is what marks a series.
    """
    checks = sorted(a.received for a in answers if a.status == 401)
    series = [1] if checks else []
    for before, after in itertools.pairwise(checks):
        if after - before >= LOCK_SECONDS - 1:
            series.append(0)
        series[-1] += 1
    return series


def most_series(seconds: float) -> int:
    """How many series of guesses can begin in `seconds` when each ends in a lock of 4, 8, 16, 16, ... s."""
    begins, series, lock = 0.0, 0, LOCK_SECONDS
    while begins < seconds:
        series, begins, lock = series + 1, begins + lock, min(lock * 2, LOCK_MAX_SECONDS)
    return series


async def test_eight_clients_guessing_for_a_minute_get_five_checks_per_lock(http: httpx.AsyncClient) -> None:
    run = Run()
    phone = run.phone()
    owner = run.address(100)
    body = {"name": "Shira Katz", "phone": phone, "password": PASSWORD}
    assert (await http.post("/api/v1/auth/register", json=body, headers=owner)).status_code == 201

    answers: list[Answer] = []
    owner_while_locked: list[Answer] = []
    first_lock = asyncio.Event()
    started = time.monotonic()

    async def guess(k: int) -> None:
        n = 0
        while time.monotonic() - started < ATTACK_SECONDS:
            answer = await attempt(http, phone, f"guess {k}-{n}", run.address(k))
            answers.append(answer)
            if answer.status == 429 and (answer.retry_after or 0) >= 2:
                first_lock.set()
            n += 1

    async def owner_during_the_first_lock() -> None:
        await first_lock.wait()
        owner_while_locked.append(await attempt(http, phone, PASSWORD, owner))

    await asyncio.gather(*(guess(k) for k in range(ATTACKERS)), owner_during_the_first_lock())
    elapsed = time.monotonic() - started

    statuses = Counter(a.status for a in answers)
    print(
        f"\nbrute force: {ATTACKERS} clients x {elapsed:.0f} s: {len(answers)} attempts, "
        f"{statuses[429]} refused with 429, {statuses[401]} reached the password check"
    )
    assert set(statuses) <= {401, 429}, statuses
    assert all(a.code == "login_locked" and (a.retry_after or 0) >= 1 for a in answers if a.status == 429)
    series = series_of_checks(answers)
    assert series[:-1] == [FAILURES_PER_LOCK] * (len(series) - 1), series
    assert 0 < series[-1] <= FAILURES_PER_LOCK, series  # the minute may end within the last series
    assert 1 < len(series) <= most_series(elapsed + 1), series
    assert [(a.status, a.code) for a in owner_while_locked] == [(429, "login_locked")]

    # Guess on until the phone is locked again, then the owner: refused while locked, let in after.
    lock = await attempt(http, phone, "one more guess", run.address(0))
    while lock.status != 429 or (lock.retry_after or 0) < 2:
        lock = await attempt(http, phone, "one more guess", run.address(0))
    assert (await attempt(http, phone, PASSWORD, owner)).status == 429
    await asyncio.sleep((lock.retry_after or 0) + 0.5)
    assert (await attempt(http, phone, PASSWORD, owner)).status == 200


async def test_twenty_sign_ups_at_once_from_one_address_create_exactly_the_limit(
    http: httpx.AsyncClient, postgres_url: str
) -> None:
    run = Run()
    phones = [run.phone(n) for n in range(20)]
    bodies = [{"name": "Noam Peretz", "phone": phone, "password": PASSWORD} for phone in phones]
    answers = await asyncio.gather(
        *(http.post("/api/v1/auth/register", json=body, headers=run.address(1)) for body in bodies)
    )

    statuses = Counter(a.status_code for a in answers)
    assert statuses == {201: SIGNUPS_PER_ADDRESS, 429: 20 - SIGNUPS_PER_ADDRESS}, [a.text for a in answers]
    for refused in (a for a in answers if a.status_code == 429):
        assert refused.json()["code"] == "too_many_signups"
        assert 0 < int(refused.headers["Retry-After"]) <= 3600
    engine = create_engine(postgres_url)
    async with engine.connect() as connection:
        e164 = [f"+972{phone[1:]}" for phone in phones]
        stored = await connection.scalar(
            sa.select(sa.func.count()).select_from(User).where(User.phone.in_(e164))
        )
    await engine.dispose()
    assert stored == SIGNUPS_PER_ADDRESS
    elsewhere = {"name": "Noam Peretz", "phone": run.phone(50), "password": PASSWORD}
    assert (
        await http.post("/api/v1/auth/register", json=elsewhere, headers=run.address(2))
    ).status_code == 201
