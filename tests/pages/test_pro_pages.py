"""The professional dashboard in a real Chromium: offers from the worker, the race, the visit, hours, pay."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.factories import professional, step_time
from tests.live_server import ServerClock, running_server
from tests.pages.conftest import (
    DESKTOP,
    PHONE,
    VISIT_MOVES,
    book_as_customer,
    log_in,
    screenshot,
    watched_tab,
)

pytestmark = pytest.mark.slow
AVI = professional("Avi Pro")
RINA = professional("Rina Pro")
OFFER_WAIT_SECONDS = 20.0


@pytest.fixture
def server(sqlite_template: Path, tmp_path: Path, server_clock: ServerClock) -> Iterator[str]:
    """`masu serve` with its in-process worker, so bookings are offered as they would be in production."""
    target = tmp_path / "masu.db"
    shutil.copy(sqlite_template, target)
    with running_server(f"sqlite+aiosqlite:///{target}", background_worker=True, env=server_clock.env) as url:
        yield url


@pytest.fixture
def other_page(browser: Browser, server: str) -> Iterator[Page]:
    """A second person's browser (own cookies), watched like `page`."""
    with watched_tab(browser, server, PHONE) as tab:
        yield tab


def wait_for_offer(page: Page) -> None:
    """Reload the dashboard until the worker's offer is on it (the worker polls about once a second)."""
    deadline = time.monotonic() + OFFER_WAIT_SECONDS
    page.goto("/pro")
    while page.locator(".offer").count() == 0:
        assert time.monotonic() < deadline, "no offer reached the dashboard"
        page.wait_for_timeout(300)
        page.reload()


def no_sideways_overflow(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide at {PHONE['width']} px"


def test_a_professional_takes_an_offer_and_carries_the_visit_to_the_end(
    page: Page, other_page: Page, server: str, server_clock: ServerClock
) -> None:
    booking = book_as_customer(server)
    log_in(page, *AVI)
    expect(page).to_have_url(re.compile(r"/pro$"))
    log_in(other_page, *RINA)
    wait_for_offer(page)
    wait_for_offer(other_page)

    offer = page.locator(".offer").first
    expect(offer).to_contain_text("Swedish Massage")
    expect(offer).to_contain_text("Tel Aviv")
    expect(offer.locator(".countdown")).to_contain_text(re.compile(r"Time left \d+:\d\d"))
    screenshot(page, "pro-dashboard-offer-1280")

    offer.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("status")).to_have_text("The booking is yours. The address is below.")
    visit = page.locator(".visit").filter(has_text=booking["bookingNumber"])
    expect(visit).to_contain_text("Herzl 10")

    other_page.locator(".offer").first.get_by_role("button", name="Accept").click()
    expect(other_page.get_by_role("alert")).to_have_text(
        "This booking has already been taken by another professional."
    )

    visit.get_by_role("button", name="I'm on my way").click()  # the day before: too early
    expect(page.get_by_role("heading", name="Are you sure?")).to_be_visible()
    page.get_by_role("button", name="Yes, I'm on my way").click()
    expect(page.get_by_role("alert")).to_contain_text("Too early to be on the way")
    expect(visit.locator("[data-status]")).to_have_attribute("data-status", "confirmed")

    starts_at = datetime.fromisoformat(booking["bookingDateTime"])
    server_clock.move_to(step_time("on-way", starts_at, booking["durationMinutes"]))
    log_in(page, *AVI)  # the visit's day: yesterday's session has ended
    for move, button, confirm, status in VISIT_MOVES[:2]:
        server_clock.move_to(step_time(move, starts_at, booking["durationMinutes"]))
        visit.get_by_role("button", name=button).click()
        page.get_by_role("button", name=confirm).click()
        expect(visit.locator("[data-status]")).to_have_attribute("data-status", status)
    screenshot(page, "pro-dashboard-visit-1280")
    page.set_viewport_size(PHONE)
    screenshot(page, "pro-dashboard-visit-375")
    no_sideways_overflow(page)
    server_clock.move_to(step_time("complete", starts_at, booking["durationMinutes"]))
    visit.get_by_role("button", name="Treatment completed").click()
    screenshot(page, "pro-confirm-complete-375")
    no_sideways_overflow(page)
    page.get_by_role("button", name="Yes, the treatment is completed").click()
    expect(page.get_by_role("status")).to_have_text("Treatment completed. Thank you!")
    expect(page.locator(".visit")).to_have_count(0)

    page.get_by_role("link", name="Earnings").click()
    expect(page.locator(f'[data-booking-number="{booking["bookingNumber"]}"]')).to_be_visible()
    screenshot(page, "pro-earnings-375")
    no_sideways_overflow(page)
    page.set_viewport_size(DESKTOP)
    screenshot(page, "pro-earnings-1280")


def test_the_countdown_is_live_and_works_in_hebrew_on_a_phone(page: Page, server: str) -> None:
    book_as_customer(server)
    page.set_viewport_size(PHONE)
    log_in(page, *AVI, lang="he")
    wait_for_offer(page)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    countdown = page.locator(".countdown").first
    expect(countdown).to_contain_text("זמן שנותר")
    first = countdown.text_content()
    expect(countdown).not_to_have_text(first or "", timeout=3000)  # it ticks
    screenshot(page, "pro-dashboard-offer-375")
    no_sideways_overflow(page)


def test_a_wrong_interval_is_named_next_to_its_field_and_a_right_one_is_saved(page: Page) -> None:
    log_in(page, *AVI)
    page.get_by_role("link", name="Hours & cities").click()
    expect(page.get_by_role("heading", name="Working hours and cities")).to_be_visible()
    screenshot(page, "pro-schedule-1280")
    end = page.locator("#h0-0-end")
    end.fill("07:00")  # before the 08:00 start
    page.get_by_role("button", name="Save hours").click()
    expect(end).to_have_attribute("aria-invalid", "true")
    message = page.locator(".interval.invalid").filter(has=page.locator("#h0-0-end")).locator(".field-error")
    expect(message).to_have_text("The end must be after the start.")
    page.set_viewport_size(PHONE)
    screenshot(page, "pro-schedule-error-375")
    no_sideways_overflow(page)

    page.locator("#h0-0-end").fill("18:30")
    page.get_by_role("button", name="Save hours").click()
    expect(page.get_by_role("status")).to_have_text("Working hours saved.")
    expect(page.locator("#h0-0-end")).to_have_value("18:30")
    screenshot(page, "pro-schedule-375")
    no_sideways_overflow(page)
