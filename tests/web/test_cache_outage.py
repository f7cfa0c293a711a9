"""A cache never breaks a read: a Redis the test starts and kills, and two deployments sharing one Redis."""

from __future__ import annotations

import asyncio
import shutil
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import redis

from masu.bootstrap import Container, build_container
from masu.clock import SettableClock
from masu.web.app import create_app
from tests.conftest import service_unavailable, settings_for
from tests.factories import ADMIN, CUSTOMER, book, login
from tests.live_server import free_port


@pytest.fixture
def own_redis() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A redis-server of this test alone, on a free port; the test may kill it."""
    binary = shutil.which("redis-server")
    if binary is None:
        service_unavailable("redis-server")
    port = free_port()
    process = subprocess.Popen(
        [str(binary), "--port", str(port), "--save", "", "--appendonly", "no", "--daemonize", "no"],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    yield url, process
    process.kill()
    process.wait()


@pytest.fixture
async def client_with_redis(
    database_url: str, clock: SettableClock, own_redis: tuple[str, subprocess.Popen[bytes]]
) -> AsyncIterator[httpx.AsyncClient]:
    container = build_container(settings_for(database_url, REDIS_URL=own_redis[0]), clock=clock)
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://masu.test") as http:
        yield http
    await container.close()


def _cache_errors(metrics: str, operation: str) -> float:
    prefix = f'masu_cache_errors_total{{operation="{operation}"}} '
    return next((float(line[len(prefix) :]) for line in metrics.splitlines() if line.startswith(prefix)), 0.0)


async def test_reads_and_bookings_answer_after_redis_is_killed(
    client_with_redis: httpx.AsyncClient, own_redis: tuple[str, subprocess.Popen[bytes]]
) -> None:
    client = client_with_redis
    treatments = await client.get("/api/v1/treatments")
    cities = await client.get("/api/v1/cities")
    headers = await login(client, CUSTOMER)
    before = (await client.get("/metrics")).text
    own_redis[1].kill()
    own_redis[1].wait()

    assert (await client.get("/api/v1/treatments")).json() == treatments.json()
    assert (await client.get("/api/v1/cities")).json() == cities.json()
    await book(client, headers)  # asserts 201
    after = (await client.get("/metrics")).text
    assert _cache_errors(after, "get") >= _cache_errors(before, "get") + 2
    assert _cache_errors(after, "set") >= _cache_errors(before, "set") + 2


async def test_an_admin_change_succeeds_while_redis_is_down(
    client_with_redis: httpx.AsyncClient, own_redis: tuple[str, subprocess.Popen[bytes]]
) -> None:
    admin = await login(client_with_redis, ADMIN)
    city = (await client_with_redis.get("/api/v1/cities")).json()[0]
    own_redis[1].kill()
    own_redis[1].wait()
    changed = await client_with_redis.patch(
        f"/api/v1/admin/cities/{city['id']}", json={"isActive": False}, headers=admin
    )  # forgetting the cached catalogue fails, the change stands
    assert changed.status_code == 200, changed.text
    assert city["id"] not in [c["id"] for c in (await client_with_redis.get("/api/v1/cities")).json()]


async def test_two_deployments_sharing_one_redis_each_see_their_own_catalogue(
    database_url: str, tmp_path: Path, sqlite_template: Path, own_redis: tuple[str, subprocess.Popen[bytes]]
) -> None:
    other_path = tmp_path / "other.db"
    shutil.copy(sqlite_template, other_path)
    urls = [database_url, f"sqlite+aiosqlite:///{other_path}"]
    containers: list[Container] = [build_container(settings_for(url, REDIS_URL=own_redis[0])) for url in urls]
    seen = []
    try:
        for index, container in enumerate(containers):
            transport = httpx.ASGITransport(app=create_app(container))
            async with httpx.AsyncClient(transport=transport, base_url="http://masu.test") as http:
                if index == 1:
                    admin = await login(http, ADMIN)
                    city = (await http.get("/api/v1/cities")).json()[0]
                    changed = await http.patch(
                        f"/api/v1/admin/cities/{city['id']}", json={"isActive": False}, headers=admin
                    )
                    assert changed.status_code == 200, changed.text
                seen.append([c["id"] for c in (await http.get("/api/v1/cities")).json()])
    finally:
        for container in containers:
            await container.close()
    assert len(seen[1]) == len(seen[0]) - 1
    assert len(redis.Redis.from_url(own_redis[0]).keys("masu:*:catalogue:cities")) == 2


async def test_reads_answer_while_redis_is_frozen(
    client_with_redis: httpx.AsyncClient, own_redis: tuple[str, subprocess.Popen[bytes]]
) -> None:
    treatments = (await client_with_redis.get("/api/v1/treatments")).json()
    own_redis[1].send_signal(
        signal.SIGSTOP
    )  # connections open, nothing answers: only the timeout ends a call
    try:
        read = await asyncio.wait_for(client_with_redis.get("/api/v1/treatments"), timeout=30)
    finally:
        own_redis[1].send_signal(signal.SIGCONT)
    assert read.json() == treatments
    assert _cache_errors((await client_with_redis.get("/metrics")).text, "get") >= 1
