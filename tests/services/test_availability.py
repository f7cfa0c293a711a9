"""The wizard's times: a slot is offered exactly when some professional could take the visit then.

The demo world (tests/conftest.py): 20 professionals working 08:00-22:00 every day, four of them covering
Tel Aviv (two men, two women); the test clock stands at Tuesday 1 December 2026, 10:00 in Israel.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import httpx
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from masu.bootstrap import Container
from masu.domain.access import Principal, Role
from masu.domain.errors import ValidationFailed
from masu.domain.pricing import BUSINESS_TZ
from masu.persistence.models import Booking, City, ProfessionalCity, ProfessionalProfile, Treatment, User
from masu.services.booking.availability import SlotQuery, candidate_starts, open_slots, slot_is_open
from masu.services.booking.creation import NewBooking, create_booking, price_booking
from masu.services.professional import profiles as professionals
from tests.conftest import NOW
from tests.factories import CUSTOMER, OTHER_CUSTOMER, book, login, visit_at

THURSDAY = date(2026, 12, 3)


async def _ids(session: AsyncSession, treatment: str, city: str) -> tuple[str, str]:
    treatment_id = (
        await session.execute(sa.select(Treatment.id).where(Treatment.name == treatment))
    ).scalar_one()
    city_id = (await session.execute(sa.select(City.id).where(City.name == city))).scalar_one()
    return treatment_id, city_id


def _times(slots: list[datetime]) -> list[str]:
    return [slot.astimezone(BUSINESS_TZ).strftime("%H:%M") for slot in slots]


def _every_half_hour(first: str, last: str) -> list[str]:
    start = datetime.combine(THURSDAY, time.fromisoformat(first))
    end = datetime.combine(THURSDAY, time.fromisoformat(last))
    steps = int((end - start) / timedelta(minutes=30)) + 1
    return [(start + i * timedelta(minutes=30)).strftime("%H:%M") for i in range(steps)]


async def _slots(container: Container, query: SlotQuery) -> list[str]:
    async with container.sessions() as session:
        return _times(await open_slots(session, now=NOW, policy=container.policy, query=query))


async def _tel_aviv_professionals(session: AsyncSession, gender: str) -> list[str]:
    rows = await session.execute(
        sa.select(User.id)
        .join(ProfessionalCity, ProfessionalCity.professional_id == User.id)
        .join(City, City.id == ProfessionalCity.city_id)
        .where(City.name == "Tel Aviv", User.gender == gender)
    )
    return list(rows.scalars())


async def test_a_day_offers_every_half_hour_in_which_the_whole_visit_fits_the_working_hours(
    container: Container,
) -> None:
    async with container.sessions() as session:
        swedish, tel_aviv = await _ids(session, "Swedish Massage", "Tel Aviv")

    hour = await _slots(container, SlotQuery(swedish, 60, tel_aviv, THURSDAY))
    hour_and_a_half = await _slots(container, SlotQuery(swedish, 90, tel_aviv, THURSDAY))

    assert hour == _every_half_hour("08:00", "21:00")
    assert hour_and_a_half == _every_half_hour("08:00", "20:30")


async def test_today_starts_after_the_lead_time_and_nothing_is_offered_past_the_horizon(
    container: Container,
) -> None:
    async with container.sessions() as session:
        swedish, tel_aviv = await _ids(session, "Swedish Massage", "Tel Aviv")

    today = await _slots(container, SlotQuery(swedish, 60, tel_aviv, date(2026, 12, 1)))
    far = await _slots(container, SlotQuery(swedish, 60, tel_aviv, date(2027, 1, 5)))

    assert today[0] == "12:00"  # 10:00 now + the 2 hours of lead time
    assert today[-1] == "21:00"
    assert far == []


async def test_slots_follow_the_hours_of_the_professionals_of_the_asked_gender(container: Container) -> None:
    async with container.sessions() as session:
        deep_tissue, tel_aviv = await _ids(session, "Deep Tissue Massage", "Tel Aviv")
        women = await _tel_aviv_professionals(session, "female")
        for woman in women:
            afternoons = [professionals.Interval(day, 14 * 60, 18 * 60) for day in range(7)]
            await professionals.set_hours(session, user_id=woman, hours=afternoons)
        await session.commit()

    anyone = await _slots(container, SlotQuery(deep_tissue, 60, tel_aviv, THURSDAY, "any"))
    a_woman = await _slots(container, SlotQuery(deep_tissue, 60, tel_aviv, THURSDAY, "female"))

    assert len(women) == 2
    assert anyone == _every_half_hour("08:00", "21:00")
    assert a_woman == _every_half_hour("14:00", "17:00")


async def test_one_slot_is_checked_alone_with_the_same_answer(container: Container) -> None:
    async with container.sessions() as session:
        swedish, tel_aviv = await _ids(session, "Swedish Massage", "Tel Aviv")
        query = SlotQuery(swedish, 60, tel_aviv, THURSDAY)
        policy = container.policy

        def at(clock: str) -> datetime:
            return datetime.combine(THURSDAY, time.fromisoformat(clock), tzinfo=BUSINESS_TZ)

        assert await slot_is_open(session, now=NOW, policy=policy, query=query, starts_at=at("12:00"))
        assert not await slot_is_open(session, now=NOW, policy=policy, query=query, starts_at=at("21:30"))
        assert not await slot_is_open(session, now=NOW, policy=policy, query=query, starts_at=at("12:10"))


@pytest.mark.parametrize(
    ("treatment", "duration", "city", "field"),
    [
        ("Swedish Massage", 45, "Tel Aviv", "durationMinutes"),
        ("Swedish Massage", 60, "nowhere", "city"),
    ],
)
async def test_an_unknown_duration_or_city_is_refused_by_name(
    container: Container, treatment: str, duration: int, city: str, field: str
) -> None:
    async with container.sessions() as session:
        treatment_id, tel_aviv = await _ids(session, treatment, "Tel Aviv")
        query = SlotQuery(treatment_id, duration, tel_aviv if city == "Tel Aviv" else "0" * 32, THURSDAY)
        with pytest.raises(ValidationFailed) as refused:
            await open_slots(session, now=NOW, policy=container.policy, query=query)

    assert refused.value.field == field


async def test_the_summary_price_is_the_price_the_booking_gets(container: Container) -> None:
    async with container.sessions() as session:
        swedish, _ = await _ids(session, "Swedish Massage", "Tel Aviv")
        customer = (await session.execute(sa.select(User).where(User.name == "Noa Cohen"))).scalar_one()
        command = NewBooking(
            treatment_id=swedish,
            duration_minutes=90,
            starts_at=datetime(2026, 12, 5, 20, 30, tzinfo=BUSINESS_TZ),  # a Saturday evening: two surcharges
            recipient_name="Noa Cohen",
            recipient_phone="052-0000001",
            recipient_email=None,
            street="Herzl 10",
            city="Tel Aviv",
            building=None,
            apartment=None,
            gender_preference="any",
            notes=None,
            coupon_code="WELCOME10",
        )
        policy = container.policy
        quoted = await price_booking(
            session, now=NOW, policy=policy, customer_id=customer.id, command=command
        )
        principal = Principal(customer.id, customer.name, frozenset({Role.CUSTOMER}))
        made = await create_booking(session, now=NOW, policy=policy, principal=principal, command=command)

    assert len(quoted.surcharges) == 2
    assert quoted.discount > 0
    assert made.booking.final_amount == quoted.final_amount
    assert made.booking.discount == quoted.discount


def _random_hours(rng: random.Random) -> list[professionals.Interval]:
    """Hours on some days: none, round the clock (for visits across midnight), or one random shift."""
    hours = []
    for day in range(7):
        roll = rng.random()
        if roll < 0.15:
            continue
        if roll < 0.3:
            hours.append(professionals.Interval(day, 0, 1440))
            continue
        start = rng.randrange(6 * 60, 20 * 60, 30)
        hours.append(professionals.Interval(day, start, min(1440, start + rng.randrange(60, 10 * 60, 30))))
    return hours


async def _random_busy_visits(session: AsyncSession, rng: random.Random, bookings: list[str]) -> None:
    """Assign each booking to a random professional at a random time of the Thursday (or around it)."""
    pros = list((await session.execute(sa.select(ProfessionalProfile.user_id))).scalars())
    for booking_id in bookings:
        starts = datetime.combine(THURSDAY, time(rng.randrange(5, 24)), tzinfo=BUSINESS_TZ)
        starts += timedelta(minutes=rng.choice([0, 15, 30, 45]))
        await session.execute(
            sa.update(Booking)
            .where(Booking.id == booking_id)
            .values(
                status=rng.choice(["confirmed", "on_way", "in_treatment", "cancelled"]),
                professional_id=rng.choice(pros),
                booking_date_time=starts,
                ends_at=starts + timedelta(minutes=rng.choice([60, 90, 120])),
            )
        )


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_days_times_are_exactly_the_starts_the_dispatch_query_finds_someone_for(
    client: httpx.AsyncClient, container: Container, seed: int
) -> None:
    rng = random.Random(seed)
    headers = await login(client, CUSTOMER)
    bookings = [(await book(client, headers, bookingDateTime=visit_at(days=5)))["id"] for _ in range(5)]
    headers = await login(client, OTHER_CUSTOMER)
    bookings += [(await book(client, headers, bookingDateTime=visit_at(days=6)))["id"] for _ in range(5)]
    async with container.sessions() as session:
        for pro in (await session.execute(sa.select(ProfessionalProfile.user_id))).scalars().all():
            await professionals.set_hours(session, user_id=pro, hours=_random_hours(rng))
        await _random_busy_visits(session, rng, bookings)
        await session.commit()

    compared = 0
    async with container.sessions() as session:
        for treatment, duration, city, gender in (
            ("Swedish Massage", 60, "Tel Aviv", "any"),
            ("Swedish Massage", 120, "Ramat Gan", "any"),
            ("Deep Tissue Massage", 90, "Tel Aviv", "female"),
            ("Deep Tissue Massage", 60, "Herzliya", "male"),
            ("Classic Facial", None, "Tel Aviv", "any"),
        ):
            treatment_id, city_id = await _ids(session, treatment, city)
            query = SlotQuery(treatment_id, duration, city_id, THURSDAY, gender)
            policy = container.policy
            shown = await open_slots(session, now=NOW, policy=policy, query=query)
            one_by_one = [
                start
                for start in candidate_starts(THURSDAY, now=NOW, policy=policy)
                if await slot_is_open(session, now=NOW, policy=policy, query=query, starts_at=start)
            ]
            assert shown == one_by_one, (treatment, duration, city, gender)
            compared += len(candidate_starts(THURSDAY, now=NOW, policy=policy))

    assert compared == 5 * 31


TEL_AVIV_VISITS = (
    ("Swedish Massage", 60, "any"),
    ("Swedish Massage", 120, "any"),
    ("Deep Tissue Massage", 90, "female"),
    ("Deep Tissue Massage", 60, "male"),
    ("Classic Facial", None, "any"),
)
THURSDAY_WEEKDAY = 3
# A Thursday shift (its start, from 06:00 to 22:00, and its length, both in half hours), or the day off.
shifts = st.one_of(st.none(), st.tuples(st.integers(12, 44), st.integers(2, 30)))
# An assigned visit: which Tel Aviv professional, its start in quarter hours of the day, its length.
visits = st.tuples(st.integers(0, 3), st.integers(5 * 4, 23 * 4), st.sampled_from([60, 90, 120]))
# Any five minutes of the day, half of the time a start on the half hour from 07:00 to 22:00.
minutes_of_day = st.one_of(
    st.integers(14, 44).map(lambda half: half * 30), st.integers(0, 287).map(lambda f: f * 5)
)


@pytest.fixture
async def spare_bookings(client: httpx.AsyncClient) -> list[str]:
    """Six bookings of other customers, to turn into the assigned visits each example draws."""
    made = []
    for who in (CUSTOMER, OTHER_CUSTOMER):
        headers = await login(client, who)
        made += [(await book(client, headers, bookingDateTime=visit_at(days=8)))["id"] for _ in range(3)]
    return made


async def _draw_world(
    session: AsyncSession,
    spare: list[str],
    hours: list[tuple[int, int] | None],
    busy: list[tuple[int, int, int]],
) -> None:
    """Give the Tel Aviv professionals the drawn Thursday shifts and assigned visits (not committed)."""
    pros = sorted(
        await _tel_aviv_professionals(session, "male") + await _tel_aviv_professionals(session, "female")
    )
    for pro, shift in zip(pros, hours, strict=True):
        start, length = (shift[0] * 30, shift[1] * 30) if shift else (0, 0)
        day = [professionals.Interval(THURSDAY_WEEKDAY, start, min(1440, start + length))] if shift else []
        await professionals.set_hours(session, user_id=pro, hours=day)
    for booking_id, (who, quarter, length) in zip(spare, busy, strict=False):
        starts = datetime.combine(THURSDAY, time(0), tzinfo=BUSINESS_TZ) + timedelta(minutes=15 * quarter)
        await session.execute(
            sa.update(Booking)
            .where(Booking.id == booking_id)
            .values(
                status="confirmed",
                professional_id=pros[who],
                booking_date_time=starts,
                ends_at=starts + timedelta(minutes=length),
            )
        )
    await session.flush()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    hours=st.lists(shifts, min_size=4, max_size=4),
    busy=st.lists(visits, max_size=6),
    visit=st.sampled_from(TEL_AVIV_VISITS),
    minute=minutes_of_day,
)
async def test_a_time_is_bookable_exactly_when_the_wizard_offers_it(
    container: Container,
    spare_bookings: list[str],
    hours: list[tuple[int, int] | None],
    busy: list[tuple[int, int, int]],
    visit: tuple[str, int | None, str],
    minute: int,
) -> None:
    treatment, duration, gender = visit
    starts_at = datetime.combine(THURSDAY, time(0), tzinfo=BUSINESS_TZ) + timedelta(minutes=minute)
    async with container.sessions() as session:
        try:  # each example's world lives in a transaction that is rolled back
            await _draw_world(session, spare_bookings, hours, busy)
            treatment_id, tel_aviv = await _ids(session, treatment, "Tel Aviv")
            query = SlotQuery(treatment_id, duration, tel_aviv, THURSDAY, gender)
            offered = await open_slots(session, now=NOW, policy=container.policy, query=query)
            customer = (
                await session.execute(sa.select(User).where(User.name == "Maya Mizrahi"))
            ).scalar_one()
            principal = Principal(customer.id, customer.name, frozenset({Role.CUSTOMER}))
            command = NewBooking(
                treatment_id=treatment_id,
                duration_minutes=duration,
                starts_at=starts_at,
                recipient_name="Maya Mizrahi",
                recipient_phone="052-0000003",
                recipient_email=None,
                street="Herzl 10",
                city="Tel Aviv",
                building=None,
                apartment=None,
                gender_preference=gender,
                notes=None,
                coupon_code=None,
            )
            try:
                await create_booking(
                    session, now=NOW, policy=container.policy, principal=principal, command=command
                )
                refusal = None
            except ValidationFailed as refused:
                refusal = (refused.field, refused.code)
        finally:
            await session.rollback()

    event("offered" if starts_at in offered else f"refused: {refusal[1] if refusal else 'no'}")
    if starts_at in offered:
        assert refusal is None
    else:
        assert refusal in {
            ("bookingDateTime", "no_professional_available"),
            ("bookingDateTime", "not_a_start_time"),
        }
        assert (refusal[1] == "not_a_start_time") == (minute % 30 != 0 or not 7 * 60 <= minute <= 22 * 60)
