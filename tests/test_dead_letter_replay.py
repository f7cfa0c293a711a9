"""Replaying a dead-lettered event: the JSON API, the system-health page's list and its replay button."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from masu.bootstrap import Container, build_container
from masu.clock import SettableClock
from masu.persistence.models import Counter
from masu.web.app import create_app
from masu.worker.runner import Worker
from tests import flaky_handler
from tests.conftest import settings_for
from tests.factories import ADMIN, CUSTOMER, book, csrf_of, login, page_login


@pytest.fixture
def marker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The file whose presence breaks the flaky handler; present at first."""
    path = tmp_path / "broken"
    path.touch()
    monkeypatch.setenv(flaky_handler.MARKER_ENV, str(path))
    return path


@pytest.fixture
async def container(database_url: str, clock: SettableClock, marker: Path) -> AsyncIterator[Container]:
    """The app's dependencies with the flaky handler loaded and one attempt before an event is dead."""
    settings = settings_for(
        database_url, OUTBOX_MAX_ATTEMPTS=1, EVENT_HANDLER_PLUGINS="tests.flaky_handler:register"
    )
    built = build_container(settings, clock=clock)
    yield built
    await built.close()


@pytest.fixture
async def client(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    """The app in-process on that container."""
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://masu.test") as http:
        yield http


async def _dead_booking_event(client: httpx.AsyncClient, container: Container, admin: dict[str, str]) -> int:
    """Book, run a worker pass with the handler broken; the id of the now dead `booking.created`."""
    booking = await book(client, await login(client, CUSTOMER))
    await Worker(container, container.bus).run_once(container.clock.now())
    events = (await client.get(f"/api/v1/admin/events?bookingId={booking['id']}", headers=admin)).json()
    created = next(e for e in events if e["type"] == "booking.created")
    assert created["status"] == "dead"
    return int(created["id"])


def _fix_the_cause(marker: Path) -> None:
    """The handler works again from now on."""
    marker.unlink()


async def _handled(container: Container, event_id: int) -> bool:
    async with container.sessions() as session:
        return await session.get(Counter, f"flaky:{event_id}") is not None


async def test_the_api_replays_a_dead_event_and_the_worker_then_handles_it(
    client: httpx.AsyncClient, container: Container, marker: Path
) -> None:
    admin = await login(client, ADMIN)
    event_id = await _dead_booking_event(client, container, admin)
    _fix_the_cause(marker)

    replayed = await client.post(f"/api/v1/admin/events/{event_id}/retry", headers=admin)
    again = await client.post(f"/api/v1/admin/events/{event_id}/retry", headers=admin)
    await Worker(container, container.bus).run_once(container.clock.now())

    assert replayed.status_code == 200, replayed.text
    assert (replayed.json()["id"], replayed.json()["status"]) == (event_id, "pending")
    assert again.status_code == 409
    assert await _handled(container, event_id)
    events = (await client.get("/api/v1/admin/events", headers=admin)).json()
    assert next(e for e in events if e["id"] == event_id)["status"] == "done"


async def test_only_admins_replay_and_unknown_events_are_404(client: httpx.AsyncClient) -> None:
    customer = await login(client, CUSTOMER)
    admin = await login(client, ADMIN)
    assert (await client.post("/api/v1/admin/events/1/retry", headers=customer)).status_code == 403
    assert (await client.post("/api/v1/admin/events/999999/retry", headers=admin)).status_code == 404
    beyond_bigint = await client.post("/api/v1/admin/events/9223372036854775808/retry", headers=admin)
    assert (beyond_bigint.status_code, beyond_bigint.json()["code"]) == (404, "not_found")
    assert (await client.post("/api/v1/admin/events/abc/retry", headers=admin)).status_code == 422


async def test_the_health_page_lists_the_dead_letter_and_replays_it(
    client: httpx.AsyncClient, container: Container, marker: Path
) -> None:
    admin = await login(client, ADMIN)
    event_id = await _dead_booking_event(client, container, admin)
    await page_login(client, ADMIN)
    page = (await client.get("/admin/system-health?lang=en")).text
    row = re.search(rf'<li class="card" data-dead-event="{event_id}">(.*?)</li>', page, re.S)
    assert row, "the dead letter is not listed"
    assert "booking.created" in row.group(1)
    assert flaky_handler.HANDLER in row.group(1)
    assert "the audit store is unreachable" in row.group(1)
    _fix_the_cause(marker)

    url = f"/admin/system-health/dead-letters/{event_id}/replay"
    refused = await client.post(url)  # no CSRF token
    done = await client.post(url, data={"csrf_token": csrf_of(page)})
    again = await client.post(url, data={"csrf_token": csrf_of(page)})
    await Worker(container, container.bus).run_once(container.clock.now())

    assert refused.status_code == 403
    assert done.status_code == 303
    shown = (await client.get(done.headers["location"])).text
    assert f"Event {event_id} is back in the queue." in shown
    assert "not dead-lettered" in (await client.get(again.headers["location"])).text
    assert await _handled(container, event_id)
    assert "data-no-dead-letters" in (await client.get("/admin/system-health?lang=en")).text
    assert (
        await client.post("/admin/system-health/dead-letters/x1/replay", data={"csrf_token": csrf_of(page)})
    ).status_code == 404
