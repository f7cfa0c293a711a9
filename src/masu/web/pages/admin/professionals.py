"""The admin's professionals: the list by status with approve and suspend, and one professional's details."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from masu.domain.errors import NotFound
from masu.domain.matching import ProfessionalRecord
from masu.persistence import catalogue_repository, track_record_queries
from masu.services import professionals
from masu.services.professionals import APPROVED, PENDING, SUSPENDED, ProfessionalSummary
from masu.web.api.admin_schemas import WEEKDAYS, clock_of
from masu.web.api.common import shekels_number
from masu.web.deps import ContainerDep, SessionDep
from masu.web.pages.admin.common import Csrf, local, looks_like_id
from masu.web.pages.admin.manage_texts import MANAGE_CATALOGUES
from masu.web.ui.render import page_texts, redirect, render
from masu.web.ui.session import AdminUserDep

router = APIRouter(tags=["pages"], include_in_schema=False)
STATUSES = (PENDING, APPROVED, SUSPENDED)
ACTIONS = {"approve": APPROVED, "suspend": SUSPENDED}
DONE = set(ACTIONS.values())  # `?done=` names the status just set


@router.get("/admin/professionals", response_class=HTMLResponse)
async def professionals_list(
    request: Request, admin: AdminUserDep, container: ContainerDep, session: SessionDep
) -> Response:
    """Professionals by name, optionally of one status, with rating; `?done=` confirms the last action."""
    status = request.query_params.get("status")
    status = status if status in STATUSES else None  # an unknown status shows everyone
    summaries = await professionals.list_professionals(session, status=status)
    ids = [s.user.id for s in summaries]
    records = await track_record_queries.track_records(session, ids, container.clock.now())
    done = request.query_params.get("done")
    context: dict[str, Any] = {
        "portal": "admin",
        "rows": [_row(s, records[s.user.id]) for s in summaries],
        "statuses": STATUSES,
        "status": status or "",
        "message": page_texts(request, *MANAGE_CATALOGUES)[f"done_{done}"] if done in DONE else None,
    }
    return render(request, "admin/manage/professionals.html", context, catalogues=MANAGE_CATALOGUES)


@router.post("/admin/professionals/{professional_id}/{action}", response_class=HTMLResponse)
async def change_status(
    professional_id: str,
    action: str,
    request: Request,
    _csrf: Csrf,
    admin: AdminUserDep,
    container: ContainerDep,
    session: SessionDep,
) -> Response:
    """Approve (or lift a suspension) or suspend a professional, then back to the list as it was filtered."""
    if action not in ACTIONS or not looks_like_id(professional_id):
        return _not_found(request)
    try:
        await professionals.set_status(
            session, now=container.clock.now(), user_id=professional_id, status=ACTIONS[action]
        )
        await session.commit()
    except NotFound:
        await session.rollback()
        return _not_found(request)
    shown = str((await request.form()).get("shown_status", ""))
    query = {"done": ACTIONS[action]} | ({"status": shown} if shown in STATUSES else {})
    return redirect(request, f"/admin/professionals?{urlencode(query)}")


@router.get("/admin/professionals/{professional_id}", response_class=HTMLResponse)
async def professional_page(
    professional_id: str, request: Request, admin: AdminUserDep, session: SessionDep
) -> Response:
    """One professional: account, status, treatments with pay, cities, base location and weekly hours."""
    if not looks_like_id(professional_id):
        return _not_found(request)
    try:
        details = await professionals.professional_details(session, user_id=professional_id)
    except NotFound:
        return _not_found(request)
    city_names = {c.id: c.name for c in await catalogue_repository.list_cities(session, active_only=False)}
    user, profile = details.user, details.profile
    context: dict[str, Any] = {
        "portal": "admin",
        "pro": {
            "id": user.id,
            "name": user.name,
            "phone": user.phone,
            "email": user.email,
            "status": profile.status,
            "approved_at": local(profile.approved_at),
            "created_at": local(profile.created_at),
            "base": (profile.base_latitude, profile.base_longitude)
            if profile.base_latitude is not None
            else None,
            "radius": profile.service_radius_km,
        },
        "treatments": [
            {
                "name": treatment.name,
                "minutes": row.duration_minutes or None,
                "pay": None if row.professional_pay is None else shekels_number(row.professional_pay),
            }
            for row, treatment in details.offered
        ],
        "cities": sorted(city_names.get(city_id, city_id) for city_id in details.city_ids),
        "hours": [
            {"day": WEEKDAYS[h.weekday], "start": clock_of(h.start_minute), "end": clock_of(h.end_minute)}
            for h in sorted(details.hours, key=lambda h: ((h.weekday + 1) % 7, h.start_minute))
        ],
        "statuses": STATUSES,
    }
    return render(request, "admin/manage/professional.html", context, catalogues=MANAGE_CATALOGUES)


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


def _not_found(request: Request) -> Response:
    return render(request, "ui/not_found.html", {"portal": "admin"}, status_code=404)
