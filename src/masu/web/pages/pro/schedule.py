"""The professional's own weekly hours and cities: shown, and edited with errors next to the fields."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.access import Principal
from masu.domain.errors import NotFound, ValidationFailed
from masu.persistence import catalogue_repository
from masu.services.professionals import (
    Interval,
    ProfessionalDetails,
    professional_details,
    set_cities,
    set_hours,
)
from masu.web.deps import SessionDep
from masu.web.pages.pro.texts import TEXTS
from masu.web.pages.pro.views import switch_url
from masu.web.ui.csrf import require_csrf
from masu.web.ui.render import page_language, page_texts, redirect, render
from masu.web.ui.session import ProfessionalDep

router = APIRouter(tags=["pages"], include_in_schema=False)
Csrf = Annotated[None, Depends(require_csrf)]
WEEK = (6, 0, 1, 2, 3, 4, 5)  # weekday numbers (0=Monday) in the order an Israeli week is read: Sunday first
MAX_SLOTS = 6  # intervals a day may hold on the form
SHOWN_SLOTS = 2  # empty rows offered per day when it has fewer intervals
DAY_END = 24 * 60
_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)(:[0-5]\d)?")
Slots = dict[int, list[tuple[str, str]]]  # weekday → [(start "HH:MM", end "HH:MM")]


@router.get("/pro/schedule", response_class=HTMLResponse)
async def schedule(request: Request, user: ProfessionalDep, session: SessionDep) -> Response:
    """The professional's hours and cities as forms; `?saved=` confirms the last save."""
    try:
        details = await professional_details(session, user_id=user.user_id)
    except NotFound:  # an admin without a professional profile
        return render(request, "ui/not_found.html", {"portal": "pro"}, status_code=404)
    saved = request.query_params.get("saved")
    message = page_texts(request, TEXTS)[f"{saved}_saved"] if saved in {"hours", "cities"} else None
    return await _render(request, session, _saved_slots(details), set(details.city_ids), message=message)


@router.post("/pro/schedule/hours", response_class=HTMLResponse)
async def save_hours(request: Request, _csrf: Csrf, user: ProfessionalDep, session: SessionDep) -> Response:
    """Replace the professional's own weekly hours; the form again (422) with each interval's error."""
    form = await request.form()
    slots = _slots_of({key: str(value) for key, value in form.items()})
    intervals, keys, errors = _intervals(slots)
    if not errors:
        try:
            await set_hours(session, user_id=user.user_id, hours=intervals)
            await session.commit()
            return redirect(request, "/pro/schedule?saved=hours")
        except ValidationFailed as refused:  # an overlap, named by the interval's index
            await session.rollback()
            errors = {keys[_index(refused.field)]: "overlap"}
        except NotFound:
            return render(request, "ui/not_found.html", {"portal": "pro"}, status_code=404)
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
            return render(request, "ui/not_found.html", {"portal": "pro"}, status_code=404)
    details = await professional_details(session, user_id=user.user_id)
    return await _render(
        request, session, _saved_slots(details), set(chosen), city_error=error, status_code=422
    )


def _slots_of(form: Mapping[str, str]) -> Slots:
    """The form's intervals per weekday, as typed (rows left empty dropped)."""
    slots: Slots = {}
    for day in WEEK:
        rows = [
            (form.get(f"h{day}-{slot}-start", "").strip(), form.get(f"h{day}-{slot}-end", "").strip())
            for slot in range(MAX_SLOTS)
        ]
        while rows and rows[-1] == ("", ""):  # trailing empty rows; inner ones keep the slots' numbers
            rows.pop()
        slots[day] = rows
    return slots


def _saved_slots(details: ProfessionalDetails) -> Slots:
    """The professional's stored hours per weekday, as the form shows them."""
    slots: Slots = {day: [] for day in WEEK}
    for row in sorted(details.hours, key=lambda h: (h.weekday, h.start_minute)):
        slots[row.weekday].append((_clock(row.start_minute), _clock(row.end_minute)))
    return slots


def _intervals(slots: Slots) -> tuple[list[Interval], list[str], dict[str, str]]:
    """The intervals the form holds, each one's field key, and the error key of each wrong one."""
    intervals: list[Interval] = []
    keys: list[str] = []
    errors: dict[str, str] = {}
    for day, rows in slots.items():
        for slot, (start, end) in enumerate(rows):
            key = f"h{day}-{slot}"
            if not start and not end:
                continue
            problem = _problem(start, end)
            if problem is not None:
                errors[key] = problem
                continue
            intervals.append(Interval(day, _minutes(start), _minutes(end, end_of_day=True)))
            keys.append(key)
    return intervals, keys, errors


def _problem(start: str, end: str) -> str | None:
    """The error key of an interval typed as `start`–`end`, or None when it is a valid one."""
    if not start or not end:
        return "time_missing"
    if not _TIME.fullmatch(start) or not _TIME.fullmatch(end):
        return "time_invalid"
    if _minutes(end, end_of_day=True) <= _minutes(start):
        return "end_before_start"
    return None


def _minutes(value: str, *, end_of_day: bool = False) -> int:
    """Minutes after midnight of "HH:MM"; an end of "00:00" is the day's end (midnight after)."""
    hours, minutes = int(value[:2]), int(value[3:5])
    total = hours * 60 + minutes
    return DAY_END if end_of_day and total == 0 else total


def _clock(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def _index(field: str) -> int:
    """The interval index in a service error's field name ("hours.3" → 3)."""
    return int(field.rpartition(".")[2])


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
    cities = await catalogue_repository.list_cities(session, active_only=True)
    context: dict[str, Any] = {
        "portal": "pro",
        "switch_url": switch_url(request, "/pro/schedule"),
        "days": [
            {"day": day, "rows": slots[day] + [("", "")] * max(SHOWN_SLOTS - len(slots[day]), 0)}
            for day in WEEK
        ],
        "cities": [
            {"id": c.id, "name": (c.name_he or c.name) if hebrew else c.name, "checked": c.id in chosen}
            for c in cities
        ],
        "has_hours": any(any(a or b for a, b in rows) for rows in slots.values()),
        "hour_errors": hour_errors or {},
        "city_error": city_error,
        "message": message,
    }
    return render(request, "pro/schedule.html", context, catalogues=(TEXTS,), status_code=status_code)
