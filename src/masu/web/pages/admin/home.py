"""The admin panel's home: the bookings table with filters, search, pages and a 'needs attention' view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from masu.domain.errors import ValidationFailed
from masu.domain.lifecycle import BookingStatus
from masu.domain.pricing import BUSINESS_TZ
from masu.persistence.queries.booking import BookingFilter
from masu.services.booking.access import page_of_bookings
from masu.web.deps import SessionDep
from masu.web.pages.admin.common import CATALOGUES, local
from masu.web.schemas.common import shekels_number
from masu.web.ui.render import render
from masu.web.ui.session import AdminUserDep

router = APIRouter(tags=["pages"], include_in_schema=False)
PAGE_SIZE = 25
MAX_TEXT = 100
FILTER_NAMES = ("status", "city", "from", "to", "q", "view")


@dataclass(frozen=True, slots=True)
class TableQuery:
    """The table's filters as the admin typed them, the filter they make, and whether some were dropped."""

    form: dict[str, str]
    where: BookingFilter
    dropped: bool


@router.get("/admin", response_class=HTMLResponse)
async def bookings_table(request: Request, admin: AdminUserDep, session: SessionDep) -> Response:
    """One page of bookings, newest first, filtered by status, city, dates, search and attention."""
    query = table_query(request.query_params)
    cursor = request.query_params.get("cursor") or None
    dropped = query.dropped
    try:
        items, next_cursor = await page_of_bookings(session, query.where, limit=PAGE_SIZE, cursor=cursor)
    except ValidationFailed:  # a cursor that is not ours: start from the first page
        items, next_cursor = await page_of_bookings(session, query.where, limit=PAGE_SIZE, cursor=None)
        dropped = True
    rows = [
        {
            "id": item.id,
            "number": item.booking_number,
            "when": local(item.booking_date_time),
            "city": item.city,
            "status": item.status,
            "amount": shekels_number(item.final_amount),
            "created": local(item.created_at),
        }
        for item in items
    ]
    context: dict[str, Any] = {
        "portal": "admin",
        "rows": rows,
        "form": query.form,
        "statuses": [s.value for s in BookingStatus],
        "dropped": dropped,
        "next_url": _page_url(query.form, next_cursor) if next_cursor else None,
        "first_url": _page_url(query.form, None) if cursor else None,
        "attention_view": query.form.get("view") == "attention",
        "all_url": _page_url({k: v for k, v in query.form.items() if k != "view"}, None),
        "attention_url": _page_url({**query.form, "view": "attention"}, None),
    }
    return render(request, "admin/bookings.html", context, catalogues=CATALOGUES)


def table_query(params: Any) -> TableQuery:
    """Read the filters from query parameters; values that make no sense are dropped, never an error."""
    form = {name: str(params.get(name, "")).strip()[:MAX_TEXT] for name in FILTER_NAMES}
    form = {name: value for name, value in form.items() if value}
    status = form.get("status")
    starts_from, starts_before = _day(form.get("from")), _day(form.get("to"))
    dropped = (status is not None and status not in {s.value for s in BookingStatus}) or (
        (form.get("from") is not None and starts_from is None)
        or (form.get("to") is not None and starts_before is None)
    )
    where = BookingFilter(
        status=status if status in {s.value for s in BookingStatus} else None,
        city=form.get("city"),
        starts_from=starts_from,
        # the "to" day is included: the filter stops at the next local midnight
        starts_before=starts_before + timedelta(days=1) if starts_before else None,
        search=form.get("q"),
        needs_attention=True if form.get("view") == "attention" else None,
    )
    return TableQuery(form, where, bool(dropped))


def _day(text: str | None) -> datetime | None:
    """Local midnight of a YYYY-MM-DD day in Israel; None for anything else."""
    if not text:
        return None
    try:
        return datetime.combine(date.fromisoformat(text), time(0), tzinfo=BUSINESS_TZ)
    except ValueError:
        return None


def _page_url(form: dict[str, str], cursor: str | None) -> str:
    params = {**form, **({"cursor": cursor} if cursor else {})}
    return "/admin" + (f"?{urlencode(params)}" if params else "")
