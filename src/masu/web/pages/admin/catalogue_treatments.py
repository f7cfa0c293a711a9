"""The admin's treatment form: name, description, activity, and a fixed price or prices per duration."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from masu.domain.errors import NotFound
from masu.services.catalogue import admin as catalogue_admin
from masu.web.deps import ContainerDep, NowDep, SessionDep
from masu.web.pages.admin.catalogue import form_page, posted, submit
from masu.web.pages.admin.catalogue_forms import duration_rows, treatment_form, treatment_in
from masu.web.pages.admin.common import Csrf, looks_like_id
from masu.web.ui.render import render
from masu.web.ui.session import AdminUserDep

router = APIRouter(tags=["pages"], include_in_schema=False)
TREATMENT = "admin/manage/treatment.html"
NEW_TREATMENT = "/admin/catalogue/treatments/new"
NEW_VALUES = {"category": "massage", "pricing_type": "duration", "duration_minutes": "60", "is_active": "1"}


@router.get(NEW_TREATMENT, response_class=HTMLResponse)
async def treatment_to_add(request: Request, admin: AdminUserDep) -> Response:
    """An empty treatment form (active, priced per duration)."""
    return form_page(request, TREATMENT, NEW_VALUES, action=NEW_TREATMENT, rows=duration_rows(NEW_VALUES))


@router.post(NEW_TREATMENT, response_class=HTMLResponse)
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

    def page(errors: Mapping[str, str], status: int) -> Response:
        return form_page(
            request,
            TREATMENT,
            form,
            action=NEW_TREATMENT,
            errors=errors,
            status_code=status,
            rows=duration_rows(form),
        )

    return await submit(
        request, session, container, work=work, form_name="treatment", done="treatment_created", page=page
    )


@router.get("/admin/catalogue/treatments/{treatment_id}", response_class=HTMLResponse)
async def treatment_to_edit(
    treatment_id: str, request: Request, admin: AdminUserDep, session: SessionDep
) -> Response:
    """A treatment's form with its stored definition and durations."""
    try:
        offer = await catalogue_admin.treatment_offer(session, treatment_id)
    except NotFound:
        return render(request, "ui/not_found.html", {"portal": "admin"}, status_code=404)
    action, values = f"/admin/catalogue/treatments/{offer.treatment.id}", treatment_form(offer)
    return form_page(request, TREATMENT, values, action=action, rows=duration_rows(values))


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
    form, action = await posted(request), f"/admin/catalogue/treatments/{treatment_id}"

    async def work() -> None:
        spec = treatment_in(form).spec()
        if not looks_like_id(treatment_id):
            raise NotFound("no such treatment")
        await catalogue_admin.update_treatment(session, treatment_id=treatment_id, spec=spec)

    def page(errors: Mapping[str, str], status: int) -> Response:
        return form_page(
            request,
            TREATMENT,
            form,
            action=action,
            errors=errors,
            status_code=status,
            rows=duration_rows(form),
        )

    return await submit(
        request, session, container, work=work, form_name="treatment", done="treatment_saved", page=page
    )
