"""A booking's whole life in the pages: wizard → sandbox payment → SMS-link accept → visit → review → admin.

The live server runs the sandbox gateway (its hosted page calls back server to server) and its worker
in-process, so payment, dispatch, messages and the review request happen as in production.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.factories import ADMIN, step_time
from tests.live_server import ISRAEL, ServerClock, free_port, running_server
from tests.pages.conftest import DESKTOP, PHONE, VISIT_MOVES, log_in, screenshot, watched_tab

SANDBOX_KEY = "journey-sandbox-signing-key-0123456789"
LIFE_IN_ORDER = [
    "pending_payment",
    "pending_professional",
    "confirmed",
    "on_way",
    "in_treatment",
    "pending_review",
    "completed",
]


@pytest.fixture
def server(sqlite_template: Path, tmp_path: Path, server_clock: ServerClock) -> Iterator[str]:
    """`masu serve` with the sandbox gateway and its worker, on a port its own links point to."""
    target = tmp_path / "masu.db"
    shutil.copy(sqlite_template, target)
    port = free_port()
    env = {
        "PAYMENT_GATEWAY": "sandbox",
        "PAYMENT_GATEWAY_KEY": SANDBOX_KEY,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        **server_clock.env,
    }
    with running_server(f"sqlite+aiosqlite:///{target}", background_worker=True, env=env, port=port) as url:
        yield url


def _admin_headers(http: httpx.Client) -> dict[str, str]:
    token = http.post("/api/v1/auth/login", json={"phone": ADMIN[0], "password": ADMIN[1]}).json()
    return {"Authorization": f"Bearer {token['accessToken']}"}


def _wait_for_link(server: str, booking_id: str, pattern: str) -> str:
    """The path of the first link like `pattern` in a message queued for the booking (by the worker)."""
    with httpx.Client(base_url=server, timeout=10) as http:
        headers = _admin_headers(http)
        for _ in range(100):
            messages = http.get(
                "/api/v1/admin/notifications", params={"bookingId": booking_id}, headers=headers
            ).json()
            for message in messages:
                found = re.search(pattern, message["body"])
                if found:
                    return found.group(0)
            time.sleep(0.2)
    raise AssertionError(f"no message with a link like {pattern}")


def _booking_status(server: str, booking_id: str) -> str:
    with httpx.Client(base_url=server, timeout=10) as http:
        booking = http.get(f"/api/v1/bookings/{booking_id}", headers=_admin_headers(http)).json()
        return str(booking["status"])


def _wait_for_status(server: str, booking_id: str, wanted: str) -> None:
    for _ in range(100):
        if _booking_status(server, booking_id) == wanted:
            return
        time.sleep(0.2)
    raise AssertionError(f"the booking never reached {wanted}")


def _day_after_tomorrow() -> str:
    return (datetime.now(ISRAEL) + timedelta(days=2)).date().isoformat()


def _book_through_the_wizard(page: Page) -> None:
    """Home → Swedish Massage → 90 min → Tel Aviv, the day after tomorrow → 12:00 → details → summary."""
    page.goto("/")
    page.get_by_role("link", name="Book · Swedish Massage").click()
    expect(page.locator('[aria-current="step"]')).to_have_text("Duration")
    page.get_by_label("90 min").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("City").select_option(label="Tel Aviv")
    page.get_by_label("Date").fill(_day_after_tomorrow())
    page.get_by_role("button", name="Continue").click()
    expect(page.locator('[aria-current="step"]')).to_have_text("Time")
    page.get_by_label("12:00").check()
    screenshot(page, "wizard-times-desktop")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Street and house number").fill("Herzl 10")
    page.get_by_label("Apartment (optional)").fill("12")
    page.get_by_label("For someone else").check()
    page.get_by_label("Their full name").fill("Dana Levi")
    page.get_by_label("Their mobile phone").fill("052-7654321")
    page.get_by_role("button", name="Continue to the summary").click()


def test_a_booking_from_the_wizard_to_the_review_as_each_person_sees_it(
    browser: Browser, server: str, server_clock: ServerClock
) -> None:
    with watched_tab(browser, server, DESKTOP) as customer:
        log_in(customer)
        _book_through_the_wizard(customer)
        expect(customer.locator('[aria-current="step"]')).to_have_text("Summary")
        expect(customer.locator("table.price tr.total")).to_contain_text("350 ₪")  # the 90-minute price
        expect(customer.locator("main")).to_contain_text("Dana Levi")
        screenshot(customer, "wizard-summary-desktop")
        customer.get_by_role("button", name="Confirm and pay").click()

        # The sandbox's hosted page, then back to the app with the outcome the gateway reported.
        expect(customer).to_have_url(re.compile(r"/sandbox-gateway/"))
        customer.get_by_role("button", name=re.compile("Pay")).first.click()
        expect(customer.get_by_role("status")).to_contain_text("Payment received")
        customer.get_by_role("link", name="See your booking").click()
        booking_id = customer.url.rsplit("/", 1)[-1]
        expect(customer.locator("[data-status]").first).to_have_attribute(
            "data-status", "pending_professional"
        )

        # A professional accepts from the link in their SMS, without logging in.
        offer_link = _wait_for_link(server, booking_id, r"/o/[A-Za-z0-9_.\-]+")
        with watched_tab(browser, server, PHONE) as professional:
            professional.goto(offer_link)  # in the professional's own language, Hebrew
            expect(professional.locator("html")).to_have_attribute("dir", "rtl")
            screenshot(professional, "offer-link-phone")
            professional.get_by_role("button", name="קבלה").click()
            expect(professional.locator("body")).to_contain_text("Herzl 10")
        _wait_for_status(server, booking_id, "confirmed")

        # On the day, the same professional, logged in on the phone, moves the visit on, each step in time.
        phone, starts_at, minutes = _assigned_visit(server, booking_id)
        server_clock.move_to(step_time("on-way", starts_at, minutes))
        with watched_tab(browser, server, PHONE) as professional:
            log_in(professional, phone, "pro-demo-pass")
            for move, button, confirm, status in VISIT_MOVES:
                server_clock.move_to(step_time(move, starts_at, minutes))
                professional.get_by_role("button", name=button).click()
                professional.get_by_role("button", name=confirm).click()
                _wait_for_status(server, booking_id, status)

        # The customer reviews from the link in the review request.
        review_link = _wait_for_link(server, booking_id, r"/review/[A-Za-z0-9_.\-]+")
        customer.goto(review_link + "?lang=en")
        customer.get_by_label(re.compile("^5")).check()
        customer.get_by_role("textbox").fill("Wonderful, on time and very professional.")
        customer.get_by_role("button", name=re.compile("Send", re.IGNORECASE)).click()
        _wait_for_status(server, booking_id, "completed")

    with watched_tab(browser, server, DESKTOP) as admin:
        log_in(admin, *ADMIN)
        admin.goto(f"/admin/bookings/{booking_id}")
        statuses = admin.locator('.admin-timeline li[data-kind="status"] [data-status]')
        expect(statuses).to_have_count(len(LIFE_IN_ORDER))
        assert [
            statuses.nth(i).get_attribute("data-status") for i in range(len(LIFE_IN_ORDER))
        ] == LIFE_IN_ORDER
        times = admin.locator(".admin-timeline li time")
        stamps = [times.nth(i).get_attribute("datetime") or "" for i in range(times.count())]
        assert stamps == sorted(stamps), "the timeline is not in time order"
        kinds = {
            admin.locator(".admin-timeline li").nth(i).get_attribute("data-kind")
            for i in range(times.count())
        }
        assert {"status", "event", "offer", "message"} <= kinds
        screenshot(admin, "admin-booking-journey-desktop")


def _assigned_visit(server: str, booking_id: str) -> tuple[str, datetime, int]:
    """The assigned professional's phone, and when the visit starts and for how many minutes."""
    with httpx.Client(base_url=server, timeout=10) as http:
        headers = _admin_headers(http)
        booking = http.get(f"/api/v1/bookings/{booking_id}", headers=headers).json()
        professional = http.get(f"/api/v1/admin/professionals/{booking['professionalId']}", headers=headers)
        starts_at = datetime.fromisoformat(booking["bookingDateTime"])
        return str(professional.json()["phone"]), starts_at, int(booking["durationMinutes"])
