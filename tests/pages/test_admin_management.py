"""The admin's management pages in Chromium: professionals (approve, suspend) and the catalogue's forms."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.factories import ADMIN, CUSTOMER
from tests.pages.conftest import DESKTOP, PHONE, log_in, screenshot


@contextlib.contextmanager
def _admin_api(server: str) -> Iterator[httpx.Client]:
    """A JSON API client logged in as the demo admin (to set up and to check what the pages wrote)."""
    with httpx.Client(base_url=server, timeout=10) as http:
        token = http.post("/api/v1/auth/login", json={"phone": ADMIN[0], "password": ADMIN[1]}).json()
        http.headers["Authorization"] = f"Bearer {token['accessToken']}"
        yield http


def _pending_professional(server: str) -> dict[str, Any]:
    """A newly onboarded professional, waiting for approval."""
    with _admin_api(server) as http:
        body = {"name": "Noa Newcomer", "phone": "0547777777", "password": "new-pro-pass", "gender": "female"}
        created = http.post("/api/v1/admin/professionals", json=body)
        assert created.status_code == 201, created.text
        return dict(created.json())


def _api_list(server: str, path: str) -> list[dict[str, Any]]:
    with _admin_api(server) as http:
        response = http.get(f"/api/v1/admin/{path}")
        assert response.status_code == 200, response.text
        return list(response.json())


def _admin_logs_in(page: Page, lang: str = "en") -> None:
    log_in(page, ADMIN[0], ADMIN[1], lang=lang)
    expect(page).to_have_url(re.compile(r"/admin$"))


@pytest.mark.slow
def test_admin_approves_a_pending_professional_and_suspends_an_active_one(page: Page, server: str) -> None:
    newcomer = _pending_professional(server)
    active = next(p for p in _api_list(server, "professionals?status=approved"))
    _admin_logs_in(page)
    page.get_by_role("link", name="Professionals").click()
    page.get_by_label("Status").select_option("pending_approval")
    page.get_by_role("button", name="Show").click()
    row = page.locator(f'tr[data-professional="{newcomer["id"]}"]')
    expect(row).to_contain_text("Pending approval")
    row.get_by_role("button", name="Approve Noa Newcomer").click()
    expect(page.get_by_role("status")).to_have_text("The professional was approved.")
    expect(page).to_have_url(re.compile(r"status=pending_approval"))  # back to the list as it was filtered
    expect(page.locator(f'tr[data-professional="{newcomer["id"]}"]')).to_have_count(0)

    page.get_by_label("Status").select_option("")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(f'tr[data-professional="{newcomer["id"]}"]')).to_have_attribute(
        "data-status", "approved"
    )
    page.get_by_role("button", name=f"Suspend {active['name']}", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("The professional was suspended.")
    suspended = page.locator(f'tr[data-professional="{active["id"]}"]')
    expect(suspended).to_have_attribute("data-status", "suspended")
    expect(suspended).to_contain_text("Suspended")
    statuses = {p["id"]: p["status"] for p in _api_list(server, "professionals")}
    assert statuses[newcomer["id"]] == "approved"
    assert statuses[active["id"]] == "suspended"

    page.get_by_role("link", name=active["name"], exact=True).click()
    expect(page.get_by_role("heading", name=active["name"], level=1)).to_be_visible()
    expect(page.locator(".facts [data-status]")).to_have_attribute("data-status", "suspended")
    expect(page.get_by_role("heading", name="Weekly hours")).to_be_visible()


@pytest.mark.slow
def test_admin_adds_a_coupon_through_the_form(page: Page, server: str) -> None:
    _admin_logs_in(page)
    page.get_by_role("link", name="Catalogue").click()
    page.get_by_role("link", name="Add a coupon").click()
    page.get_by_label("Code").fill("summer-15")
    page.get_by_label("Discount type").select_option("percent")
    page.get_by_label("Discount", exact=True).fill("15")
    page.get_by_label("Total uses allowed").fill("100")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("The coupon was added.")
    row = page.locator('tr[data-code="SUMMER-15"]')
    expect(row).to_contain_text("15%")
    expect(row).to_contain_text("0 / 100")
    stored = next(c for c in _api_list(server, "coupons") if c["code"] == "SUMMER-15")
    assert (stored["kind"], stored["value"], stored["usageLimit"]) == ("percent", 15, 100)


@pytest.mark.slow
def test_wrong_input_is_shown_next_to_its_field_and_nothing_is_written(page: Page, server: str) -> None:
    coupons_before = _api_list(server, "coupons")
    _admin_logs_in(page)
    page.goto("/admin/catalogue/coupons/new")
    page.get_by_label("Code").fill("BROKEN")
    page.get_by_label("Discount", exact=True).fill("-5")
    page.get_by_role("button", name="Save").click()
    value = page.get_by_label("Discount", exact=True)
    expect(value).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#value-error")).to_have_text(
        "Enter an amount above 0 with at most two decimals (a percentage at most 100)."
    )
    expect(value).to_have_value("-5")  # what was typed stays to be corrected
    assert _api_list(server, "coupons") == coupons_before

    cities_before = _api_list(server, "cities")
    page.goto("/admin/catalogue/cities/new")
    page.get_by_label("Latitude").fill("31.26")
    page.get_by_label("Longitude").fill("35.21")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#name-error")).to_have_text("Enter a name of 2 to 50 characters.")
    expect(page.get_by_role("alert").first).to_be_visible()
    assert _api_list(server, "cities") == cities_before


@pytest.mark.slow
def test_keyboard_alone_adds_a_city(page: Page, server: str) -> None:
    _admin_logs_in(page)
    page.goto("/admin/catalogue/cities/new")
    page.get_by_label("City name (English)").focus()
    page.keyboard.type("Arad")
    for text in ("ערד", "31.26", "35.21"):
        page.keyboard.press("Tab")
        page.keyboard.type(text)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("The city was added.")
    expect(page.locator("table.cities")).to_contain_text("Arad")
    assert "Arad" in [c["name"] for c in _api_list(server, "cities")]


@pytest.mark.slow
def test_a_customer_is_refused_the_management_pages(page: Page) -> None:
    log_in(page, CUSTOMER[0], CUSTOMER[1])
    for path in ("/admin/professionals", "/admin/catalogue", "/admin/catalogue/treatments/new"):
        response = page.goto(path)
        assert response is not None
        assert response.status == 403, path
        expect(page.get_by_role("heading", name="Request refused")).to_be_visible()


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "he"])
def test_screenshots_of_the_management_pages(page: Page, server: str, lang: str) -> None:
    _admin_logs_in(page, lang=lang)
    treatment = _api_list(server, "treatments")[0]
    pages = (
        ("professionals", "/admin/professionals"),
        ("catalogue", "/admin/catalogue"),
        ("treatment", f"/admin/catalogue/treatments/{treatment['id']}"),
        ("surcharge-new", "/admin/catalogue/surcharges/new"),
    )
    for width_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        for name, url in pages:
            page.goto(f"{url}?lang={lang}")
            suffix = "" if lang == "en" else f"-{lang}"
            screenshot(page, f"admin-{name}-{width_name}{suffix}")
            # Nothing may stick out sideways on a phone (wide tables scroll inside their own box).
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], (
                name,
                width_name,
            )
