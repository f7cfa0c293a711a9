"""The professional's own weekly hours and cities: shown, and edited with errors next to the fields."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.access import Principal
from masu.domain.errors import NotFound, ValidationFailed
from masu.services.catalogue import catalogue
from masu.services.professional.profiles import professional_details, set_cities, set_hours
from masu.web.deps import SessionDep
from masu.web.pages.pro.texts import TEXTS
from masu.web.pages.pro.views import switch_url
from masu.web.ui.csrf import require_csrf
from masu.web.ui.render import not_found, page_language, page_texts, redirect, render
from masu.web.ui.session import ProfessionalDep
from masu.web.ui.weekly_hours import (
    HOURS_TEXTS,
    Slots,
    form_days,
    has_hours,
    intervals_of,
    overlap_errors,
    saved_slots,
    slots_of,
)

router = APIRouter(tags=["pages"], include_in_schema=False)
Csrf = Annotated[None, Depends(require_csrf)]


@router.get("/pro/schedule", response_class=HTMLResponse)
async def schedule(request: Request, user: ProfessionalDep, session: SessionDep) -> Response:
    """The professional's hours and cities as forms; `?saved=` confirms the last save."""
    try:
        details = await professional_details(session, user_id=user.user_id)
    except NotFound:  # an admin without a professional profile
        return not_found(request, "pro")
    saved = request.query_params.get("saved")
    message = page_texts(request, TEXTS)[f"{saved}_saved"] if saved in {"hours", "cities"} else None
    return await _render(request, session, saved_slots(details.hours), set(details.city_ids), message=message)


@router.post("/pro/schedule/hours", response_class=HTMLResponse)
async def save_hours(request: Request, _csrf: Csrf, user: ProfessionalDep, session: SessionDep) -> Response:
    """Replace the professional's own weekly hours; the form again (422) with each interval's error."""
    form = await request.form()
    slots = slots_of({key: str(value) for key, value in form.items()})
    intervals, keys, errors = intervals_of(slots)
    if not errors:
        try:
            await set_hours(session, user_id=user.user_id, hours=intervals)
            await session.commit()
            return redirect(request, "/pro/schedule?saved=hours")
        except ValidationFailed as refused:  # an overlap, named by the interval's index
            await session.rollback()
            errors = overlap_errors(refused, keys)
        except NotFound:
            return not_found(request, "pro")
    cities = set(await _city_ids(session, user))
    return await _render(request, session, slots, cities, hour_errors=errors, status_code=422)


@router.post("/pro/schedule/cities", response_class=HTMLResponse)
async def save_cities(request: Request, _csrf: Csrf, user: ProfessionalDep, session: SessionDep) -> Response:
    """Replace the cities the professional covers (at least one, from the list); the form again otherwise."""
    chosen = [str(value) for value in (await request.form()).getlist("city")]
    error = "cities_required" if not chosen else None
    if error is None:
        try:
            await set_cities(session, user_id=user.user_id, city_ids=chosen)
            await session.commit()
            return redirect(request, "/pro/schedule?saved=cities")
        except ValidationFailed:
            await session.rollback()
            error = "city_unknown"
        except NotFound:
            return not_found(request, "pro")
    details = await professional_details(session, user_id=user.user_id)
    return await _render(
        request, session, saved_slots(details.hours), set(chosen), city_error=error, status_code=422
    )


async def _city_ids(session: AsyncSession, user: Principal) -> list[str]:
    return (await professional_details(session, user_id=user.user_id)).city_ids


async def _render(
    request: Request,
    session: AsyncSession,
    slots: Slots,
    chosen: set[str],
    *,
    message: str | None = None,
    hour_errors: dict[str, str] | None = None,
    city_error: str | None = None,
    status_code: int = 200,
) -> Response:
    hebrew = page_language(request) == "he"
    cities = await catalogue.cities(session, active_only=True)
    context: dict[str, Any] = {
        "portal": "pro",
        "switch_url": switch_url(request, "/pro/schedule"),
        "days": form_days(slots),
        "cities": [
            {"id": c.id, "name": (c.name_he or c.name) if hebrew else c.name, "checked": c.id in chosen}
            for c in cities
        ],
        "has_hours": has_hours(slots),
        "hour_errors": hour_errors or {},
        "city_error": city_error,
        "message": message,
    }
    return render(
        request, "pro/schedule.html", context, catalogues=(TEXTS, HOURS_TEXTS), status_code=status_code
    )
