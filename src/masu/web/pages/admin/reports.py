"""The admins' reports: bookings per city and professional, weekly response times and success rates,
booking patterns and the monthly revenue split, each as a chart with its figures in a table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from masu.domain.errors import ValidationFailed
from masu.domain.pricing import BUSINESS_TZ
from masu.services.operations.reports import Reports, build_reports, report_period
from masu.web.deps import NowDep, SessionDep
from masu.web.pages.admin.common import CATALOGUES
from masu.web.pages.admin.report_texts import REPORT_TEXTS
from masu.web.schemas.common import shekels_number
from masu.web.ui.render import page_texts, render
from masu.web.ui.session import AdminUserDep

if TYPE_CHECKING:
    from masu.persistence.queries.report import GroupCount

router = APIRouter(tags=["pages"], include_in_schema=False)
PAGE_CATALOGUES = (*CATALOGUES, REPORT_TEXTS)
FIELDS = ("from", "to")
MAX_TEXT = 20
KNOWN_ERRORS = {"bad_date", "period_reversed", "period_too_long"}


@router.get("/admin/reports", response_class=HTMLResponse)
async def reports_page(request: Request, admin: AdminUserDep, now: NowDep, session: SessionDep) -> Response:
    """The reports of the `from`..`to` days (default: 12 weeks); a bad day re-renders the form with a 422."""
    form = {name: request.query_params.get(name, "").strip()[:MAX_TEXT] for name in FIELDS}
    today = now.astimezone(BUSINESS_TZ).date()
    try:
        period = report_period(form["from"] or None, form["to"] or None, today=today)
    except ValidationFailed as refused:
        code = refused.code if refused.code in KNOWN_ERRORS else "bad_date"
        context: dict[str, Any] = {
            "portal": "admin",
            "form": form,
            "errors": {refused.field: f"r_err_{code}"},
            "tables": None,  # no figures for a period that is not one: the form alone, with its error
        }
        return render(request, "admin/reports.html", context, catalogues=PAGE_CATALOGUES, status_code=422)
    reports = await build_reports(session, period)
    texts = page_texts(request, *PAGE_CATALOGUES)
    context = {
        "portal": "admin",
        "form": {"from": period.first.isoformat(), "to": period.last.isoformat()},
        "errors": {},
        "tables": report_tables(reports, texts),
        "charts": report_charts(reports, texts),
    }
    return render(request, "admin/reports.html", context, catalogues=PAGE_CATALOGUES)


def report_tables(reports: Reports, t: dict[str, str]) -> dict[str, Any]:
    """The figures the tables under the charts show, rounded for reading."""
    return {
        "cities": [_group_row(g) for g in reports.cities],
        "professionals": [_group_row(g) for g in reports.professionals],
        "weeks": [
            {
                "week": w.week_start.isoformat(),
                "created": w.created,
                "open": w.still_open,
                "succeeded": w.succeeded,
                "failed": w.failed,
                "rate": None if w.success_rate is None else _percent(w.success_rate),
                "answers": w.answers,
                "median": w.median_response_minutes,
            }
            for w in reports.weeks
        ],
        "weekdays": [(t[f"r_day_{day}"], count) for day, count in enumerate(reports.weekdays)],
        "hours": [(f"{hour:02d}:00", count) for hour, count in enumerate(reports.hours)],
        "months": [
            {
                "month": m.month,
                "bookings": m.bookings,
                "fee": shekels_number(m.company_fee),
                "pay": shekels_number(m.professional_payments),
            }
            for m in reports.months
        ],
    }


def _group_row(group: GroupCount) -> dict[str, Any]:
    return {"id": group.id, "name": group.name, "bookings": group.bookings, "completed": group.treated}


def _percent(rate: float) -> float:
    return round(rate * 100, 1)


def report_charts(reports: Reports, t: dict[str, str]) -> dict[str, Any]:
    """What reports.js draws: per chart its kind, labels and labelled series (JSON, never executed)."""
    weeks = [w.week_start.isoformat() for w in reports.weeks]
    return {
        "cities": _groups_chart(reports.cities, t, horizontal=False),
        "professionals": _groups_chart(reports.professionals, t, horizontal=True),
        "responses": _chart(
            "line", weeks, (t["r_col_median"], [w.median_response_minutes for w in reports.weeks])
        ),
        "success": _chart(
            "bar",
            weeks,
            (
                t["r_col_rate"],
                [None if w.success_rate is None else _percent(w.success_rate) for w in reports.weeks],
            ),
            percent=True,
        ),
        "weekdays": _chart(
            "bar", [t[f"r_day_{d}"] for d in range(7)], (t["r_col_bookings"], reports.weekdays), whole=True
        ),
        "hours": _chart(
            "bar", [f"{h:02d}" for h in range(24)], (t["r_col_bookings"], reports.hours), whole=True
        ),
        "revenue": _chart(
            "bar",
            [m.month for m in reports.months],
            (t["r_col_fee"], [shekels_number(m.company_fee) for m in reports.months]),
            (t["r_col_pay"], [shekels_number(m.professional_payments) for m in reports.months]),
            stacked=True,
        ),
    }


def _groups_chart(groups: list[GroupCount], t: dict[str, str], *, horizontal: bool) -> dict[str, Any]:
    return _chart(
        "bar",
        [g.name for g in groups],
        (t["r_col_bookings"], [g.bookings for g in groups]),
        (t["r_col_completed"], [g.treated for g in groups]),
        horizontal=horizontal,
        whole=True,
    )


def _chart(kind: str, labels: list[str], *series: tuple[str, list[Any]], **options: bool) -> dict[str, Any]:
    """One chart's spec; options are reports.js's flags: horizontal, stacked, percent, whole."""
    return {
        "kind": kind,
        "labels": labels,
        "series": [{"label": label, "data": data} for label, data in series],
        **options,
    }
