"""GET /health checks the database and Redis, and answers 503 when one is down."""

from __future__ import annotations

from datetime import timedelta

import httpx

from masu.bootstrap import Container, build_container
from masu.clock import SettableClock
from masu.web.app import create_app
from masu.worker.runner import Worker
from tests.conftest import STRONG_SECRET, redis_url, settings_for
from tests.factories import ADMIN, CUSTOMER, book, login

METRICS_TOKEN = "m" + STRONG_SECRET[::-1]


async def _health(database_url: str, redis: str | None) -> httpx.Response:
    container = build_container(settings_for(database_url, REDIS_URL=redis, METRICS_TOKEN=METRICS_TOKEN))
    try:
        transport = httpx.ASGITransport(app=create_app(container))
        async with httpx.AsyncClient(transport=transport, base_url="http://masu.test") as http:
            return await http.get("/health", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    finally:
        await container.close()


async def test_anonymous_health_answers_the_status_only(client: httpx.AsyncClient) -> None:
    anonymous = await client.get("/health")
    customer = await client.get("/health", headers=await login(client, CUSTOMER))
    forged = await client.get("/health", headers={"Authorization": "Bearer not-a-token"})
    assert [r.json() for r in (anonymous, customer, forged)] == [{"status": "healthy"}] * 3
    assert anonymous.status_code == 200


async def test_anonymous_health_is_503_without_details_when_redis_is_down(database_url: str) -> None:
    container = build_container(settings_for(database_url, REDIS_URL="redis://127.0.0.1:1/0"))
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://masu.test") as http:
        response = await http.get("/health")
    await container.close()
    assert (response.status_code, response.json()) == (503, {"status": "unhealthy"})


async def test_healthy_with_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers=await login(client, ADMIN))
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
    admin = await login(client, ADMIN)
    assert (await client.get("/health", headers=admin)).json()["details"]["worker"] == {"status": "none"}
    await Worker(container, container.bus).run_once(clock.now())
    fresh = (await client.get("/health", headers=admin)).json()["details"]["worker"]
    clock.advance(timedelta(minutes=2))
    stale = await client.get("/health", headers=admin)

    assert (fresh["status"], fresh["ageSeconds"]) == ("up", 0.0)
    assert stale.status_code == 200
    assert stale.json()["details"]["worker"]["status"] == "stale"


async def test_metrics_need_the_metrics_token_when_it_is_set(database_url: str) -> None:
    container = build_container(settings_for(database_url, METRICS_TOKEN=METRICS_TOKEN))
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://masu.test") as http:
        anonymous = await http.get("/metrics")
        admin = await http.get("/metrics", headers=await login(http, ADMIN))
        wrong = await http.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}x"})
        right = await http.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    await container.close()
    assert [r.status_code for r in (anonymous, admin, wrong, right)] == [401, 401, 401, 200]
    assert "masu_http_requests_total" in right.text


async def test_production_hides_the_api_documents_unless_asked(database_url: str) -> None:
    statuses = {}
    for public in (False, True):
        settings = settings_for(
            database_url,
            NODE_ENV="production",
            SECRET_KEY=STRONG_SECRET,
            METRICS_PUBLIC=True,
            API_DOCS_PUBLIC=public,
        )
        container = build_container(settings)
        transport = httpx.ASGITransport(app=create_app(container))
        async with httpx.AsyncClient(transport=transport, base_url="https://masu.test") as http:
            statuses[public] = [(await http.get(p)).status_code for p in ("/docs", "/redoc", "/openapi.json")]
        await container.close()
    assert statuses == {False: [404, 404, 404], True: [200, 200, 200]}
