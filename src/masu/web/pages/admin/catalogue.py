"""The admin's catalogue page: treatments, cities, coupons and surcharges, and how their forms are saved."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from masu.bootstrap import Container
from masu.domain.errors import Conflict, DomainError, NotFound
from masu.services.catalogue.catalogue import cities, coupons, surcharge_rules, treatments_with_durations
from masu.web.deps import SessionDep
from masu.web.pages.admin.catalogue_forms import FormRefused, refused_by_service
from masu.web.pages.admin.common import local, looks_like_id
from masu.web.pages.admin.manage_texts import MANAGE_CATALOGUES
from masu.web.schemas.common import shekels_number
from masu.web.schemas.units import WEEKDAYS, clock_of, wire_value
from masu.web.ui.render import not_found, page_texts, redirect, render
from masu.web.ui.session import AdminUserDep

if TYPE_CHECKING:
    from masu.persistence.models import Coupon, SurchargeRule

router = APIRouter(tags=["pages"], include_in_schema=False)
DONE = {
    *(
        f"{thing}_{what}"
        for thing in ("treatment", "city", "coupon", "surcharge")
        for what in ("created", "saved")
    ),
    "surcharge_deactivated",
}
ISRAELI_WEEK = WEEKDAYS[6:] + WEEKDAYS[:6]  # a week as Israel reads it: Sunday first
Work = Callable[[], Awaitable[None]]
"""Parses the form and calls the service (FormRefused or a DomainError when it cannot be saved)."""


@router.get("/admin/catalogue", response_class=HTMLResponse)
async def catalogue(request: Request, admin: AdminUserDep, session: SessionDep) -> Response:
    """Every treatment, city, coupon and surcharge rule, active or not; `?done=` confirms the last save."""
    done = request.query_params.get("done")
    context: dict[str, Any] = {
        "portal": "admin",
        "message": page_texts(request, *MANAGE_CATALOGUES)[f"done_{done}"] if done in DONE else None,
        "treatments": [
            {
                "id": offer.treatment.id,
                "name": offer.treatment.name,
                "category": offer.treatment.category,
                "fixed_price": _price(offer.treatment.fixed_price),
                "durations": [(d.minutes, shekels_number(d.price)) for d in offer.durations],
                "active": offer.treatment.is_active,
            }
            for offer in await treatments_with_durations(session, active_only=False)
        ],
        "cities": await cities(session, active_only=False),
        "coupons": [_coupon_row(c) for c in await coupons(session)],
        "surcharges": [_surcharge_row(r) for r in await surcharge_rules(session, active_only=False)],
    }
    return render(request, "admin/manage/catalogue.html", context, catalogues=MANAGE_CATALOGUES)


def form_page(
    request: Request,
    template: str,
    values: Mapping[str, str],
    *,
    action: str,
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    """An add or edit form of the catalogue with the values shown and each error next to its field."""
    texts = page_texts(request, *MANAGE_CATALOGUES)
    context: dict[str, Any] = {
        "portal": "admin",
        "values": values,
        "errors": errors or {},
        "action": action,
        "is_new": action.endswith("/new"),
        "weekdays": [(day, texts[f"wd_{day}"]) for day in ISRAELI_WEEK],
        **extra,
    }
    return render(request, template, context, catalogues=MANAGE_CATALOGUES, status_code=status_code)


async def submit(
    request: Request,
    session: AsyncSession,
    container: Container,
    *,
    work: Work,
    form_name: str,
    done: str,
    page: Callable[[Mapping[str, str], int], Response],
) -> Response:
    """Run `work` and commit, then back to the catalogue; the form again (422/409) when it is refused.

    Nothing is half written: a refusal rolls the whole transaction back before the form is shown again.
    """
    try:
        await work()
        await session.commit()
    except FormRefused as refused:
        await session.rollback()
        return page(refused.errors, 422)
    except NotFound:
        await session.rollback()
        return not_found(request, "admin")
    except DomainError as refused:
        await session.rollback()
        known = page_texts(request, *MANAGE_CATALOGUES).keys()
        return page(
            refused_by_service(form_name, refused, known), 409 if isinstance(refused, Conflict) else 422
        )
    return redirect(request, f"/admin/catalogue?done={done}#{done.partition('_')[0]}")


@dataclass(frozen=True)
class ItemForm:
    """One kind of catalogue row's form: its name in the texts and `done` keys, its URLs and template."""

    name: str
    plural: str
    template: str

    @property
    def new_url(self) -> str:
        return f"/admin/catalogue/{self.plural}/new"

    def url(self, row_id: str) -> str:
        return f"/admin/catalogue/{self.plural}/{row_id}"

    def show(self, request: Request, values: Mapping[str, str], *, action: str, **extra: Any) -> Response:
        """This form with `values` (see `form_page`)."""
        return form_page(request, self.template, values, action=action, **extra)

    async def save(
        self,
        request: Request,
        session: AsyncSession,
        container: Container,
        *,
        work: Work,
        done: str,
        values: Mapping[str, str],
        action: str,
        **extra: Any,
    ) -> Response:
        """`submit` this form's `work`; refused, the form again with `values` (and `extra`) and its errors."""

        def page(errors: Mapping[str, str], status: int) -> Response:
            return self.show(request, values, action=action, errors=errors, status_code=status, **extra)

        return await submit(
            request, session, container, work=work, form_name=self.name, done=f"{self.name}_{done}", page=page
        )


async def posted(request: Request) -> dict[str, str]:
    """The posted fields as strings (the CSRF token left out)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str) and key != "csrf_token"}


def must_be_id(row_id: str) -> None:
    """NotFound for a string that cannot name a row (so no query runs with it)."""
    if not looks_like_id(row_id):
        raise NotFound("no such row")


def _price(agorot: int | None) -> int | float | None:
    return None if agorot is None else shekels_number(agorot)


def _coupon_row(coupon: Coupon) -> dict[str, Any]:
    return {
        "id": coupon.id,
        "code": coupon.code,
        "kind": coupon.kind,
        "value": wire_value(coupon.kind, coupon.value),
        "valid_from": local(coupon.valid_from),
        "valid_until": local(coupon.valid_until),
        "used": coupon.times_used,
        "limit": coupon.usage_limit,
        "active": coupon.is_active,
    }


def _surcharge_row(rule: SurchargeRule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "description": rule.description,
        "weekday": WEEKDAYS[rule.weekday] if rule.weekday is not None else None,
        "on_date": rule.on_date.strftime("%d/%m/%Y") if rule.on_date else None,
        "hours": f"{clock_of(rule.start_minute)}–{clock_of(rule.end_minute)}",
        "amount_kind": rule.amount_kind,
        "amount": wire_value(rule.amount_kind, rule.amount_value),
        "active": rule.is_active,
    }
