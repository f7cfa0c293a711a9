"""The professional's earnings: per treatment given and per month (base pay, surcharge shares, bonus)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from masu.services.professional.work import MonthEarnings, Pay, earnings_of
from masu.web.deps import NowDep, SessionDep
from masu.web.pages.pro.texts import TEXTS
from masu.web.pages.pro.views import local, shekels
from masu.web.ui.booking_facts import treatment_names
from masu.web.ui.render import render
from masu.web.ui.session import ProfessionalDep

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/pro/earnings", response_class=HTMLResponse)
async def earnings(request: Request, user: ProfessionalDep, now: NowDep, session: SessionDep) -> Response:
    """What the professional earned in the last twelve months, month by month and treatment by treatment."""
    months = await earnings_of(session, user.user_id, now=now)
    names = await treatment_names(session)
    context = {"portal": "pro", "months": [_month(month, names) for month in months]}
    return render(request, "pro/earnings.html", context, catalogues=(TEXTS,))


def _month(month: MonthEarnings, names: dict[str, str]) -> dict[str, Any]:
    year, number = month.month.split("-")
    return {
        "key": month.month,
        "label": f"{number}/{year}",
        "count": len(month.bookings),
        "total": _amounts(month.total),
        "rows": [
            {
                "number": item.booking.booking_number,
                "when": local(item.booking.booking_date_time),
                "treatment": names.get(item.booking.treatment_id, ""),
                **_amounts(item.pay),
            }
            for item in month.bookings
        ],
    }


def _amounts(pay: Pay) -> dict[str, str]:
    return {
        "base": shekels(pay.base),
        "surcharges": shekels(pay.surcharges),
        "bonus": shekels(pay.bonus),
        "total": shekels(pay.total),
    }
