"""The payment gateway's server-to-server callbacks: signature-verified, never trusted from a browser."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from masu.payments.gateway import CallbackRejected
from masu.services.payment.callbacks import apply_callback
from masu.web.deps import ContainerDep, NowDep, PolicyDep, SessionDep
from masu.web.openapi import refusals
from masu.web.problems import problem

router = APIRouter(prefix="/api/v1/payments", tags=["payments"])


@router.post("/callback/{gateway}", responses=refusals(400, 401, 404))
async def callback(
    gateway: str,
    request: Request,
    container: ContainerDep,
    now: NowDep,
    policy: PolicyDep,
    session: SessionDep,
) -> JSONResponse:
    """Apply a gateway's signed outcome once; a forged, stale, foreign or mismatched one changes nothing."""
    adapter = container.gateway
    if gateway != adapter.name or adapter.name == "none":
        return problem(404, "Not found", "no such payment gateway", code="unknown_gateway")
    try:
        notice = adapter.read_callback(body=await request.body(), headers=request.headers, now=now)
        result = await apply_callback(session, notice=notice, gateway=adapter.name, now=now, policy=policy)
    except CallbackRejected as rejected:
        await session.rollback()
        title = "Not authenticated" if rejected.status == 401 else "Callback refused"
        return problem(rejected.status, title, rejected.message, code=rejected.code)
    await session.commit()
    return JSONResponse({"received": True, "result": result.value})
