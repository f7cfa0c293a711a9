"""The admin's treatment form: name, description, activity, and a fixed price or prices per duration."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from masu.domain.errors import NotFound
from masu.services.catalogue import admin as catalogue_admin
from masu.web.deps import ContainerDep, NowDep, SessionDep
from masu.web.pages.admin.catalogue import ItemForm, must_be_id, posted
from masu.web.pages.admin.catalogue_forms import duration_rows, treatment_form, treatment_in
from masu.web.pages.admin.common import Csrf
from masu.web.ui.render import not_found
from masu.web.ui.session import AdminUserDep

router = APIRouter(tags=["pages"], include_in_schema=False)
TREATMENT = ItemForm("treatment", "treatments", "admin/manage/treatment.html")
NEW_VALUES = {"category": "massage", "pricing_type": "duration", "duration_minutes": "60", "is_active": "1"}


@router.get(TREATMENT.new_url, response_class=HTMLResponse)
async def treatment_to_add(request: Request, admin: AdminUserDep) -> Response:
    """An empty treatment form (active, priced per duration)."""
    rows = duration_rows(NEW_VALUES)
    return TREATMENT.show(request, NEW_VALUES, action=TREATMENT.new_url, rows=rows)


@router.post(TREATMENT.new_url, response_class=HTMLResponse)
async def add_treatment(
    request: Request,
    _csrf: Csrf,
    admin: AdminUserDep,
    container: ContainerDep,
    now: NowDep,
    session: SessionDep,
) -> Response:
    """Add a treatment with its durations; the form again with its errors when it is refused."""
    form = await posted(request)

    async def work() -> None:
        spec = treatment_in(form).spec()
        await catalogue_admin.create_treatment(session, now=now, spec=spec)

    return await TREATMENT.save(
        request,
        session,
        container,
        work=work,
        done="created",
        values=form,
        action=TREATMENT.new_url,
        rows=duration_rows(form),
    )


@router.get("/admin/catalogue/treatments/{treatment_id}", response_class=HTMLResponse)
async def treatment_to_edit(
    treatment_id: str, request: Request, admin: AdminUserDep, session: SessionDep
) -> Response:
    """A treatment's form with its stored definition and durations."""
    try:
        offer = await catalogue_admin.treatment_offer(session, treatment_id)
    except NotFound:
        return not_found(request, "admin")
    action, values = TREATMENT.url(offer.treatment.id), treatment_form(offer)
    return TREATMENT.show(request, values, action=action, rows=duration_rows(values))


@router.post("/admin/catalogue/treatments/{treatment_id}", response_class=HTMLResponse)
async def save_treatment(
    treatment_id: str,
    request: Request,
    _csrf: Csrf,
    admin: AdminUserDep,
    container: ContainerDep,
    session: SessionDep,
) -> Response:
    """Replace a treatment's definition (bookings keep their price); the form again when refused."""
    form = await posted(request)

    async def work() -> None:
        spec = treatment_in(form).spec()
        must_be_id(treatment_id)
        await catalogue_admin.update_treatment(session, treatment_id=treatment_id, spec=spec)

    return await TREATMENT.save(
        request,
        session,
        container,
        work=work,
        done="saved",
        values=form,
        action=TREATMENT.url(treatment_id),
        rows=duration_rows(form),
    )
