"""The ASGI application: API routers, operations endpoints, error handling, middleware."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import structlog
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from masu import __version__
from masu.bootstrap import Container
from masu.config import Settings
from masu.web.api import (
    admin,
    admin_catalogue,
    admin_notifications,
    admin_professionals,
    admin_reports,
    auth,
    bookings,
    catalogue,
    offers,
    operations,
    payments,
    professional_actions,
    reviews,
)
from masu.web.middleware import RefuseNulInUrl, RequestBodyGuard, RequestMetrics
from masu.web.openapi import install_openapi
from masu.web.pages import account, account_settings, phone_codes, sandbox_gateway
from masu.web.pages.admin import booking as admin_booking
from masu.web.pages.admin import booking_actions as admin_booking_actions
from masu.web.pages.admin import catalogue as admin_catalogue_page
from masu.web.pages.admin import catalogue_items as admin_catalogue_items
from masu.web.pages.admin import catalogue_treatments as admin_catalogue_treatments
from masu.web.pages.admin import health as admin_health
from masu.web.pages.admin import home as admin_home
from masu.web.pages.admin import professional_edit as admin_professional_edit
from masu.web.pages.admin import professionals as admin_professionals_page
from masu.web.pages.admin import reports as admin_reports_page
from masu.web.pages.customer import bookings as customer_bookings
from masu.web.pages.customer import home as customer_home
from masu.web.pages.customer import payment, review_link
from masu.web.pages.customer import wizard as customer_wizard
from masu.web.pages.pro import earnings as pro_earnings
from masu.web.pages.pro import home as pro_home
from masu.web.pages.pro import offer_link
from masu.web.pages.pro import schedule as pro_schedule
from masu.web.pages.pro import visit_actions as pro_visit_actions
from masu.web.problems import install_problem_handlers
from masu.web.ui.headers import SecurityHeaders
from masu.web.ui.render import install_page_handlers, page_error

STATIC_DIR = Path(__file__).resolve().parent / "static"

_log = structlog.get_logger(__name__)

BackgroundTask = Callable[[asyncio.Event], Coroutine[Any, Any, None]]
"""Work that runs beside the server until the event is set (the in-process worker)."""


def create_app(container: Container, *, background: BackgroundTask | None = None) -> FastAPI:
    """Build the application around a container, closed at shutdown, with optional background work."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Everything alive now lives as long as the process: move it out of the collector's sight, so full
        # collections under load stop scanning ~150,000 start-up objects (pauses of ~100 ms otherwise).
        gc.collect()
        gc.freeze()
        async with _running(background):
            yield
        await container.close()

    _warn_about_development_secrets(container.settings)
    docs = _docs_served(container.settings)
    app = FastAPI(
        title="Masu booking lifecycle",
        version=__version__,
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.container = container
    install_openapi(app)
    install_problem_handlers(app, page_error=page_error)
    install_page_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (
        operations,
        auth,
        catalogue,
        bookings,
        professional_actions,
        offers,
        admin,
        admin_catalogue,
        admin_professionals,
        admin_notifications,
        admin_reports,
        offer_link,
        reviews,
        review_link,
        payments,
        payment,
        account,
        phone_codes,
        account_settings,
        customer_home,
        customer_bookings,
        customer_wizard,
        pro_home,
        pro_visit_actions,
        pro_schedule,
        pro_earnings,
        admin_home,
        admin_booking,
        admin_booking_actions,
        admin_health,
        admin_professional_edit,
        admin_professionals_page,
        admin_catalogue_page,
        admin_catalogue_items,
        admin_catalogue_treatments,
        admin_reports_page,
    ):
        app.include_router(module.router)
    if container.settings.PAYMENT_GATEWAY == "sandbox":
        app.include_router(sandbox_gateway.router)  # the test gateway's own pages, never in production
    app.add_middleware(RequestMetrics)
    app.add_middleware(RequestBodyGuard, page_refusal=page_error)
    app.add_middleware(RefuseNulInUrl)
    app.add_middleware(SecurityHeaders, production=container.settings.is_production)
    return app


def _docs_served(settings: Settings) -> bool:
    """Whether /docs, /redoc and /openapi.json exist: off (404) in production unless API_DOCS_PUBLIC=true."""
    return not settings.is_production or settings.API_DOCS_PUBLIC


def _warn_about_development_secrets(settings: Settings) -> None:
    """Log a warning when SECRET_KEY is one production would refuse (production never gets this far)."""
    warning = settings.secret_key_warning
    if warning is not None:
        _log.warning(
            "insecure_secret_key", problem=warning, hint="set SECRET_KEY before exposing this server"
        )


@asynccontextmanager
async def _running(background: BackgroundTask | None) -> AsyncIterator[None]:
    """Run `background` as a task of this server process while the app is up."""
    if background is None:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(background(stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)
