"""In Chromium: an event whose handler fails is dead-lettered, listed on system health and replayed there."""

from __future__ import annotations

import re
import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests import flaky_handler
from tests.factories import ADMIN
from tests.live_server import running_server
from tests.pages.conftest import book_as_customer, log_in, screenshot

pytestmark = pytest.mark.slow
REPO_ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 30  # a bound on waiting for the in-process worker, not a speed claim


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    """The file whose presence breaks the flaky handler; present at first."""
    path = tmp_path / "broken"
    path.touch()
    return path


@pytest.fixture
def database(sqlite_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the demo database, which the test also reads directly."""
    target = tmp_path / "masu.db"
    shutil.copy(sqlite_template, target)
    return target


@pytest.fixture
def server(database: Path, marker: Path) -> Iterator[str]:
    """`masu serve` with its worker, the flaky handler loaded, and one attempt before an event is dead."""
    env = {
        "PYTHONPATH": str(REPO_ROOT),
        "EVENT_HANDLER_PLUGINS": "tests.flaky_handler:register",
        "OUTBOX_MAX_ATTEMPTS": "1",
        "WORKER_POLL_SECONDS": "0.3",
        flaky_handler.MARKER_ENV: str(marker),
    }
    with running_server(f"sqlite+aiosqlite:///{database}", background_worker=True, env=env) as url:
        yield url


def _created_event(server: str, booking_id: str) -> dict[str, Any]:
    with httpx.Client(base_url=server, timeout=10) as http:
        token = http.post("/api/v1/auth/login", json={"phone": ADMIN[0], "password": ADMIN[1]}).json()
        headers = {"Authorization": f"Bearer {token['accessToken']}"}
        events = http.get(f"/api/v1/admin/events?bookingId={booking_id}", headers=headers).json()
    return dict(next(e for e in events if e["type"] == "booking.created"))


def _wait_for_status(server: str, booking_id: str, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_SECONDS
    while (event := _created_event(server, booking_id))["status"] != status:
        assert time.monotonic() < deadline, f"the event stayed {event['status']}, never {status}"
        time.sleep(0.2)
    return event


def _handled_by_flaky(database: Path, event_id: int) -> bool:
    with sqlite3.connect(database) as db:
        row = db.execute("SELECT value FROM counters WHERE name = ?", (f"flaky:{event_id}",)).fetchone()
    return row is not None


def test_a_dead_letter_is_replayed_from_the_panel_and_then_handled(
    page: Page, server: str, database: Path, marker: Path
) -> None:
    booking = book_as_customer(server)
    event = _wait_for_status(server, booking["id"], "dead")
    log_in(page, ADMIN[0], ADMIN[1])
    expect(page).to_have_url(re.compile(r"/admin$"))
    page.goto("/admin/system-health")
    row = page.locator(f'[data-dead-event="{event["id"]}"]')
    expect(row).to_contain_text("booking.created")
    expect(row).to_contain_text(flaky_handler.HANDLER)
    expect(row).to_contain_text("the audit store is unreachable")
    expect(row.get_by_role("link", name=booking["bookingNumber"])).to_have_attribute(
        "href", f"/admin/bookings/{booking['id']}"
    )
    screenshot(page, "admin-dead-letters-desktop")

    marker.unlink()  # the cause is fixed
    row.get_by_role("button", name=f"Replay event {event['id']}").click()

    expect(page.get_by_role("status")).to_have_text(f"Event {event['id']} is back in the queue.")
    _wait_for_status(server, booking["id"], "done")
    assert _handled_by_flaky(database, event["id"])
    page.goto("/admin/system-health")
    expect(page.locator("[data-no-dead-letters]")).to_be_visible()
