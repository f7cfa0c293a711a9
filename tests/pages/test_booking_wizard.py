"""The booking wizard's pages: Hebrew on a phone, errors next to wrong fields, coupons, no half bookings."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.factories import CUSTOMER
from tests.live_server import ISRAEL
from tests.pages.conftest import PHONE, log_in, screenshot, watched_tab


def _day(days: int) -> str:
    return (datetime.now(ISRAEL) + timedelta(days=days)).date().isoformat()


def _bookings_of_customer(server: str) -> int:
    with httpx.Client(base_url=server, timeout=10) as http:
        login = http.post("/api/v1/auth/login", json={"phone": CUSTOMER[0], "password": CUSTOMER[1]}).json()
        listed = http.get("/api/v1/bookings", headers={"Authorization": f"Bearer {login['accessToken']}"})
        return len(listed.json()["items"])


def _fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']} px phone"


def _next(page: Page, label: str = "המשך") -> None:
    page.get_by_role("button", name=label).click()


def test_the_wizard_in_hebrew_on_a_phone_right_to_left_with_errors_next_to_their_fields(
    browser: Browser, server: str
) -> None:
    before = _bookings_of_customer(server)
    with watched_tab(browser, server, PHONE) as page:
        log_in(page, lang="he")
        page.goto("/book")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("html")).to_have_attribute("lang", "he")
        for step, title, act in (
            ("treatment", "טיפול", lambda: page.get_by_label("Deep Tissue Massage").check()),
            ("duration", "משך", lambda: page.get_by_label("60 דקות").check()),
            ("when", "איפה ומתי", lambda: _where_and_when(page, _day(45))),
        ):
            expect(page.locator('[aria-current="step"]')).to_have_text(title)
            _fits_the_phone(page)
            screenshot(page, f"wizard-{step}-phone")
            act()
            _next(page)

        # 45 days ahead is past the booking window: the date field says so and nothing moves on.
        date_error = page.locator("#date-error")
        expect(date_error).to_have_text("נא לבחור תאריך בטווח ההזמנה.")
        expect(page.get_by_label("תאריך")).to_have_attribute("aria-describedby", "date-error")
        _where_and_when(page, _day(3))
        _next(page)

        expect(page.locator('[aria-current="step"]')).to_have_text("שעה")
        _fits_the_phone(page)
        screenshot(page, "wizard-times-phone")
        page.locator("label.slot").first.click()
        _next(page)

        page.get_by_label("רחוב ומספר בית").fill("Hi")  # too short
        page.get_by_label("עבור מישהו/י אחר/ת").check()
        page.get_by_label("טלפון נייד").fill("12345")
        _next(page, "המשך לסיכום")
        expect(page.locator("#street-error")).to_have_text("נא להזין רחוב ומספר בית (5 עד 100 תווים).")
        expect(page.locator("#recipient_phone-error")).to_contain_text("נייד ישראלי")
        expect(page.locator("#recipient_name-error")).to_be_visible()
        expect(page.get_by_label("רחוב ומספר בית")).to_have_value("Hi")  # what was typed stays
        _fits_the_phone(page)
        screenshot(page, "wizard-details-errors-phone")

    assert _bookings_of_customer(server) == before  # a refused form writes nothing


def _where_and_when(page: Page, day: str) -> None:
    page.get_by_label("עיר").select_option(label="תל אביב")
    page.get_by_label("תאריך").fill(day)
    page.get_by_label("מטפל/ת").select_option("female")


def test_a_coupon_lowers_the_servers_price_and_a_wrong_one_is_named_next_to_its_field(
    browser: Browser, server: str
) -> None:
    with watched_tab(browser, server, PHONE) as page:
        log_in(page)
        _to_the_summary(page, "10:00")
        total = page.locator("table.price")
        expect(total).to_have_attribute("data-total", "250")

        page.get_by_label("Coupon code").fill("NOSUCH")
        page.get_by_role("button", name="Apply the coupon").click()
        expect(page.locator("#coupon-error")).to_have_text("There is no such coupon.")
        expect(total).to_have_attribute("data-total", "250")

        page.get_by_label("Coupon code").fill("WELCOME10")
        page.get_by_role("button", name="Apply the coupon").click()
        expect(total).to_have_attribute("data-total", "225")
        _fits_the_phone(page)
        screenshot(page, "wizard-summary-phone")

        # Without a payment gateway the booking goes straight to finding a professional.
        page.get_by_role("button", name="Confirm the booking").click()
        expect(page).to_have_url(re.compile(r"/bookings/[0-9a-f]+"))
        expect(page.get_by_role("status")).to_have_text(
            "Your booking is made. We are now finding a professional for you."
        )
        expect(page.locator("[data-status]").first).to_have_attribute("data-status", "pending_professional")
        expect(page.locator("table.price tr.total")).to_contain_text("225")

        # The coupon allows one use per customer: the next booking's summary says so.
        _to_the_summary(page, "15:00")
        page.get_by_label("Coupon code").fill("WELCOME10")
        page.get_by_role("button", name="Apply the coupon").click()
        expect(page.locator("#coupon-error")).to_have_text("You have already used this coupon.")
        expect(total).to_have_attribute("data-total", "250")


def _to_the_summary(page: Page, at: str) -> None:
    """Swedish Massage, 60 minutes, Haifa, the day after tomorrow at `at`, for oneself."""
    page.goto("/book?lang=en")
    page.get_by_label("Swedish Massage").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("60 min").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("City").select_option(label="Haifa")
    page.get_by_label("Date").fill(_day(2))
    page.get_by_role("button", name="Continue").click()
    page.get_by_label(at).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Street and house number").fill("Hanassi 5")
    page.get_by_role("button", name="Continue to the summary").click()


def test_a_treatment_is_chosen_with_the_keyboard_alone(browser: Browser, server: str) -> None:
    with watched_tab(browser, server, PHONE) as page:
        log_in(page)
        page.goto("/book?lang=en")
        first = page.locator('input[name="treatment"]').first
        expect(first).to_be_focused()  # the step starts on its first choice
        page.keyboard.press("Space")
        page.keyboard.press("Enter")  # submits the step's form
        expect(page.locator('[aria-current="step"]')).not_to_have_text("Treatment")
        assert "treatment=" in page.url
