"""The admin reports: known bookings and offers give exactly the figures built into them, on each database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from masu.bootstrap import Container
from masu.domain.errors import ValidationFailed
from masu.domain.pricing import BUSINESS_TZ
from masu.persistence.models import Booking, City, Offer, Treatment, User
from masu.services.operations.reports import (
    Period,
    appointment_pattern,
    build_reports,
    month_starts,
    report_period,
    week_starts,
)
from tests.factories import ADMIN, CUSTOMER, login, page_login

SUNDAY = date(2026, 11, 1)
NOVEMBER = Period(SUNDAY, date(2026, 11, 30))


@dataclass(frozen=True)
class Visit:
    """One booking to add: local creation and appointment times as (days after the Sunday, hour, minute)."""

    number: str
    status: str
    city: str
    professional: str | None
    created: tuple[int, int, int]
    appointment: tuple[int, int, int]
    company_fee: int = 3000
    professional_payment: int = 15000


# Created in the period's first two weeks unless said; fees in agorot.
VISITS = (
    Visit("R-1", "completed", "Tel Aviv", "Avi Pro", (0, 0, 30), (2, 18, 0), 3000, 15000),  # 00:30 local
    Visit("R-2", "cancelled", "Tel Aviv", "Avi Pro", (2, 9, 0), (4, 10, 0)),
    Visit("R-3", "pending_professional", "Haifa", None, (3, 12, 0), (5, 12, 0)),
    Visit("R-4", "pending_review", "Haifa", "Rina Pro", (9, 10, 0), (11, 18, 0), 2500, 12500),
    Visit("R-5", "confirmed", "Tel Aviv", "Rina Pro", (10, 10, 0), (31, 18, 0)),
    Visit("R-6", "completed", "Haifa", "Avi Pro", (-1, 23, 30), (1, 9, 0), 700, 3500),  # the day before
    Visit("R-7", "completed", "Tel Aviv", "Rina Pro", (-12, 10, 0), (1, 8, 0), 1000, 5000),  # earlier
)
# (booking, professional, minutes to answer or None when it expired, answer)
OFFERS = (
    ("R-1", "Avi Pro", 2, "accepted"),
    ("R-1", "Rina Pro", 6, "declined"),
    ("R-1", "Shira Pro", None, "expired"),
    ("R-4", "Rina Pro", 10, "accepted"),
)


def local_time(sunday: date, when: tuple[int, int, int]) -> datetime:
    """A moment `when` = (days after `sunday`, hour, minute) in Israel's time."""
    days, hour, minute = when
    return datetime.combine(sunday + timedelta(days=days), time(hour, minute), tzinfo=BUSINESS_TZ)


async def _ids(session: AsyncSession, model: Any, names: set[str]) -> dict[str, str]:
    rows = await session.execute(sa.select(model.name, model.id).where(model.name.in_(names)))
    return {str(name): str(id_) for name, id_ in rows.all()}


async def add_known_bookings(session: AsyncSession, sunday: date) -> None:
    """Add VISITS and OFFERS around `sunday` to a demo database (no commit)."""
    cities = await _ids(session, City, {v.city for v in VISITS})
    pros = await _ids(session, User, {"Avi Pro", "Rina Pro", "Shira Pro"})
    customer = (await session.execute(sa.select(User.id).where(User.phone == "+972520000001"))).scalar_one()
    treatment = (await session.execute(sa.select(Treatment.id).limit(1))).scalar_one()
    booked: dict[str, Booking] = {}
    for visit in VISITS:
        created, starts = local_time(sunday, visit.created), local_time(sunday, visit.appointment)
        total = visit.company_fee + visit.professional_payment
        booked[visit.number] = Booking(
            booking_number=f"{visit.number}-{sunday.isoformat()}",
            status=visit.status,
            user_id=customer,
            professional_id=pros[visit.professional] if visit.professional else None,
            treatment_id=treatment,
            duration_minutes=60,
            booking_date_time=starts,
            ends_at=starts + timedelta(hours=1),
            created_at=created,
            updated_at=created,
            recipient_name="Report Test",
            recipient_phone="+972520000001",
            city_id=cities[visit.city],
            address_street="Herzl 10",
            address_city=visit.city,
            base_price=total,
            surcharges=[],
            total_surcharges=0,
            discount=0,
            final_amount=total,
            base_professional_payment=visit.professional_payment,
            surcharges_professional_payment=0,
            total_professional_payment=visit.professional_payment,
            company_fee=visit.company_fee,
            payment_status="paid",
        )
    session.add_all(booked.values())
    await session.flush()
    for number, name, minutes, answer in OFFERS:
        sent = booked[number].created_at
        session.add(
            Offer(
                booking_id=booked[number].id,
                professional_id=pros[name],
                wave=1,
                match_score=0.5,
                notified_at=sent,
                expires_at=sent + timedelta(minutes=15),
                response_status=answer,
                response_at=sent + timedelta(minutes=minutes) if minutes is not None else None,
                created_at=sent,
            )
        )
    await session.flush()


@pytest.fixture
async def known(container: Container) -> Container:
    """The container's database with the known bookings of November 2026."""
    async with container.sessions() as session:
        await add_known_bookings(session, SUNDAY)
        await session.commit()
    return container


async def test_bookings_per_city_and_professional_count_the_period_and_its_treated_ones(
    known: Container,
) -> None:
    async with known.sessions() as session:
        reports = await build_reports(session, NOVEMBER)

    assert [(c.name, c.bookings, c.treated) for c in reports.cities] == [("Tel Aviv", 3, 1), ("Haifa", 2, 1)]
    assert [(p.name, p.bookings, p.treated) for p in reports.professionals] == [
        ("Avi Pro", 2, 1),
        ("Rina Pro", 2, 1),
    ]


async def test_weekly_success_rate_leaves_open_bookings_out_and_response_medians_are_per_week(
    known: Container,
) -> None:
    async with known.sessions() as session:
        reports = await build_reports(session, NOVEMBER)

    shown = [
        (w.week_start.isoformat(), w.created, w.still_open, w.succeeded, w.failed, w.success_rate)
        for w in reports.weeks
    ]
    assert shown == [
        ("2026-11-01", 3, 1, 1, 1, 0.5),
        ("2026-11-08", 2, 0, 2, 0, 1.0),
        ("2026-11-15", 0, 0, 0, 0, None),
        ("2026-11-22", 0, 0, 0, 0, None),
        ("2026-11-29", 0, 0, 0, 0, None),
    ]
    assert [(w.answers, w.median_response_minutes) for w in reports.weeks] == [
        (2, 4.0),
        (1, 10.0),
        (0, None),
        (0, None),
        (0, None),
    ]


async def test_patterns_use_the_local_weekday_and_hour_of_the_appointment(known: Container) -> None:
    async with known.sessions() as session:
        reports = await build_reports(session, NOVEMBER)

    assert reports.weekdays == [0, 0, 1, 1, 2, 1, 0]  # Sunday first: Tue, Wed, Thu ×2, Fri
    assert {hour: n for hour, n in enumerate(reports.hours) if n} == {10: 1, 12: 1, 18: 3}


async def test_revenue_counts_treated_bookings_by_the_month_of_their_appointment(known: Container) -> None:
    async with known.sessions() as session:
        reports = await build_reports(session, NOVEMBER)
        two_months = await build_reports(session, Period(date(2026, 10, 20), date(2026, 11, 30)))

    # and R-7 (created in October, treated in November); R-6 too, created the day before the period.
    months = [(m.month, m.bookings, m.company_fee, m.professional_payments) for m in reports.months]
    assert months == [("2026-11", 4, 7200, 36000)]
    assert [(m.month, m.bookings) for m in two_months.months] == [("2026-10", 0), ("2026-11", 4)]


async def test_the_api_returns_the_same_figures_in_shekels_and_refuses_bad_periods(
    known: Container, client: httpx.AsyncClient
) -> None:
    admin = await login(client, ADMIN)

    answer = await client.get("/api/v1/admin/reports?from=2026-11-01&to=2026-11-30", headers=admin)
    bad = await client.get("/api/v1/admin/reports?from=2026-11-31", headers=admin)
    reversed_ = await client.get("/api/v1/admin/reports?from=2026-11-30&to=2026-11-01", headers=admin)
    customer = await client.get("/api/v1/admin/reports", headers=await login(client, CUSTOMER))

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["from"], body["to"], body["timeZone"]) == ("2026-11-01", "2026-11-30", "Asia/Jerusalem")
    assert [(c["name"], c["bookings"], c["completed"]) for c in body["cities"]] == [
        ("Tel Aviv", 3, 1),
        ("Haifa", 2, 1),
    ]
    assert body["weeks"][0] == {
        "weekStart": "2026-11-01",
        "created": 3,
        "stillOpen": 1,
        "succeeded": 1,
        "failed": 1,
        "successRate": 0.5,
        "answers": 2,
        "medianResponseMinutes": 4.0,
    }
    assert body["weekdays"] == [0, 0, 1, 1, 2, 1, 0]
    assert body["months"] == [
        {"month": "2026-11", "bookings": 4, "companyFee": 72, "professionalPayments": 360}
    ]
    assert bad.status_code == 422
    assert bad.json()["errors"] == [{"field": "from", "message": "must be a date as YYYY-MM-DD"}]
    assert reversed_.status_code == 422
    assert reversed_.json()["errors"][0]["field"] == "to"
    assert customer.status_code == 403


def test_the_default_period_is_twelve_local_weeks_from_a_sunday_to_today() -> None:
    period = report_period(None, None, today=date(2026, 12, 1))  # a Tuesday

    assert (period.first, period.last) == (date(2026, 9, 13), date(2026, 12, 1))
    assert len(week_starts(period)) == 12
    assert month_starts(period) == [
        date(2026, 9, 13),
        date(2026, 10, 1),
        date(2026, 11, 1),
        date(2026, 12, 1),
    ]
    # Local midnights: Israel's summer time (UTC+3) at the start, winter time (UTC+2) at the end.
    assert (period.start.utcoffset(), period.end.utcoffset()) == (timedelta(hours=3), timedelta(hours=2))


@pytest.mark.parametrize(
    ("first", "last", "field", "code"),
    [
        ("2026-02-30", None, "from", "bad_date"),
        (None, "tomorrow", "to", "bad_date"),
        ("2026-11-02", "2026-11-01", "to", "period_reversed"),
        ("2024-12-31", "2026-01-01", "to", "period_too_long"),
    ],
)
def test_a_bad_period_names_its_field(first: str | None, last: str | None, field: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        report_period(first, last, today=date(2026, 12, 1))

    assert (refused.value.field, refused.value.code) == (field, code)


def test_the_pattern_reads_summer_and_winter_times_in_their_own_offset() -> None:
    summer = datetime.fromisoformat("2026-07-01T15:00:00+00:00")  # 18:00 on a Wednesday, UTC+3
    winter = datetime.fromisoformat("2026-12-05T22:30:00+00:00")  # 00:30 on Sunday, UTC+2

    weekdays, hours = appointment_pattern([(summer, 2), (winter, 1)])

    assert weekdays == [1, 0, 0, 2, 0, 0, 0]
    assert (hours[18], hours[0], sum(hours)) == (2, 1, 3)


async def test_the_page_shows_an_empty_period_and_names_a_bad_date(client: httpx.AsyncClient) -> None:
    await page_login(client, ADMIN)

    empty = await client.get("/admin/reports?from=2026-01-01&to=2026-01-31")
    bad = await client.get("/admin/reports?from=2026-01-01&to=31/01/2026")

    assert empty.status_code == 200
    assert empty.text.count('data-chart="') == 7
    assert '<tr data-month="2026-01">' in empty.text
    assert bad.status_code == 422
    assert 'id="to-error" role="alert">Enter a date as YYYY-MM-DD.' in bad.text
    assert "data-chart=" not in bad.text
