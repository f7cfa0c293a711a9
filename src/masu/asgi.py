"""ASGI entry point for uvicorn (`masu.asgi:application`, a factory): the app, and the worker beside it."""

from __future__ import annotations

import sentry_sdk
from fastapi import FastAPI

from masu.bootstrap import build_container
from masu.config import Settings
from masu.observability.logging import configure_logging
from masu.web.app import create_app
from masu.worker.runner import Worker


def application() -> FastAPI:
    """Build the app from the environment's settings (one container per server process)."""
    settings = Settings()
    configure_logging(level=settings.LOG_LEVEL, json_lines=settings.LOG_FORMAT == "json")
    if settings.SENTRY_DSN:
        sentry_sdk.init(dsn=settings.SENTRY_DSN, environment=settings.NODE_ENV, send_default_pii=False)
    container = build_container(settings)
    worker = Worker(container, container.bus, poll_seconds=settings.WORKER_POLL_SECONDS)
    return create_app(container, background=worker.run_forever if settings.RUN_WORKER_IN_PROCESS else None)
