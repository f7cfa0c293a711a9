"""A Redis outage never locks anyone out: with the throttles' Redis killed, log-ins and sign-ups still answer.

The test starts its own redis-server on a free port, so killing it disturbs no other test.
"""

from __future__ import annotations

import re

import httpx
import redis.asyncio as redis_client
import structlog

from masu.bootstrap import build_container
from masu.clock import SettableClock
from masu.web.app import create_app
from tests.conftest import settings_for
from tests.factories import CUSTOMER
from tests.redis_server import own_redis

STORAGE_ERRORS = re.compile(r"^masu_throttle_storage_errors_total (\S+)$", re.MULTILINE)


async def storage_errors(http: httpx.AsyncClient) -> float:
    found = STORAGE_ERRORS.search((await http.get("/metrics")).text)
    assert found is not None
    return float(found.group(1))


async def test_with_its_redis_killed_the_throttle_lets_everyone_through_and_logs_it(
    database_url: str, clock: SettableClock
) -> None:
    with own_redis() as server:
        container = build_container(settings_for(database_url, REDIS_URL=server.url), clock=clock)
        transport = httpx.ASGITransport(app=create_app(container))
        async with httpx.AsyncClient(transport=transport, base_url="http://masu.test") as http:
            login = {"phone": CUSTOMER[0], "password": "wrong password"}
            assert (await http.post("/api/v1/auth/login", json=login)).status_code == 401
            probe = redis_client.Redis.from_url(server.url)
            keys = await probe.keys("masu:*:throttle*")
            await probe.aclose()
            assert keys, "the failure was counted in Redis"
            before = await storage_errors(http)

            server.kill()
            with structlog.testing.capture_logs() as logs:
                right = await http.post("/api/v1/auth/login", json={**login, "password": CUSTOMER[1]})
                wrong = await http.post("/api/v1/auth/login", json=login)
                body = {"name": "Yael Mizrahi", "phone": "0537777777", "password": "a long password"}
                registered = await http.post("/api/v1/auth/register", json=body)

            assert (right.status_code, wrong.status_code, registered.status_code) == (200, 401, 201)
            outages = [entry for entry in logs if entry["event"] == "throttle_storage_unavailable"]
            assert outages, logs
            assert all(entry["log_level"] == "warning" and entry["fail_open"] for entry in outages)
            assert await storage_errors(http) >= before + len(outages)
        await container.close()
