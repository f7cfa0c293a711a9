"""The customer pages in a real Chromium: logging in, languages, bookings, cancelling, screenshots."""

from __future__ import annotations

import contextlib
import re
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.live_server import ISRAEL, running_server
from tests.pages.conftest import DESKTOP, PHONE, book_as_customer, log_in, screenshot, watched_tab

pytestmark = pytest.mark.slow


def test_demo_customer_logs_in_and_sees_their_bookings(page: Page, server: str) -> None:
    booking = book_as_customer(server)
    page.goto("/bookings?lang=en")
    expect(page).to_have_url(re.compile(r"/login\?next="))  # not logged in yet
    page.get_by_label("Mobile phone").fill("0520000001")
    page.get_by_label("Password").fill("customer-demo-pass")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/bookings(\?lang=en)?$"))
    expect(page.get_by_role("heading", name="My bookings")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(booking["bookingNumber"]))).to_be_visible()


def test_a_wrong_password_shows_its_message_next_to_the_field(page: Page) -> None:
    log_in(page, password="not-the-password")
    password = page.get_by_label("Password")
    expect(password).to_have_attribute("aria-invalid", "true")
    message = page.locator("#password-error")
    expect(message).to_have_text("Wrong phone number or password.")
    # Next to the field: the message follows the input inside the same field group.
    expect(page.locator(".field.invalid").filter(has=password).locator(".field-error")).to_be_visible()
    expect(page.get_by_label("Mobile phone")).to_have_value("0520000001")


def test_registration_errors_are_shown_next_to_each_field_then_the_code_step(
    page: Page, tmp_path: Path
) -> None:
    page.goto("/register?lang=en")
    page.get_by_label("Full name").fill("N4t4sh4 http://x.example")
    page.get_by_label("Mobile phone").fill("123")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("#name-error")).to_contain_text("2 to 50 letters")
    expect(page.locator("#phone-error")).to_contain_text("Israeli mobile number")
    expect(page.locator("#password-error")).to_have_text("The password needs at least 8 characters.")
    page.get_by_label("Full name").fill("Tamar Bar")
    page.get_by_label("Mobile phone").fill("054-7654321")
    page.get_by_label("Password").fill("a-long-enough-password")
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/verify-phone\?phone="))
    resend = page.get_by_role("button", name=re.compile("Send a new code"))
    expect(resend).to_be_disabled()  # for the minute the server would refuse it anyway
    expect(resend).to_contain_text(" s")
    page.get_by_label("Code").fill(_texted_code(tmp_path / "masu.db", "+972547654321"))
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_text("Tamar Bar")).to_be_visible()


def _texted_code(database: Path, phone: str) -> str:
    """The code in the newest SMS to `phone`, as the server (without a worker here) queued it."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        query = (
            "SELECT body FROM notifications WHERE template = 'phone-code' AND recipient = ?"
            " ORDER BY created_at DESC"
        )
        (body,) = connection.execute(query, (phone,)).fetchone()
    found = re.search(r"\b(\d{6})\b", body)
    assert found is not None
    return found.group(1)


def test_hebrew_is_right_to_left_english_left_to_right_and_the_choice_is_remembered(page: Page) -> None:
    page.goto("/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "he")
    expect(html).to_have_attribute("dir", "rtl")
    page.get_by_role("link", name="Switch to English").click()
    expect(html).to_have_attribute("lang", "en")
    expect(html).to_have_attribute("dir", "ltr")
    page.goto("/login")  # no ?lang: the choice was kept
    expect(html).to_have_attribute("dir", "ltr")
    page.get_by_role("link", name="Switch to Hebrew").click()
    expect(html).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", name="כניסה")).to_be_visible()


def test_customer_cancels_a_booking_before_the_cutoff(page: Page, server: str) -> None:
    booking = book_as_customer(server)
    log_in(page)
    page.goto(f"/bookings/{booking['id']}")
    expect(page.locator(".facts [data-status]")).to_have_attribute("data-status", "pending_professional")
    page.get_by_label("Reason (optional)").fill("Plans changed")
    page.get_by_role("button", name="Cancel booking").click()
    expect(page.get_by_role("status")).to_have_text("The booking was cancelled.")
    expect(page.locator(".facts [data-status]")).to_have_attribute("data-status", "cancelled")
    expect(page.locator(".timeline li")).to_have_count(2)
    expect(page.get_by_role("button", name="Cancel booking")).to_have_count(0)


@pytest.fixture
def short_lead_server(sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    """A live server that books visits up to the last minute, so a new booking can be past its cut-off."""
    target = tmp_path / "masu.db"
    shutil.copy(sqlite_template, target)
    env = {"MIN_BOOKING_LEAD_HOURS": "0", "CANCELLATION_CUTOFF_HOURS": "2"}
    with running_server(f"sqlite+aiosqlite:///{target}", env=env) as url:
        yield url


def test_customer_cannot_cancel_after_the_cutoff_in_the_page_or_by_posting(
    browser: Browser, short_lead_server: str
) -> None:
    in_an_hour = (datetime.now(ISRAEL) + timedelta(hours=1)).replace(second=0, microsecond=0)
    # Whatever the hour now, nobody need be free then: an admin forces the time.
    booking = book_as_customer(short_lead_server, at=in_an_hour.isoformat(), forced_by_admin=True)
    with watched_tab(browser, short_lead_server, DESKTOP) as page:
        log_in(page)
        page.goto(f"/bookings/{booking['id']}")
        expect(page.locator(".facts [data-status]")).to_have_attribute("data-status", "pending_professional")
        expect(page.get_by_role("button", name="Cancel booking")).to_have_count(0)

        # A hand-made form post (with a valid CSRF token) is refused the same way.
        token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
        refused = page.request.post(
            f"/bookings/{booking['id']}/cancel", form={"csrf_token": token or "", "reason": "late"}
        )
        assert refused.status == 409
        assert "cut-off has passed" in refused.text()
        page.reload()
        expect(page.locator(".facts [data-status]")).to_have_attribute("data-status", "pending_professional")


def test_logout_ends_the_session(page: Page) -> None:
    log_in(page)
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto("/bookings")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_keyboard_alone_logs_in(page: Page) -> None:
    page.goto("/login?lang=en")
    page.get_by_label("Mobile phone").focus()
    page.keyboard.type("0520000001")
    page.keyboard.press("Tab")
    page.keyboard.type("customer-demo-pass")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


@pytest.mark.parametrize("lang", ["he", "en"])
def test_screenshots_of_the_customer_pages(page: Page, server: str, lang: str) -> None:
    booking = book_as_customer(server)
    for width_name, viewport in (("1280", DESKTOP), ("375", PHONE)):
        page.set_viewport_size(viewport)
        page.context.clear_cookies()
        page.goto(f"/login?lang={lang}")
        screenshot(page, f"customer-login-{lang}-{width_name}")
        page.goto(f"/register?lang={lang}")
        screenshot(page, f"customer-register-{lang}-{width_name}")
        log_in(page, lang=lang)
        page.goto(f"/?lang={lang}")
        screenshot(page, f"customer-home-{lang}-{width_name}")
        page.goto(f"/bookings?lang={lang}")
        screenshot(page, f"customer-bookings-{lang}-{width_name}")
        page.goto(f"/bookings/{booking['id']}?lang={lang}")
        screenshot(page, f"customer-booking-{lang}-{width_name}")
        # Nothing may stick out sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
