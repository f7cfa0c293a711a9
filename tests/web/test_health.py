"""GET /health checks the database and Redis, and answers 503 when one is down."""

from __future__ import annotations

from datetime import timedelta

import httpx

from masu.bootstrap import Container, build_container
from masu.clock import SettableClock
from masu.web.app import create_app
from masu.worker.runner import Worker
from tests.conftest import redis_url, settings_for
from tests.factories import CUSTOMER, book, login


async def _health(database_url: str, redis: str | None) -> httpx.Response:
    container = build_container(settings_for(database_url, REDIS_URL=redis))
    try:
        transport = httpx.ASGITransport(app=create_app(container))
        async with httpx.AsyncClient(transport=transport, base_url="http://masu.test") as http:
            return await http.get("/health")
    finally:
        await container.close()


async def test_healthy_with_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "healthy"
    assert response.json()["details"]["database"]["status"] == "up"
    assert "redis" not in response.json()["details"]


async def test_healthy_with_a_real_redis(database_url: str) -> None:
    response = await _health(database_url, redis_url())
    assert response.status_code == 200
    assert response.json()["details"]["redis"]["status"] == "up"


async def test_unhealthy_when_redis_is_unreachable(database_url: str) -> None:
    response = await _health(database_url, "redis://127.0.0.1:1/0")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["details"]["redis"]["status"] == "down"
    assert body["details"]["database"]["status"] == "up"


async def test_unhealthy_when_the_database_is_unreachable() -> None:
    response = await _health("postgresql+asyncpg://nobody@127.0.0.1:1/none", None)
    assert response.status_code == 503
    assert response.json()["details"]["database"]["status"] == "down"


async def test_metrics_are_exposed(client: httpx.AsyncClient) -> None:
    headers = await login(client, CUSTOMER)
    await book(client, headers, address={"street": "Herzl 10", "city": "ashdod"})
    await client.get("/api/v1/bookings/unknown-id", headers=headers)
    await client.get("/health")

    metrics = await client.get("/metrics")

    assert metrics.status_code == 200
    assert 'masu_http_requests_total{method="GET",route="/health",status="200"}' in metrics.text
    assert (
        'masu_http_requests_total{method="GET",route="/api/v1/bookings/{bookingId}",status="404"}'
        in metrics.text
    )
    assert 'masu_bookings_created_total{city="Ashdod"}' in metrics.text
    assert 'masu_domain_refusals_total{code="not_found"}' in metrics.text


async def test_health_reports_the_worker_heartbeat_without_failing_on_it(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    assert (await client.get("/health")).json()["details"]["worker"] == {"status": "none"}
    await Worker(container, container.bus).run_once(clock.now())
    fresh = (await client.get("/health")).json()["details"]["worker"]
    clock.advance(timedelta(minutes=2))
    stale = await client.get("/health")

    assert (fresh["status"], fresh["ageSeconds"]) == ("up", 0.0)
    assert stale.status_code == 200
    assert stale.json()["details"]["worker"]["status"] == "stale"
