"""docs/api.md names every route the application serves, and only those, as `` `METHOD /path` ``."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from starlette.routing import Mount, Route

from masu.bootstrap import build_container
from masu.web.app import create_app
from masu.web.route_table import flat_routes
from tests.conftest import settings_for

DOCUMENT = Path(__file__).resolve().parents[1] / "docs" / "api.md"
# How the document names a route: a code span of the method and the path template as the code declares it.
ROUTE_SPAN = re.compile(r"`(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) (/[^`\s?]*)`")


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    """The application as the tests build it, with every optional router mounted.

    The sandbox gateway's pages exist only with PAYMENT_GATEWAY=sandbox, and /docs, /redoc and /openapi.json
    only outside production: this app has both. Nothing here touches the database.
    """
    settings = settings_for(
        f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}",
        PAYMENT_GATEWAY="sandbox",
        PAYMENT_GATEWAY_KEY="api-document-test-gateway-key",
    )
    container = build_container(settings)
    yield create_app(container)
    await container.close()


def served_routes(app: FastAPI) -> set[str]:
    """Every (method, path template) the app answers, as `METHOD /path`."""
    served: set[str] = set()
    for route in flat_routes(app.routes):
        if isinstance(route, Mount):
            continue  # /static serves files, not routes; the document mentions it in prose
        assert isinstance(route, Route), f"neither a route nor a mount: {route!r}"
        methods = set(route.methods or ())
        assert methods, f"a route without methods: {route!r}"
        if "GET" in methods:
            # Starlette lets a plain route's GET answer HEAD too (the documentation pages); the document
            # says so once instead of naming HEAD beside each of them.
            methods.discard("HEAD")
        served |= {f"{method} {route.path}" for method in methods}
    return served


def documented_routes() -> set[str]:
    """Every `METHOD /path` code span of the document."""
    return {f"{method} {path}" for method, path in ROUTE_SPAN.findall(DOCUMENT.read_text(encoding="utf-8"))}


async def test_every_route_the_app_serves_is_in_the_document(app: FastAPI) -> None:
    missing = sorted(served_routes(app) - documented_routes())
    assert not missing, "docs/api.md does not name these routes as `METHOD /path`:\n" + "\n".join(missing)


async def test_the_document_names_no_route_the_app_does_not_serve(app: FastAPI) -> None:
    unknown = sorted(documented_routes() - served_routes(app))
    assert not unknown, "docs/api.md names routes the app does not serve:\n" + "\n".join(unknown)


async def test_the_routes_found_are_the_api_and_the_pages(app: FastAPI) -> None:
    served = served_routes(app)
    # A sample of each kind, so an enumeration that silently finds nothing (a router kept whole, say) fails.
    for route in (
        "GET /api/v1/bookings/{bookingId}",
        "POST /api/v1/payments/callback/{gateway}",
        "GET /health",
        "GET /pro/bookings/{booking_id}/{move}",
        "POST /sandbox-gateway/pay/{reference}/{choice}",
        "GET /openapi.json",
    ):
        assert route in served, route
    assert len(served) > 140
