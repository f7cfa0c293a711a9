"""In Chromium: the account settings page, and reviewing a treated booking from the customer's own page."""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.factories import ADMIN, CUSTOMER, VISIT_STEPS, professional, step_time
from tests.live_server import ServerClock, running_server
from tests.pages.conftest import PHONE, book_as_customer, log_in, screenshot, watched_tab

pytestmark = pytest.mark.slow


@pytest.fixture
def database(sqlite_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the demo database, which the test also reads directly."""
    target = tmp_path / "masu.db"
    shutil.copy(sqlite_template, target)
    return target


@pytest.fixture
def server(database: Path, server_clock: ServerClock) -> Iterator[str]:
    """`masu serve` with its worker in-process (dispatch, the review request) on that database."""
    with running_server(
        f"sqlite+aiosqlite:///{database}", background_worker=True, env=server_clock.env
    ) as url:
        yield url


def _api_login(http: httpx.Client, who: tuple[str, str]) -> dict[str, str]:
    token = http.post("/api/v1/auth/login", json={"phone": who[0], "password": who[1]}).json()
    return {"Authorization": f"Bearer {token['accessToken']}"}


def _me(server: str) -> dict[str, Any]:
    with httpx.Client(base_url=server, timeout=10) as http:
        return dict(http.get("/api/v1/me", headers=_api_login(http, CUSTOMER)).json())


def _sms_allowed(database: Path, user_id: str) -> bool:
    with sqlite3.connect(database) as db:
        return bool(db.execute("SELECT notify_by_sms FROM users WHERE id = ?", (user_id,)).fetchone()[0])


def test_the_customer_switches_to_hebrew_and_stops_sms(page: Page, server: str, database: Path) -> None:
    log_in(page)
    page.get_by_role("link", name="My account").click()
    expect(page.get_by_role("heading", name="Account settings")).to_be_visible()
    page.get_by_label("Language of pages and messages").select_option("en")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Your settings were saved.")
    assert _me(server)["language"] == "en"
    screenshot(page, "account-settings-desktop")

    page.get_by_label("Language of pages and messages").select_option("he")
    page.get_by_label("SMS").uncheck()
    page.get_by_role("button", name="Save").click()

    html = page.locator("html")
    expect(html).to_have_attribute("lang", "he")
    expect(html).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("status")).to_have_text("ההגדרות נשמרו.")
    expect(page.get_by_label("SMS")).not_to_be_checked()
    me = _me(server)
    assert me["language"] == "he"
    assert not _sms_allowed(database, me["id"])


def test_a_bad_email_is_named_next_to_the_field_and_nothing_changes(page: Page, server: str) -> None:
    before = _me(server)
    log_in(page)
    page.goto("/account")
    email = page.get_by_label("Email address")
    email.fill("dana at example")
    page.get_by_label("Full name").fill("Someone Else")
    with page.expect_response(re.compile(r"/account$")) as answer:
        page.get_by_role("button", name="Save").click()
    assert answer.value.status == 422
    expect(email).to_have_attribute("aria-invalid", "true")
    message = page.locator(".field.invalid").filter(has=email).locator(".field-error")
    expect(message).to_have_text("Enter a valid email address or leave it empty.")
    expect(email).to_have_value("dana at example")
    assert _me(server) == before


def test_the_settings_page_fits_a_phone_and_works_with_the_keyboard(browser: Browser, server: str) -> None:
    with watched_tab(browser, server, PHONE) as phone:
        log_in(phone)
        phone.goto("/account")
        name = phone.get_by_label("Full name")
        name.focus()
        phone.keyboard.press("Tab")
        expect(phone.get_by_label("Email address")).to_be_focused()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"/account is {width} px wide at {PHONE['width']} px"
        screenshot(phone, "account-settings-phone")


def _treat_booking(server: str, clock: ServerClock) -> tuple[dict[str, Any], str]:
    """A booking an eligible professional took through its visit, in time (now pending_review); their id."""
    booking = book_as_customer(server)
    with httpx.Client(base_url=server, timeout=10) as http:
        admin = _api_login(http, ADMIN)
        candidates = http.get(f"/api/v1/admin/bookings/{booking['id']}/candidates", headers=admin).json()
        chosen = next(c for c in candidates if c["eligible"])
        assign = {"professionalId": chosen["professionalId"], "force": True}
        assigned = http.post(f"/api/v1/admin/bookings/{booking['id']}/assign", json=assign, headers=admin)
        assert assigned.status_code == 200, assigned.text
        starts_at = datetime.fromisoformat(booking["bookingDateTime"])
        clock.move_to(step_time("on-way", starts_at, booking["durationMinutes"]))
        pro = _api_login(http, professional(chosen["name"]))
        for move in VISIT_STEPS:
            clock.move_to(step_time(move, starts_at, booking["durationMinutes"]))
            moved = http.post(f"/api/v1/bookings/{booking['id']}/{move}", headers=pro)
            assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "pending_review"
    return booking, str(chosen["professionalId"])


def _public_comments(server: str, professional_id: str) -> list[str]:
    with httpx.Client(base_url=server, timeout=10) as http:
        page = http.get(f"/api/v1/professionals/{professional_id}/reviews").json()
    return [item["comment"] for item in page["items"]]


def test_the_customer_reviews_a_treated_booking_from_its_page(
    page: Page, server: str, server_clock: ServerClock
) -> None:
    booking, professional_id = _treat_booking(server, server_clock)
    log_in(page)
    page.goto(f"/bookings/{booking['id']}")
    expect(page.get_by_role("heading", name="Leave a review")).to_be_visible()
    page.get_by_role("button", name="Send review").click()  # no rating chosen yet
    expect(page.locator("#rating-error")).to_have_text("Choose a rating from 1 to 5.")

    page.get_by_label("4 – very good").check()
    page.get_by_label("Comment (optional)").fill("Warm, punctual and skilled")
    page.get_by_role("button", name="Send review").click()

    expect(page.get_by_role("status")).to_have_text("Thank you for your review.")
    review = page.locator("[data-review]")
    expect(review.locator("[data-rating]")).to_have_attribute("data-rating", "4")
    expect(review).to_contain_text("Warm, punctual and skilled")
    expect(page.locator(".facts [data-status]")).to_have_attribute("data-status", "completed")
    expect(page.get_by_role("button", name="Send review")).to_have_count(0)
    assert "Warm, punctual and skilled" in _public_comments(server, professional_id)
