"""The admin's professionals: the list by status with approve and suspend, and one professional's page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from masu.bootstrap import Container
from masu.domain.errors import NotFound
from masu.domain.standing import ProfessionalRecord
from masu.persistence.queries import track_record as track_record_queries
from masu.services.professional import profiles as professionals
from masu.services.professional.profiles import APPROVED, PENDING, SUSPENDED, ProfessionalSummary
from masu.web.deps import ContainerDep, NowDep, SessionDep
from masu.web.pages.admin.common import Csrf, looks_like_id
from masu.web.pages.admin.manage_texts import MANAGE_CATALOGUES
from masu.web.pages.admin.professional_edit import show_professional
from masu.web.ui.render import not_found, page_texts, redirect, render
from masu.web.ui.session import AdminUserDep

router = APIRouter(tags=["pages"], include_in_schema=False)
STATUSES = (PENDING, APPROVED, SUSPENDED)
DONE = {APPROVED, SUSPENDED}  # `?done=` names the status just set


@router.get("/admin/professionals", response_class=HTMLResponse)
async def professionals_list(
    request: Request, admin: AdminUserDep, now: NowDep, session: SessionDep
) -> Response:
    """Professionals by name, optionally of one status, with rating; `?done=` confirms the last action."""
    status = request.query_params.get("status")
    status = status if status in STATUSES else None  # an unknown status shows everyone
    summaries = await professionals.list_professionals(session, status=status)
    ids = [s.user.id for s in summaries]
    records = await track_record_queries.track_records(session, ids, now)
    done = request.query_params.get("done")
    context: dict[str, Any] = {
        "portal": "admin",
        "rows": [_row(s, records[s.user.id]) for s in summaries],
        "statuses": STATUSES,
        "status": status or "",
        "message": page_texts(request, *MANAGE_CATALOGUES)[f"done_{done}"] if done in DONE else None,
    }
    return render(request, "admin/manage/professionals.html", context, catalogues=MANAGE_CATALOGUES)


@router.post("/admin/professionals/{professional_id}/approve", response_class=HTMLResponse)
async def approve(
    professional_id: str,
    request: Request,
    _csrf: Csrf,
    admin: AdminUserDep,
    container: ContainerDep,
    session: SessionDep,
) -> Response:
    """Approve a professional (or lift a suspension), then back to the list as it was filtered."""
    return await _change_status(request, container, session, professional_id, APPROVED)


@router.post("/admin/professionals/{professional_id}/suspend", response_class=HTMLResponse)
async def suspend(
    professional_id: str,
    request: Request,
    _csrf: Csrf,
    admin: AdminUserDep,
    container: ContainerDep,
    session: SessionDep,
) -> Response:
    """Suspend a professional, then back to the list as it was filtered."""
    return await _change_status(request, container, session, professional_id, SUSPENDED)


async def _change_status(
    request: Request, container: Container, session: AsyncSession, professional_id: str, status: str
) -> Response:
    """Set the status and commit; the list again with `?done=`, or the not-found page."""
    if not looks_like_id(professional_id):
        return not_found(request, "admin")
    try:
        await professionals.set_status(
            session, now=container.clock.now(), user_id=professional_id, status=status
        )
        await session.commit()
    except NotFound:
        await session.rollback()
        return not_found(request, "admin")
    shown = str((await request.form()).get("shown_status", ""))
    query = {"done": status} | ({"status": shown} if shown in STATUSES else {})
    return redirect(request, f"/admin/professionals?{urlencode(query)}")


@router.get("/admin/professionals/{professional_id}", response_class=HTMLResponse)
async def professional_page(
    professional_id: str, request: Request, admin: AdminUserDep, session: SessionDep
) -> Response:
    """One professional: account, status, and forms for their hours, cities, treatments and location."""
    return await show_professional(request, session, professional_id)


def _row(summary: ProfessionalSummary, record: ProfessionalRecord) -> dict[str, Any]:
    """A line of the list (the rating rounded to one decimal, None before the first review)."""
    rating = record.rating_average
    return {
        "id": summary.user.id,
        "name": summary.user.name,
        "phone": summary.user.phone,
        "status": summary.profile.status,
        "cities": ", ".join(c.name for c in summary.cities),
        "treatments": ", ".join(sorted({t.name for t in summary.treatments})),
        "rating": None if rating is None else f"{rating:.1f}",
        "reviews": record.rating_count,
    }
