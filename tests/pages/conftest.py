"""Browser tests: a live `masu serve`, headless Debian Chromium, a strict page, and screenshots.

The page fixture fails its test on any console error, uncaught page error or request to a host other than
the app's. A document answered with 4xx on purpose (a refused form) makes Chromium log "Failed to load
resource" for it; that one line is expected and ignored, any other failed resource is not.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import service_unavailable
from tests.factories import ADMIN, CUSTOMER, booking_body
from tests.live_server import ServerClock, running_server, tomorrow_noon_in_israel

try:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, Request, Route, sync_playwright
except ImportError:  # reported by the `playwright` fixture, as for a missing service
    sync_playwright = None

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
# A visit's steps on the dashboard: (API move, button, the confirmation page's button, status after).
VISIT_MOVES = (
    ("on-way", "I'm on my way", "Yes, I'm on my way", "on_way"),
    ("start", "Start treatment", "Yes, start the treatment", "in_treatment"),
    ("complete", "Treatment completed", "Yes, the treatment is completed", "pending_review"),
)


@pytest.fixture
def server_clock(tmp_path: Path) -> ServerClock:
    """The live server's clock: the wall clock until the test moves it (to the day of a visit, say)."""
    return ServerClock(tmp_path / "clock-offset")


@pytest.fixture
def server(sqlite_template: Path, tmp_path: Path, server_clock: ServerClock) -> Iterator[str]:
    """`masu serve` on a fresh copy of the demo database; yields its base URL."""
    target = tmp_path / "masu.db"
    shutil.copy(sqlite_template, target)
    with running_server(f"sqlite+aiosqlite:///{target}", env=server_clock.env) as url:
        yield url


@pytest.fixture
def playwright(server: str) -> Iterator[Playwright]:
    """Playwright for one test; the test fails (under MASU_TEST_REQUIRE_SERVICES=1) or skips without it.

    Per test, never per session: the sync API keeps an event loop running in this thread while it is open,
    and other fixtures (the database templates) need `asyncio.run`; `server` is therefore set up first.
    """
    if sync_playwright is None:
        service_unavailable("Playwright (pip install playwright)")
    if not CHROMIUM.exists():
        service_unavailable(f"Chromium ({CHROMIUM})")
    with sync_playwright() as running:
        yield running


@pytest.fixture
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Headless Debian Chromium (never a downloaded browser)."""
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
    yield launched
    launched.close()


@dataclass
class Watch:
    """What went wrong in the browser while a test ran."""

    origin: str
    problems: list[str] = field(default_factory=list)
    refused_documents: set[str] = field(default_factory=set)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and where in self.refused_documents:
            return
        self.problems.append(f"console error at {where}: {message.text}")

    def on_route(self, route: Route, request: Request) -> None:
        parts = urlsplit(request.url)
        if f"{parts.scheme}://{parts.netloc}" == self.origin or parts.scheme in {"data", "blob"}:
            route.continue_()
            return
        self.problems.append(f"request outside the app: {request.url}")
        route.abort()

    def on_response(self, response: Any) -> None:
        if response.request.resource_type == "document" and response.status >= 400:
            self.refused_documents.add(response.url)


@contextlib.contextmanager
def watched_tab(browser: Browser, server: str, viewport: dict[str, int]) -> Iterator[Page]:
    """A tab with its own cookies on the live server; the test fails on errors or outside requests."""
    watch = Watch(origin=server)
    context = browser.new_context(base_url=server, viewport=viewport)
    # A bound on waiting, not a speed claim: generous, because CI's two cores also run the server and worker.
    context.set_default_timeout(20_000)
    context.route("**/*", watch.on_route)
    tab = context.new_page()
    tab.on("console", watch.on_console)
    tab.on("pageerror", lambda error: watch.problems.append(f"page error: {error}"))
    tab.on("response", watch.on_response)
    yield tab
    context.close()
    assert not watch.problems, "\n".join(watch.problems)


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    """A fresh browser tab on the live server (base URL set); fails the test on errors or outside requests."""
    with watched_tab(browser, server, DESKTOP) as tab:
        yield tab


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG of `page` under test-artifacts/screenshots/ as `<name>.png`."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Page, phone: str = CUSTOMER[0], password: str = CUSTOMER[1], lang: str = "en") -> None:
    """Log in through the login form, as a person would."""
    page.goto(f"/login?lang={lang}")
    page.get_by_label("Mobile phone" if lang == "en" else "טלפון נייד").fill(phone)
    page.get_by_label("Password" if lang == "en" else "סיסמה").fill(password)
    page.get_by_role("button", name="Log in" if lang == "en" else "כניסה").click()


def book_as_customer(
    server: str,
    phone: str = CUSTOMER[0],
    password: str = CUSTOMER[1],
    *,
    at: str | None = None,
    forced_by_admin: bool = False,
) -> dict[str, Any]:
    """Create a booking (tomorrow noon unless `at`) through the JSON API: a quick start for page tests.

    `forced_by_admin` has an admin book it for the customer with `force`, for a time nobody could take.
    """
    with httpx.Client(base_url=server, timeout=10) as http:
        headers = _bearer(http, phone, password)
        treatments = http.get("/api/v1/treatments").json()
        swedish = next(t for t in treatments if t["name"] == "Swedish Massage")
        body = booking_body(swedish["id"], bookingDateTime=at or tomorrow_noon_in_israel())
        if forced_by_admin:
            body |= {"userId": http.get("/api/v1/me", headers=headers).json()["id"], "force": True}
            headers = _bearer(http, *ADMIN)
        created = http.post("/api/v1/bookings", json=body, headers=headers)
        assert created.status_code == 201, created.text
        return dict(created.json())


def _bearer(http: httpx.Client, phone: str, password: str) -> dict[str, str]:
    login = http.post("/api/v1/auth/login", json={"phone": phone, "password": password})
    return {"Authorization": f"Bearer {login.json()['accessToken']}"}
