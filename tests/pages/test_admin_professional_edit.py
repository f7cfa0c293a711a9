"""The admin fixes a professional's weekly hours in Chromium, on a phone, in Hebrew."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.factories import ADMIN
from tests.pages.conftest import PHONE, log_in, screenshot, watched_tab


def _professional(server: str, name: str) -> dict[str, Any]:
    """A demo professional as the admin's JSON API shows them."""
    with httpx.Client(base_url=server, timeout=10) as http:
        token = http.post("/api/v1/auth/login", json={"phone": ADMIN[0], "password": ADMIN[1]}).json()
        http.headers["Authorization"] = f"Bearer {token['accessToken']}"
        listed = http.get("/api/v1/admin/professionals").json()
        found = next(p for p in listed if p["name"] == name)
        return dict(http.get(f"/api/v1/admin/professionals/{found['id']}").json())


@pytest.mark.slow
def test_the_admin_fixes_a_professionals_hours_on_a_phone_in_hebrew(browser: Browser, server: str) -> None:
    avi = _professional(server, "Avi Pro")
    with watched_tab(browser, server, PHONE) as page:
        log_in(page, ADMIN[0], ADMIN[1], lang="he")
        expect(page).to_have_url(re.compile(r"/admin$"))
        page.goto(f"/admin/professionals/{avi['id']}")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.get_by_role("heading", name="שעות שבועיות")).to_be_visible()

        start, end = page.locator("#h6-0-start"), page.locator("#h6-0-end")  # Sunday's first interval
        start.fill("10:00")
        end.fill("07:00")
        page.get_by_role("button", name="שמירת שעות").click()
        expect(end).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#h6-0-error")).to_have_text("שעת הסיום צריכה להיות אחרי שעת ההתחלה.")

        page.locator("#h6-0-end").fill("16:30")
        page.get_by_role("button", name="שמירת שעות").click()
        expect(page.get_by_role("status")).to_have_text("השעות השבועיות נשמרו.")
        expect(page.locator("#h6-0-start")).to_have_value("10:00")
        expect(page.locator("#h6-0-end")).to_have_value("16:30")
        screenshot(page, "admin-professional-edit-phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    sunday = [
        (h["start"], h["end"]) for h in _professional(server, "Avi Pro")["hours"] if h["weekday"] == "sunday"
    ]
    assert ("10:00", "16:30") in sunday
