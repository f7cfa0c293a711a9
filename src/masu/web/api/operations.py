"""Operations endpoints: health and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from masu.observability.health import check_health, worker_status
from masu.observability.metrics import REGISTRY
from masu.web.deps import ContainerDep

router = APIRouter(tags=["operations"])


@router.get("/health")
async def health(container: ContainerDep) -> JSONResponse:
    """`healthy` with each check's result, or 503 `unhealthy` when a check fails."""
    report = await check_health(container.engine, container.redis)
    details = dict(report.details)
    if report.details["database"]["status"] == "up":
        # Reported, not gating: a stopped worker delays background work but must not take API processes
        # out of the load balancer.
        details["worker"] = await worker_status(container.sessions, container.clock.now())
    # Reported, not gating either: an open breaker holds messages back, the API still serves.
    details["messageProviders"] = await container.providers.breaker_states()
    body = {"status": "healthy" if report.healthy else "unhealthy", "details": details}
    return JSONResponse(body, status_code=200 if report.healthy else 503)


@router.get("/metrics")
async def metrics() -> Response:
    """Prometheus text exposition."""
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
