"""The admin's forms for cities, coupons and surcharge rules: add, edit, (de)activate."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from masu.services.catalogue import admin as catalogue_admin
from masu.services.catalogue import catalogue
from masu.web.deps import ContainerDep, NowDep, SessionDep
from masu.web.pages.admin.catalogue import ItemForm, must_be_id, posted, submit
from masu.web.pages.admin.catalogue_forms import (
    city_changes,
    city_form,
    coupon_changes,
    coupon_form,
    new_city,
    new_coupon,
    new_surcharge,
    surcharge_changes,
    surcharge_form,
)
from masu.web.pages.admin.common import Csrf, looks_like_id
from masu.web.schemas.units import conflict_on_duplicate
from masu.web.ui.render import not_found
from masu.web.ui.session import AdminUserDep

RowT = TypeVar("RowT")
router = APIRouter(tags=["pages"], include_in_schema=False)
CITY = ItemForm("city", "cities", "admin/manage/city.html")
COUPON = ItemForm("coupon", "coupons", "admin/manage/coupon.html")
SURCHARGE = ItemForm("surcharge", "surcharges", "admin/manage/surcharge.html")


# Cities


@router.get(CITY.new_url, response_class=HTMLResponse)
async def city_to_add(request: Request, admin: AdminUserDep) -> Response:
    """An empty city form."""
    return CITY.show(request, {}, action=CITY.new_url)


@router.post(CITY.new_url, response_class=HTMLResponse)
async def add_city(
    request: Request, _csrf: Csrf, admin: AdminUserDep, container: ContainerDep, session: SessionDep
) -> Response:
    """Add a city (active at once); the form again with its errors when it is refused."""
    form = await posted(request)

    async def work() -> None:
        city = new_city(form)
        async with conflict_on_duplicate(session, "a city with this name exists", code="city_exists"):
            await catalogue_admin.create_city(session, **city.model_dump())

    return await CITY.save(
        request, session, container, work=work, done="created", values=form, action=CITY.new_url
    )


@router.get("/admin/catalogue/cities/{city_id}", response_class=HTMLResponse)
async def city_to_edit(city_id: str, request: Request, admin: AdminUserDep, session: SessionDep) -> Response:
    """A city's form with its stored values."""
    city = await _stored(catalogue.city_by_id, session, city_id)
    if city is None:
        return not_found(request, "admin")
    return CITY.show(request, city_form(city), action=CITY.url(city.id))


@router.post("/admin/catalogue/cities/{city_id}", response_class=HTMLResponse)
async def save_city(
    city_id: str,
    request: Request,
    _csrf: Csrf,
    admin: AdminUserDep,
    container: ContainerDep,
    session: SessionDep,
) -> Response:
    """Rename, move, activate or deactivate a city; the form again with its errors when refused."""
    form = await posted(request)

    async def work() -> None:
        changes = city_changes(form)
        must_be_id(city_id)
        async with conflict_on_duplicate(session, "a city with this name exists", code="city_exists"):
            await catalogue_admin.update_city(session, city_id=city_id, changes=changes)

    return await CITY.save(
        request, session, container, work=work, done="saved", values=form, action=CITY.url(city_id)
    )


# Coupons


@router.get(COUPON.new_url, response_class=HTMLResponse)
async def coupon_to_add(request: Request, admin: AdminUserDep) -> Response:
    """An empty coupon form."""
    return COUPON.show(request, {"kind": "percent"}, action=COUPON.new_url)


@router.post(COUPON.new_url, response_class=HTMLResponse)
async def add_coupon(
    request: Request,
    _csrf: Csrf,
    admin: AdminUserDep,
    container: ContainerDep,
    now: NowDep,
    session: SessionDep,
) -> Response:
    """Add a coupon (its code upper-case); the form again with its errors when it is refused."""
    form = await posted(request)

    async def work() -> None:
        coupon = new_coupon(form)
        async with conflict_on_duplicate(session, "a coupon with this code exists", code="coupon_exists"):
            await catalogue_admin.create_coupon(session, now=now, **coupon.fields())

    return await COUPON.save(
        request, session, container, work=work, done="created", values=form, action=COUPON.new_url
    )


@router.get("/admin/catalogue/coupons/{coupon_id}", response_class=HTMLResponse)
async def coupon_to_edit(
    coupon_id: str, request: Request, admin: AdminUserDep, session: SessionDep
) -> Response:
    """A coupon's form: its window, limits and activity can change; code and value cannot."""
    coupon = await _stored(catalogue.coupon_by_id, session, coupon_id)
    if coupon is None:
        return not_found(request, "admin")
    action = COUPON.url(coupon.id)
    return COUPON.show(request, coupon_form(coupon), action=action, used=coupon.times_used)


@router.post("/admin/catalogue/coupons/{coupon_id}", response_class=HTMLResponse)
async def save_coupon(
    coupon_id: str,
    request: Request,
    _csrf: Csrf,
    admin: AdminUserDep,
    container: ContainerDep,
    session: SessionDep,
) -> Response:
    """Change a coupon's window, limits or activity; the form again with its errors when refused."""
    coupon = await _stored(catalogue.coupon_by_id, session, coupon_id)
    if coupon is None:
        return not_found(request, "admin")
    form, action = await posted(request), COUPON.url(coupon.id)
    shown = {**form, **{k: v for k, v in coupon_form(coupon).items() if k in ("code", "kind", "value")}}
    used = coupon.times_used  # read now: a refusal rolls back, and the coupon's row with it

    async def work() -> None:
        await catalogue_admin.update_coupon(session, coupon_id=coupon_id, changes=coupon_changes(form))

    return await COUPON.save(
        request, session, container, work=work, done="saved", values=shown, action=action, used=used
    )


# Surcharge rules


@router.get(SURCHARGE.new_url, response_class=HTMLResponse)
async def surcharge_to_add(request: Request, admin: AdminUserDep) -> Response:
    """An empty surcharge form (active, a percentage)."""
    values = {"amount_kind": "percent", "is_active": "1"}
    return SURCHARGE.show(request, values, action=SURCHARGE.new_url)


@router.post(SURCHARGE.new_url, response_class=HTMLResponse)
async def add_surcharge(
    request: Request,
    _csrf: Csrf,
    admin: AdminUserDep,
    container: ContainerDep,
    now: NowDep,
    session: SessionDep,
) -> Response:
    """Add a surcharge window; the form again with its errors when it is refused."""
    form = await posted(request)

    async def work() -> None:
        fields = new_surcharge(form).fields()
        await catalogue_admin.create_surcharge_rule(session, now=now, **fields)

    return await SURCHARGE.save(
        request, session, container, work=work, done="created", values=form, action=SURCHARGE.new_url
    )


@router.get("/admin/catalogue/surcharges/{rule_id}", response_class=HTMLResponse)
async def surcharge_to_edit(
    rule_id: str, request: Request, admin: AdminUserDep, session: SessionDep
) -> Response:
    """A surcharge rule's form with its stored values."""
    rule = await _stored(catalogue.surcharge_rule_by_id, session, rule_id)
    if rule is None:
        return not_found(request, "admin")
    return SURCHARGE.show(request, surcharge_form(rule), action=SURCHARGE.url(rule.id))


@router.post("/admin/catalogue/surcharges/{rule_id}", response_class=HTMLResponse)
async def save_surcharge(
    rule_id: str,
    request: Request,
    _csrf: Csrf,
    admin: AdminUserDep,
    container: ContainerDep,
    session: SessionDep,
) -> Response:
    """Replace a surcharge rule's definition; the form again with its errors when refused."""
    form = await posted(request)

    async def work() -> None:
        changes = surcharge_changes(form)
        must_be_id(rule_id)
        await catalogue_admin.update_surcharge_rule(session, rule_id=rule_id, changes=changes)

    return await SURCHARGE.save(
        request, session, container, work=work, done="saved", values=form, action=SURCHARGE.url(rule_id)
    )


@router.post("/admin/catalogue/surcharges/{rule_id}/deactivate", response_class=HTMLResponse)
async def deactivate_surcharge(
    rule_id: str,
    request: Request,
    _csrf: Csrf,
    admin: AdminUserDep,
    container: ContainerDep,
    session: SessionDep,
) -> Response:
    """Take a surcharge rule out of pricing (kept, like the API's delete, for the bookings priced with it)."""

    async def work() -> None:
        must_be_id(rule_id)
        await catalogue_admin.update_surcharge_rule(session, rule_id=rule_id, changes={"is_active": False})

    def page(errors: Mapping[str, str], status: int) -> Response:
        return not_found(request, "admin")  # the only change asked cannot be refused for a rule that exists

    return await submit(
        request, session, container, work=work, form_name="surcharge", done="surcharge_deactivated", page=page
    )


async def _stored(
    find: Callable[[AsyncSession, str], Awaitable[RowT | None]], session: AsyncSession, row_id: str
) -> RowT | None:
    """The row `find` finds with this id, or None (a string that cannot be an id queries nothing)."""
    return await find(session, row_id) if looks_like_id(row_id) else None
