"""`masu db upgrade`, `seed --demo` and `serve` as real processes on a SQLite file, over real HTTP."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.factories import CUSTOMER, booking_body
from tests.live_server import run_masu, running_server, tomorrow_noon_in_israel

pytestmark = pytest.mark.slow


def test_served_app_answers_health_books_and_exposes_metrics(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'masu.db'}"
    run_masu("db", "upgrade", database_url=database_url)
    seeded = run_masu("seed", "--demo", database_url=database_url)
    assert "Demo data loaded." in seeded.stdout

    with running_server(database_url) as base_url, httpx.Client(base_url=base_url, timeout=10) as http:
        health = http.get("/health")
        assert health.status_code == 200
        assert health.json()["status"] == "healthy"

        login = http.post("/api/v1/auth/login", json={"phone": CUSTOMER[0], "password": CUSTOMER[1]})
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['accessToken']}"}

        treatments = http.get("/api/v1/treatments").json()
        swedish = next(t for t in treatments if t["name"] == "Swedish Massage")
        body = booking_body(swedish["id"], bookingDateTime=tomorrow_noon_in_israel())
        created = http.post("/api/v1/bookings", json=body, headers=headers)
        assert created.status_code == 201, created.text
        booking = created.json()

        read = http.get(f"/api/v1/bookings/{booking['id']}", headers=headers)
        assert read.status_code == 200, read.text
        assert read.json()["bookingNumber"] == booking["bookingNumber"]

        listed = http.get("/api/v1/bookings", headers=headers)
        assert listed.status_code == 200, listed.text
        assert booking["id"] in [item["id"] for item in listed.json()["items"]]

        metrics = http.get("/metrics")
        assert metrics.status_code == 200
        assert metrics.headers["content-type"].startswith("text/plain")
        assert "masu_http_requests_total" in metrics.text


def _event_states(http: httpx.Client, admin: dict[str, str], booking_id: str) -> list[str]:
    events = http.get(f"/api/v1/admin/events?bookingId={booking_id}", headers=admin).json()
    return [e["status"] for e in events if e["type"] == "booking.created"]


def test_served_app_runs_the_worker_in_process_unless_told_not_to(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'masu.db'}"
    run_masu("db", "upgrade", database_url=database_url)
    run_masu("seed", "--demo", database_url=database_url)
    env = {"WORKER_POLL_SECONDS": "0.2"}

    for with_worker in (False, True):
        with (
            running_server(database_url, background_worker=with_worker, env=env) as base_url,
            httpx.Client(base_url=base_url, timeout=10) as http,
        ):
            login = http.post("/api/v1/auth/login", json={"phone": CUSTOMER[0], "password": CUSTOMER[1]})
            headers = {"Authorization": f"Bearer {login.json()['accessToken']}"}
            admin_login = http.post(
                "/api/v1/auth/login", json={"phone": "0500000001", "password": "admin-demo-pass"}
            )
            admin = {"Authorization": f"Bearer {admin_login.json()['accessToken']}"}
            swedish = next(t for t in http.get("/api/v1/treatments").json() if t["name"] == "Swedish Massage")
            body = booking_body(swedish["id"], bookingDateTime=tomorrow_noon_in_israel())
            booking = http.post("/api/v1/bookings", json=body, headers=headers).json()

            deadline = time.monotonic() + 15
            while _event_states(http, admin, booking["id"]) != ["done"] and time.monotonic() < deadline:
                if not with_worker:
                    break
                time.sleep(0.2)
            states = _event_states(http, admin, booking["id"])
            worker = http.get("/health", headers=admin).json()["details"]["worker"]

        if with_worker:
            assert states == ["done"]
            assert worker["status"] == "up"
        else:
            assert states == ["pending"]
