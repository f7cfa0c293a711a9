"""Operations endpoints: health and Prometheus metrics."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from masu.observability.metrics import REGISTRY
from masu.services.operations.health import check_health, worker_status
from masu.web.deps import ContainerDep, NowDep
from masu.web.operator_access import HealthDetailsDep, require_metrics_access

router = APIRouter(tags=["operations"])


class HealthOut(BaseModel):
    status: Literal["healthy", "unhealthy"]
    details: dict[str, Any] | None = Field(default=None, description="For an admin or the metrics token")


@router.get(
    "/health",
    response_model=HealthOut,
    responses={503: {"model": HealthOut, "description": "The database, or Redis when configured, is down"}},
)
async def health(container: ContainerDep, now: NowDep, with_details: HealthDetailsDep) -> JSONResponse:
    """`healthy` or 503 `unhealthy`; each check's result only for an admin or the metrics token."""
    report = await check_health(container.engine, container.redis)
    status = "healthy" if report.healthy else "unhealthy"
    if not with_details:
        # Anyone may ask (load balancers do); error texts and worker ids are for operators only.
        return JSONResponse({"status": status}, status_code=200 if report.healthy else 503)
    details = dict(report.details)
    if report.details["database"]["status"] == "up":
        # Reported, not gating: a stopped worker delays background work but must not take API processes
        # out of the load balancer.
        details["worker"] = await worker_status(container.sessions, now)
    # Reported, not gating either: an open breaker holds messages back, the API still serves.
    details["messageProviders"] = await container.providers.breaker_states()
    body = {"status": status, "details": details}
    return JSONResponse(body, status_code=200 if report.healthy else 503)


@router.get(
    "/metrics",
    dependencies=[Depends(require_metrics_access)],
    response_class=PlainTextResponse,
)
async def metrics() -> Response:
    """Prometheus text exposition."""
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
