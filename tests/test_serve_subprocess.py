"""`masu db upgrade`, `seed --demo` and `serve` as real processes on a SQLite file, over real HTTP."""

from __future__ import annotations

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
