"""The admin's page of one professional with its forms: weekly hours, cities, treatments, base location.

Each form posts to its own address and calls the same service as the JSON API's matching PUT (the
services rebuild coverage where a change needs it); a refused form shows the page again, as typed, with
422 and each message next to its field, and nothing written.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.errors import DomainError, NotFound, ValidationFailed
from masu.services.catalogue.catalogue import cities, treatments_with_durations
from masu.services.professional import profiles as professionals
from masu.services.professional.profiles import OfferedTreatment, ProfessionalDetails
from masu.web.deps import SessionDep
from masu.web.pages.admin.catalogue_forms import FormRefused, optional, refused_by_service, validated
from masu.web.pages.admin.common import Csrf, local, looks_like_id
from masu.web.pages.admin.manage_texts import MANAGE_CATALOGUES, TEXTS
from masu.web.schemas.common import shekels_number
from masu.web.schemas.professional import LocationIn
from masu.web.ui.render import not_found, page_language, page_texts, redirect, render
from masu.web.ui.session import AdminUserDep
from masu.web.ui.weekly_hours import Slots, form_days, intervals_of, overlap_errors, saved_slots, slots_of

router = APIRouter(tags=["pages"], include_in_schema=False)
SAVED = ("hours", "cities", "treatments", "location")  # `?saved=` names the form just saved
LOCATION_FIELDS = ("base_latitude", "base_longitude", "service_radius_km")
KEYS = TEXTS["en"].keys()
Errors = dict[str, str]


@dataclass
class Typed:
    """What a refused form held, shown again in place of the stored values, and its errors."""

    slots: Slots | None = None
    cities: set[str] | None = None
    offers: set[str] | None = None
    location: dict[str, str] | None = None
    errors: Errors = field(default_factory=dict)


@router.post("/admin/professionals/{professional_id}/hours", response_class=HTMLResponse)
async def save_hours(
    professional_id: str, request: Request, _csrf: Csrf, admin: AdminUserDep, session: SessionDep
) -> Response:
    """Replace the professional's weekly hours; the page again (422) with each wrong interval's error."""
    slots = slots_of(await _form(request))
    intervals, keys, errors = intervals_of(slots)
    if not errors:
        refused = await _commit(
            session, lambda: professionals.set_hours(session, user_id=professional_id, hours=intervals)
        )
        if refused is None or isinstance(refused, NotFound):
            return _after(request, professional_id, refused, "hours")
        errors = overlap_errors(refused, keys)
    return await show_professional(request, session, professional_id, Typed(slots=slots, errors=errors))


@router.post("/admin/professionals/{professional_id}/cities", response_class=HTMLResponse)
async def save_cities(
    professional_id: str, request: Request, _csrf: Csrf, admin: AdminUserDep, session: SessionDep
) -> Response:
    """Replace the cities the professional covers (none is allowed, as in the API); coverage follows."""
    chosen = [str(value) for value in (await request.form()).getlist("city")]
    refused = await _commit(
        session, lambda: professionals.set_cities(session, user_id=professional_id, city_ids=chosen)
    )
    if refused is None or isinstance(refused, NotFound):
        return _after(request, professional_id, refused, "cities")
    typed = Typed(cities=set(chosen), errors={"city": "refused_pro_cities"})
    return await show_professional(request, session, professional_id, typed)


@router.post("/admin/professionals/{professional_id}/treatments", response_class=HTMLResponse)
async def save_treatments(
    professional_id: str, request: Request, _csrf: Csrf, admin: AdminUserDep, session: SessionDep
) -> Response:
    """Replace what the professional offers; a ticked option keeps the professional's own pay it had."""
    ticked = [str(value) for value in (await request.form()).getlist("offer")]
    try:
        pays = _own_pays(await professionals.professional_details(session, user_id=professional_id))
    except NotFound:
        return not_found(request, "admin")
    offered = offered_of(ticked, pays)
    refused = await _commit(
        session, lambda: professionals.set_treatments(session, user_id=professional_id, offered=offered)
    )
    if refused is None or isinstance(refused, NotFound):
        return _after(request, professional_id, refused, "treatments")
    typed = Typed(offers=set(ticked), errors={"offer": "refused_pro_treatments"})
    return await show_professional(request, session, professional_id, typed)


@router.post("/admin/professionals/{professional_id}/location", response_class=HTMLResponse)
async def save_location(
    professional_id: str, request: Request, _csrf: Csrf, admin: AdminUserDep, session: SessionDep
) -> Response:
    """Set where the professional starts from and their service radius; coverage follows."""
    typed = {name: str(value) for name, value in (await _form(request)).items() if name in LOCATION_FIELDS}
    try:
        base, radius = location_of(typed)
    except FormRefused as wrong:
        return await show_professional(
            request, session, professional_id, Typed(location=typed, errors=wrong.errors)
        )
    refused = await _commit(
        session,
        lambda: professionals.set_location(session, user_id=professional_id, base=base, radius_km=radius),
    )
    if refused is None or isinstance(refused, NotFound):
        return _after(request, professional_id, refused, "location")
    errors = refused_by_service("pro", refused, KEYS)
    return await show_professional(request, session, professional_id, Typed(location=typed, errors=errors))


def location_of(form: Mapping[str, str]) -> tuple[tuple[float, float] | None, int | None]:
    """The base (both coordinates or neither) and radius, checked as the API checks them; FormRefused."""
    data = {name: _decimal(form.get(name)) for name in LOCATION_FIELDS}
    body = validated(LocationIn, "pro", data)
    try:
        return body.base(), body.service_radius_km
    except ValidationFailed as refused:
        raise FormRefused(refused_by_service("pro", refused, KEYS)) from refused


def offered_of(
    ticked: list[str], pays: Mapping[tuple[str, int | None], int | None]
) -> list[OfferedTreatment]:
    """Ticked options ("<treatment>" or "<treatment>:<minutes>") as the service takes them, with own pay."""
    offered = []
    for value in dict.fromkeys(ticked):  # a repeated box counts once
        treatment_id, _, minutes = value.partition(":")
        duration = int(minutes) if minutes.isdigit() else None
        offered.append(OfferedTreatment(treatment_id, duration, pays.get((treatment_id, duration))))
    return offered


async def show_professional(
    request: Request, session: AsyncSession, professional_id: str, typed: Typed | None = None
) -> Response:
    """The professional's page with its forms; with `typed`, that form as typed and 422; 404 for nobody."""
    if not looks_like_id(professional_id):
        return not_found(request, "admin")
    try:
        details = await professionals.professional_details(session, user_id=professional_id)
    except NotFound:
        return not_found(request, "admin")
    typed = typed or Typed()
    saved = request.query_params.get("saved")
    texts = page_texts(request, *MANAGE_CATALOGUES)
    context: dict[str, Any] = {
        "portal": "admin",
        "pro": _facts(details),
        "message": texts[f"done_pro_{saved}"] if saved in SAVED and not typed.errors else None,
        "days": form_days(typed.slots if typed.slots is not None else saved_slots(details.hours)),
        "cities": await _city_boxes(request, session, details, typed.cities),
        "offers": await _offer_boxes(session, details, typed.offers),
        "location": typed.location if typed.location is not None else _stored_location(details),
        "errors": typed.errors,
    }
    status = 422 if typed.errors else 200
    return render(
        request, "admin/manage/professional.html", context, catalogues=MANAGE_CATALOGUES, status_code=status
    )


def _facts(details: ProfessionalDetails) -> dict[str, Any]:
    """The account and profile as the page's facts list shows them."""
    user, profile = details.user, details.profile
    return {
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
    }


async def _city_boxes(
    request: Request, session: AsyncSession, details: ProfessionalDetails, chosen: set[str] | None
) -> list[dict[str, Any]]:
    """Active cities, and any inactive one still covered (so a save does not drop it unseen), as boxes."""
    covered = set(details.city_ids)
    ticked = chosen if chosen is not None else covered
    hebrew = page_language(request) == "he"
    return [
        {"id": c.id, "name": (c.name_he or c.name) if hebrew else c.name, "checked": c.id in ticked}
        for c in await cities(session, active_only=False)
        if c.is_active or c.id in covered
    ]


async def _offer_boxes(
    session: AsyncSession, details: ProfessionalDetails, chosen: set[str] | None
) -> list[dict[str, Any]]:
    """Each treatment (fixed price) or treatment and duration on offer, or already offered, as a box."""
    pays = {_option(*key): pay for key, pay in _own_pays(details).items()}
    offered = set(pays)
    ticked = chosen if chosen is not None else offered
    boxes = []
    for offer in await treatments_with_durations(session, active_only=False):
        treatment = offer.treatment
        options: list[tuple[int | None, bool]] = (
            [(None, True)]
            if treatment.pricing_type == "fixed"
            else [(d.minutes, d.is_active) for d in offer.durations]
        )
        for minutes, active in options:
            value = _option(treatment.id, minutes)
            if (treatment.is_active and active) or value in offered:
                box = {
                    "value": value,
                    "name": treatment.name,
                    "minutes": minutes,
                    "checked": value in ticked,
                    "pay": _shekels(pays.get(value)),
                }
                boxes.append(box)
    return boxes


def _option(treatment_id: str, minutes: int | None) -> str:
    return treatment_id if minutes is None else f"{treatment_id}:{minutes}"


def _own_pays(details: ProfessionalDetails) -> dict[tuple[str, int | None], int | None]:
    """The professional's own pay per offered treatment and duration (None: the treatment's default)."""
    return {
        (row.treatment_id, row.duration_minutes or None): row.professional_pay for row, _ in details.offered
    }


def _shekels(agorot: int | None) -> str | None:
    return None if agorot is None else str(shekels_number(agorot))


def _stored_location(details: ProfessionalDetails) -> dict[str, str]:
    profile = details.profile
    values = (profile.base_latitude, profile.base_longitude, profile.service_radius_km)
    return {
        name: "" if value is None else str(value) for name, value in zip(LOCATION_FIELDS, values, strict=True)
    }


def _decimal(text: str | None) -> str | None:
    """A typed number with a decimal comma accepted; None when left empty."""
    value = optional(text)
    return value.replace(",", ".") if value else None


async def _commit(
    session: AsyncSession, change: Callable[[], Awaitable[object]]
) -> ValidationFailed | NotFound | None:
    """Make the service's change and commit it; its refusal, rolled back, when it refuses."""
    try:
        await change()
        await session.commit()
    except (ValidationFailed, NotFound) as refused:
        await session.rollback()
        return refused
    return None


def _after(request: Request, professional_id: str, refused: DomainError | None, saved: str) -> Response:
    """Back to the page confirming the save, or the not-found page when there is no such professional."""
    if refused is not None:
        return not_found(request, "admin")
    return redirect(request, f"/admin/professionals/{professional_id}?saved={saved}#{saved}")


async def _form(request: Request) -> dict[str, str]:
    return {key: str(value) for key, value in (await request.form()).items()}
