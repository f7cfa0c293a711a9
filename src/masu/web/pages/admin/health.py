"""The admins' system-health page: dependencies, workers, outbox, providers, bookings, response times."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from masu.observability.health import check_health
from masu.observability.system_status import SystemStatus, system_status
from masu.web.deps import ContainerDep, SessionDep
from masu.web.pages.admin.common import CATALOGUES, local
from masu.web.ui.render import render
from masu.web.ui.session import AdminUserDep

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/admin/system-health", response_class=HTMLResponse)
async def system_health(
    request: Request, admin: AdminUserDep, container: ContainerDep, session: SessionDep
) -> Response:
    """The checks /health runs, the providers' breakers, and the background work and bookings as of now."""
    status = await system_status(session, container.clock.now())
    # Give the connection back before the checks take their own: an embedded database has only one.
    await session.close()
    report = await check_health(container.engine, container.redis)
    context: dict[str, Any] = {
        "portal": "admin",
        "checks": report.details,
        "breakers": await container.providers.breaker_states(),
        "status": _shown(status),
    }
    return render(request, "admin/system_health.html", context, catalogues=CATALOGUES)


def _shown(status: SystemStatus) -> dict[str, Any]:
    """The status with times in Israel's clock and durations rounded for reading."""
    return {
        "workers": [
            {
                "id": w.worker_id,
                "started": local(w.started_at),
                "last_seen": local(w.last_seen_at),
                "age": round(w.age_seconds),
                "fresh": w.fresh,
                "last_pass": sorted(w.last_pass.items()),
            }
            for w in status.workers
        ],
        "outbox_lag": None if status.outbox_lag_seconds is None else round(status.outbox_lag_seconds),
        "dead_letters": status.dead_letters,
        "active": status.active_bookings,
        "median": None if status.median_response_seconds is None else round(status.median_response_seconds),
        "answers": status.responses_counted,
    }
