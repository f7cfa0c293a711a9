"""The admin reports page in Chromium: drawn charts under the CSP, tables matching the API, bad dates."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from masu.domain.pricing import BUSINESS_TZ
from masu.persistence.database import create_engine, create_session_factory
from masu.services.operations.reports import report_period
from tests.factories import ADMIN, CUSTOMER
from tests.live_server import running_server
from tests.pages.conftest import PHONE, log_in, screenshot, watched_tab
from tests.test_reports import add_known_bookings

CHARTS = ("cities", "professionals", "responses", "success", "weekdays", "hours", "revenue")


async def _add_bookings(url: str) -> None:
    """The known bookings of tests/test_reports.py, from the first Sunday of today's default period."""
    today = datetime.now(BUSINESS_TZ).date()
    engine = create_engine(url)
    async with create_session_factory(engine)() as session:
        await add_known_bookings(session, report_period(None, None, today=today).first)
        await session.commit()
    await engine.dispose()


@pytest.fixture
def server(sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    """`masu serve` on a fresh demo database holding bookings and offers of the default period."""
    target = tmp_path / "masu.db"
    shutil.copy(sqlite_template, target)
    url = f"sqlite+aiosqlite:///{target}"
    asyncio.run(_add_bookings(url))
    with running_server(url) as base_url:
        yield base_url


def _api_reports(server: str) -> dict[str, Any]:
    with httpx.Client(base_url=server, timeout=10) as http:
        token = http.post("/api/v1/auth/login", json={"phone": ADMIN[0], "password": ADMIN[1]}).json()
        answer = http.get(
            "/api/v1/admin/reports", headers={"Authorization": f"Bearer {token['accessToken']}"}
        )
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


def _open_reports(page: Page, lang: str = "en") -> None:
    log_in(page, ADMIN[0], ADMIN[1], lang=lang)
    expect(page).to_have_url(re.compile(r"/admin$"))
    page.goto("/admin/reports")
    for name in CHARTS:  # reports.js marks each canvas once Chart.js has drawn it
        expect(page.locator(f'canvas[data-chart="{name}"]')).to_have_attribute("data-drawn", "yes")


def _cell(page: Page, table: str, row: str, cell: str) -> str:
    return page.locator(f'table[data-table="{table}"] tr[{row}] td[{cell}]').text_content() or ""


@pytest.mark.slow
def test_admin_sees_drawn_charts_whose_tables_match_the_api(page: Page, server: str) -> None:
    figures = _api_reports(server)
    _open_reports(page)

    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    for name in CHARTS:
        size = page.locator(f'canvas[data-chart="{name}"]').bounding_box()
        assert size is not None, name
        assert min(size["width"], size["height"]) > 0, name
    assert [(c["name"], c["bookings"], c["completed"]) for c in figures["cities"]] == [
        ("Tel Aviv", 3, 1),
        ("Haifa", 2, 1),
    ]
    for city in figures["cities"]:
        row = f'data-id="{city["id"]}"'
        assert _cell(page, "cities", row, "data-bookings") == str(city["bookings"])
        assert _cell(page, "cities", row, "data-completed") == str(city["completed"])
    first_week = figures["weeks"][0]
    assert (first_week["created"], first_week["successRate"], first_week["medianResponseMinutes"]) == (
        3,
        0.5,
        4.0,
    )
    week_row = f'data-week="{first_week["weekStart"]}"'
    assert _cell(page, "success", week_row, "data-rate") == "50.0%"
    assert _cell(page, "responses", week_row, "data-median") == "4.0"
    for day, count in enumerate(figures["weekdays"]):
        assert _cell(page, "weekdays", f'data-day="{day}"', "data-bookings") == str(count)
    for month in figures["months"]:
        row = f'data-month="{month["month"]}"'
        assert _cell(page, "revenue", row, "data-fee") == str(month["companyFee"])
        assert _cell(page, "revenue", row, "data-pay") == str(month["professionalPayments"])
    assert sum(m["companyFee"] for m in figures["months"]) == 72

    summary = page.locator("details.report-table summary").first
    summary.focus()
    page.keyboard.press("Enter")  # the table opens from the keyboard
    expect(page.locator('table[data-table="cities"]')).to_be_visible()
    screenshot(page, "admin-reports-desktop")


@pytest.mark.slow
def test_reports_fit_a_phone_in_hebrew(browser: Browser, server: str) -> None:
    with watched_tab(browser, server, PHONE) as tab:
        _open_reports(tab, lang="he")

        expect(tab.locator("html")).to_have_attribute("dir", "rtl")
        expect(tab.get_by_role("heading", name="דוחות", exact=True)).to_be_visible()
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(tab, "admin-reports-phone")


@pytest.mark.slow
def test_a_bad_period_shows_its_message_next_to_the_field(page: Page, server: str) -> None:
    log_in(page, ADMIN[0], ADMIN[1])
    expect(page).to_have_url(re.compile(r"/admin$"))

    refused = page.goto("/admin/reports?from=2026-02-30")
    assert refused is not None
    assert refused.status == 422
    expect(page.locator("#from-error")).to_have_text("Enter a date as YYYY-MM-DD.")
    expect(page.get_by_label("From date")).to_have_attribute("aria-invalid", "true")

    page.goto("/admin/reports")
    page.get_by_label("From date").fill("2026-03-10")
    page.get_by_label("To date").fill("2026-03-01")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#to-error")).to_have_text("The end date must not be before the start date.")
    expect(page.locator("canvas")).to_have_count(0)


@pytest.mark.slow
def test_a_customer_is_refused_the_reports(page: Page, server: str) -> None:
    log_in(page, CUSTOMER[0], CUSTOMER[1])
    page.wait_for_url(re.compile(r"/$|/bookings"))

    answer = page.goto("/admin/reports")

    assert answer is not None
    assert answer.status == 403
    expect(page.locator("canvas")).to_have_count(0)
