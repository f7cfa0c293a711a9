"""The admin panel: the bookings table, one booking's timeline and actions, system health, who may see it."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from masu.persistence.queries.booking import BookingFilter
from masu.web.pages.admin.home import table_query
from tests.factories import ADMIN, CUSTOMER, PROFESSIONAL, book, csrf_of, login, page_login
from tests.live_server import running_server
from tests.pages.conftest import DESKTOP, PHONE, book_as_customer, log_in, screenshot


@pytest.fixture
def server(sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    """`masu serve` on a fresh demo database with its worker in-process (dispatch, heartbeats)."""
    target = tmp_path / "masu.db"
    shutil.copy(sqlite_template, target)
    with running_server(f"sqlite+aiosqlite:///{target}", background_worker=True) as url:
        yield url


def _wait_for_offers(server: str, booking_id: str) -> None:
    """The live server's in-process worker dispatches a new booking within a pass or two."""
    with httpx.Client(base_url=server, timeout=10) as http:
        token = http.post("/api/v1/auth/login", json={"phone": ADMIN[0], "password": ADMIN[1]}).json()
        headers = {"Authorization": f"Bearer {token['accessToken']}"}
        for _ in range(50):
            if http.get(f"/api/v1/admin/bookings/{booking_id}/offers", headers=headers).json():
                return
            time.sleep(0.2)
    raise AssertionError("the worker made no offers")


def _admin_logs_in(page: Page, lang: str = "en") -> None:
    log_in(page, ADMIN[0], ADMIN[1], lang=lang)
    expect(page).to_have_url(re.compile(r"/admin$"))


# --- in the browser, against the live server -------------------------------------------------------------


@pytest.mark.slow
def test_admin_filters_the_table_and_reads_one_timeline_in_time_order(page: Page, server: str) -> None:
    booking = book_as_customer(server)
    _wait_for_offers(server, booking["id"])
    _admin_logs_in(page)
    expect(page.get_by_role("heading", name="Bookings")).to_be_visible()
    page.get_by_label("Search (booking number, phone, name)").fill(booking["bookingNumber"])
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("table.bookings tbody tr")).to_have_count(1)
    page.get_by_label("Status").select_option("cancelled")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("No bookings match.")).to_be_visible()
    page.get_by_label("Status").select_option("pending_professional")
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("link", name=f"#{booking['bookingNumber']}").click()
    expect(page).to_have_url(re.compile(rf"/admin/bookings/{booking['id']}$"))
    entries = page.locator(".admin-timeline li")
    expect(entries.first).to_have_attribute("data-kind", "status")
    expect(entries.first.locator("[data-status]")).to_have_attribute("data-status", "pending_professional")
    expect(page.locator('.admin-timeline li[data-kind="offer"]').first).to_be_visible()
    moments = [t.get_attribute("datetime") or "" for t in entries.locator("time").all()]
    assert moments == sorted(moments), moments
    kinds = entries.evaluate_all("items => items.map(item => item.dataset.kind)")
    assert kinds.index("status") < kinds.index("offer")


@pytest.mark.slow
def test_admin_assigns_a_professional_from_the_candidates(page: Page, server: str) -> None:
    booking = book_as_customer(server)
    _wait_for_offers(server, booking["id"])
    _admin_logs_in(page)
    page.goto(f"/admin/bookings/{booking['id']}")
    candidate = page.get_by_label("Professional", exact=True)
    chosen = candidate.locator("option").first.inner_text()
    assert "eligible" in chosen
    assert "score" in chosen
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("The professional was assigned.")
    expect(page.locator(".facts [data-status]")).to_have_attribute("data-status", "confirmed")
    expect(page.locator("[data-professional]")).to_have_text(chosen.split(" · ")[0])
    last_status = page.locator('.admin-timeline li[data-kind="status"]').last
    expect(last_status).to_contain_text("Confirmed")
    expect(last_status).to_contain_text("by an admin")
    expect(page.get_by_role("button", name="Unassign and dispatch again")).to_be_visible()


@pytest.mark.slow
def test_admin_cancels_with_a_reason(page: Page, server: str) -> None:
    booking = book_as_customer(server)
    _admin_logs_in(page)
    page.goto(f"/admin/bookings/{booking['id']}")
    page.get_by_label("Reason", exact=True).fill("Customer called to cancel")
    page.get_by_role("button", name="Cancel booking").click()
    expect(page.get_by_role("status")).to_have_text("The booking was cancelled.")
    expect(page.locator(".facts [data-status]")).to_have_attribute("data-status", "cancelled")
    expect(page.locator(".facts")).to_contain_text("Customer called to cancel")
    expect(page.locator('.admin-timeline li[data-kind="status"]').last).to_contain_text("Cancelled")


@pytest.mark.slow
def test_system_health_shows_the_in_process_worker(page: Page) -> None:
    _admin_logs_in(page)
    page.get_by_role("link", name="System health").click()
    expect(page.get_by_role("heading", name="System health", level=1)).to_be_visible()
    for _ in range(20):  # the worker's first heartbeat follows its first pass
        if page.locator("[data-worker]").count():
            break
        time.sleep(0.25)
        page.reload()
    expect(page.locator('[data-worker][data-fresh="yes"]').first).to_be_visible()
    expect(page.locator('[data-check="database"]')).to_contain_text("up")
    expect(page.locator("[data-dead-letters]")).to_have_text("0")
    expect(page.locator("[data-breaker]").first).to_be_visible()


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["he", "en"])
def test_screenshots_of_the_admin_pages(page: Page, server: str, lang: str) -> None:
    booking = book_as_customer(server)
    _wait_for_offers(server, booking["id"])
    _admin_logs_in(page, lang=lang)
    for width_name, viewport in (("1280", DESKTOP), ("375", PHONE)):
        page.set_viewport_size(viewport)
        for name, url in (
            ("bookings", "/admin"),
            ("booking", f"/admin/bookings/{booking['id']}"),
            ("system-health", "/admin/system-health"),
        ):
            page.goto(f"{url}?lang={lang}")
            screenshot(page, f"admin-{name}-{lang}-{width_name}")
            # Nothing may stick out sideways on a phone (wide tables scroll inside their own box).
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name


@pytest.mark.slow
def test_keyboard_alone_filters_the_table(page: Page, server: str) -> None:
    booking = book_as_customer(server)
    _admin_logs_in(page)
    page.get_by_label("Search (booking number, phone, name)").focus()
    page.keyboard.type(booking["bookingNumber"])
    page.keyboard.press("Enter")
    expect(page.locator("table.bookings tbody tr")).to_have_count(1)


# --- in process ---------------------------------------------------------------------------------------------


async def test_customers_and_professionals_get_403_on_admin_pages(client: httpx.AsyncClient) -> None:
    booking = await book(client, await login(client, CUSTOMER))
    paths = ("/admin", f"/admin/bookings/{booking['id']}", "/admin/system-health")
    for path in paths:
        assert (await client.get(path)).headers["location"].startswith("/login?next=")
    for who in (CUSTOMER, PROFESSIONAL):
        client.cookies.clear()
        await page_login(client, who)
        for path in paths:
            assert (await client.get(path)).status_code == 403, (who, path)


async def test_an_admin_form_posted_without_its_csrf_token_is_refused(client: httpx.AsyncClient) -> None:
    booking = await book(client, await login(client, CUSTOMER))
    await page_login(client, ADMIN)
    refused = await client.post(f"/admin/bookings/{booking['id']}/cancel", data={"reason": "no token"})
    assert refused.status_code == 403
    page = await client.get(f"/admin/bookings/{booking['id']}")
    assert 'data-status="pending_professional"' in page.text


async def test_refusals_are_shown_on_the_page_not_as_errors(client: httpx.AsyncClient) -> None:
    booking = await book(client, await login(client, CUSTOMER))
    await page_login(client, ADMIN)
    url = f"/admin/bookings/{booking['id']}"
    token = csrf_of((await client.get(f"{url}?lang=en")).text)
    short = await client.post(f"{url}/cancel", data={"csrf_token": token, "reason": "x"})
    assert short.status_code == 422
    assert "Enter a reason of 2 to 500 characters." in short.text
    bad_bonus = await client.post(f"{url}/bonus", data={"csrf_token": token, "amount": "-5"})
    assert bad_bonus.status_code == 422
    assert "Enter a bonus in shekels" in bad_bonus.text
    done = await client.post(f"{url}/cancel", data={"csrf_token": token, "reason": "Duplicate booking"})
    assert done.status_code == 303
    again = await client.post(f"{url}/dispatch", data={"csrf_token": token, "mode": "next-wave"})
    assert again.status_code == 409
    assert 'role="alert"' in again.text
    assert 'data-status="cancelled"' in again.text


async def test_an_ineligible_professional_needs_force(client: httpx.AsyncClient) -> None:
    booking = await book(client, await login(client, CUSTOMER))
    await page_login(client, ADMIN)
    url = f"/admin/bookings/{booking['id']}"
    page = (await client.get(f"{url}?lang=en")).text
    excluded = _option_ids(page, eligible=False)
    assert excluded, "the demo data has professionals who do not cover Tel Aviv"
    data = {"csrf_token": csrf_of(page), "professional_id": excluded[0]}
    refused = await client.post(f"{url}/assign", data=data)
    assert refused.status_code == 422
    assert "not eligible" in refused.text
    forced = await client.post(f"{url}/assign", data={**data, "force": "1"})
    assert forced.status_code == 303
    assert 'data-status="confirmed"' in (await client.get(url)).text


async def test_the_needs_attention_view_and_pages(client: httpx.AsyncClient) -> None:
    headers = await login(client, CUSTOMER)
    first = await book(client, headers)
    await page_login(client, ADMIN)
    attention = (await client.get("/admin?view=attention&lang=en")).text
    assert first["bookingNumber"] not in attention
    everything = (await client.get("/admin?lang=en")).text
    assert first["bookingNumber"] in everything
    assert (await client.get("/admin?cursor=not-ours&lang=en")).status_code == 200


def test_the_table_query_drops_what_makes_no_sense() -> None:
    query = table_query({"status": "nonsense", "from": "2026-13-40", "to": "2026-12-01", "q": " 0521 "})
    assert query.dropped
    assert query.where.status is None
    assert query.where.starts_from is None
    assert query.where.starts_before is not None
    assert query.where.starts_before.day == 2
    assert query.where.search == "0521"
    assert table_query({"view": "attention"}).where == BookingFilter(needs_attention=True)


def _option_ids(page: str, *, eligible: bool) -> list[str]:
    options: list[Any] = re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', page)
    return [value for value, text in options if ("· eligible ·" in text) == eligible and "·" in text]
