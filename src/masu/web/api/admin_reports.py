"""The admin reports as JSON: the figures the /admin/reports page draws, for one period of local days."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from masu.domain.pricing import BUSINESS_TZ
from masu.services.operations.reports import MonthRevenue, Reports, WeekFigures, build_reports, report_period
from masu.web.deps import AdminDep, NowDep, SessionDep
from masu.web.schemas.common import ApiModel, Shekels

if TYPE_CHECKING:
    from masu.persistence.queries.report import GroupCount

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


class GroupOut(ApiModel):
    id: str
    name: str
    bookings: int
    completed: int

    @classmethod
    def of(cls, group: GroupCount) -> GroupOut:
        """The group's counts; `completed` counts treated bookings (awaiting review or completed)."""
        return cls(id=group.id, name=group.name, bookings=group.bookings, completed=group.treated)


class WeekOut(ApiModel):
    week_start: date
    created: int
    still_open: int
    succeeded: int
    failed: int
    success_rate: float | None
    answers: int
    median_response_minutes: float | None

    @classmethod
    def of(cls, week: WeekFigures) -> WeekOut:
        """The week's figures as they are."""
        return cls.model_validate(week)


class MonthOut(ApiModel):
    month: str
    bookings: int
    company_fee: Shekels
    professional_payments: Shekels

    @classmethod
    def of(cls, month: MonthRevenue) -> MonthOut:
        """The month's revenue split, in shekels on output."""
        return cls.model_validate(month)


class ReportsOut(ApiModel):
    from_: date = Field(alias="from")
    to: date
    time_zone: str
    cities: list[GroupOut]
    professionals: list[GroupOut]
    weeks: list[WeekOut]
    weekdays: list[int]
    hours: list[int]
    months: list[MonthOut]

    @classmethod
    def of(cls, reports: Reports) -> ReportsOut:
        """Every report of the period."""
        return cls(
            from_=reports.period.first,
            to=reports.period.last,
            time_zone=str(BUSINESS_TZ),
            cities=[GroupOut.of(g) for g in reports.cities],
            professionals=[GroupOut.of(g) for g in reports.professionals],
            weeks=[WeekOut.of(w) for w in reports.weeks],
            weekdays=reports.weekdays,
            hours=reports.hours,
            months=[MonthOut.of(m) for m in reports.months],
        )


@router.get("/reports", response_model=ReportsOut)
async def reports(
    session: SessionDep,
    now: NowDep,
    _admin: AdminDep,
    first: Annotated[str | None, Query(alias="from", max_length=10, description="YYYY-MM-DD")] = None,
    last: Annotated[str | None, Query(alias="to", max_length=10, description="YYYY-MM-DD")] = None,
) -> ReportsOut:
    """The reports of local days `from`..`to` (default: 12 weeks to today); a bad day is a 422 naming it."""
    today = now.astimezone(BUSINESS_TZ).date()
    period = report_period(first, last, today=today)
    return ReportsOut.of(await build_reports(session, period))
