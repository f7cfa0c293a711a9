"""ASGI entry point for uvicorn (`masu.web.asgi:application`, a factory)."""

from __future__ import annotations

import sentry_sdk
from fastapi import FastAPI

from masu.bootstrap import build_container
from masu.config import Settings
from masu.observability.logging import configure_logging
from masu.web.app import create_app


def application() -> FastAPI:
    """Build the app from the environment's settings (one container per server process)."""
    settings = Settings()
    configure_logging(level=settings.LOG_LEVEL, json_lines=settings.LOG_FORMAT == "json")
    if settings.SENTRY_DSN:
        sentry_sdk.init(dsn=settings.SENTRY_DSN, environment=settings.NODE_ENV, send_default_pii=False)
    return create_app(build_container(settings))
