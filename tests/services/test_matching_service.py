"""Dispatch's best-first query picks exactly whom matching would pick, on worlds of random professionals."""

from __future__ import annotations

import random
from dataclasses import asdict
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from masu.bootstrap import Container
from masu.domain.standing import ProfessionalRecord, standing_score
from masu.persistence.models import (
    Booking,
    City,
    Offer,
    ProfessionalCoverage,
    ProfessionalProfile,
    ProfessionalStats,
    Treatment,
    TreatmentDuration,
    User,
)
from masu.services.account.accounts import Registration
from masu.services.dispatch.matching import next_candidates, ranked_candidates
from masu.services.professional import profiles as professionals
from masu.services.professional import standing
from tests.conftest import NOW, TEST_PASSWORDS
from tests.factories import ADMIN, CUSTOMER, OTHER_CUSTOMER, THIRD_CUSTOMER, book, login, user_id_of, visit_at

HAIFA = (32.7940, 34.9896)  # about 81 km from Tel Aviv
NEAR_TEL_AVIV = [("Tel Aviv", 0.7), ("Ramat Gan", 0.5), ("Herzliya", 0.4), ("Haifa", 0.1)]


async def _pro_id(session: AsyncSession, name: str) -> str:
    return (await session.execute(sa.select(User.id).where(User.name == name))).scalar_one()


async def _booking(session: AsyncSession, booking_id: str) -> Booking:
    row = await session.get(Booking, booking_id)
    assert row is not None
    return row


async def test_a_radius_brings_a_far_professional_in_and_removing_it_takes_them_out(
    client: httpx.AsyncClient, container: Container
) -> None:
    booking = await book(client, await login(client, CUSTOMER), bookingDateTime="2026-12-04T12:00:00+02:00")
    async with container.sessions() as session:
        eli = await _pro_id(session, "Eli Pro")
        await professionals.set_location(session, user_id=eli, base=HAIFA, radius_km=100)
        await session.commit()
    async with container.sessions() as session:
        row = await _booking(session, booking["id"])
        picked = await next_candidates(session, row, exclude=(), size=10)
        everyone = await ranked_candidates(session, row)

    assert {e.name for e in picked} == {"Avi Pro", "Rina Pro", "Shira Pro", "Efrat Pro", "Eli Pro"}
    assert [e.professional_id for e in picked] == [e.professional_id for e in everyone if e.eligible]
    eli_picked = next(e for e in picked if e.name == "Eli Pro")
    assert eli_picked.distance_km is not None
    assert 80 < eli_picked.distance_km < 82
    assert eli_picked.match_score < picked[0].match_score  # 81 km away: no distance points at all
    assert len(everyone) == 20

    async with container.sessions() as session:
        await professionals.set_location(session, user_id=eli, base=HAIFA, radius_km=None)
        await session.commit()
    async with container.sessions() as session:
        picked = await next_candidates(session, await _booking(session, booking["id"]), exclude=(), size=10)
    assert "Eli Pro" not in {e.name for e in picked}


async def test_moving_a_city_rescores_and_rechecks_the_radius(
    client: httpx.AsyncClient, container: Container
) -> None:
    async with container.sessions() as session:
        eli = await _pro_id(session, "Eli Pro")
        await professionals.set_location(session, user_id=eli, base=HAIFA, radius_km=20)
        await session.commit()
        ashdod = (await session.execute(sa.select(City.id).where(City.name == "Ashdod"))).scalar_one()
    admin = await login(client, ("0500000001", "admin-demo-pass"))

    moved = await client.patch(
        f"/api/v1/admin/cities/{ashdod}", json={"latitude": 32.80, "longitude": 35.00}, headers=admin
    )

    assert moved.status_code == 200, moved.text
    async with container.sessions() as session:
        row = await session.get(ProfessionalCoverage, (ashdod, eli))
    assert row is not None
    assert row.by_radius
    assert row.distance_km is not None
    assert row.distance_km < 2


# --- random worlds ---------------------------------------------------------------------------------


async def _offerable(session: AsyncSession) -> list[tuple[str, int]]:
    """Every (treatment, duration key) a professional can offer: 0 stands for a fixed-price treatment."""
    rows = await session.execute(
        sa.select(Treatment.id, Treatment.pricing_type, TreatmentDuration.minutes).outerjoin(
            TreatmentDuration, TreatmentDuration.treatment_id == Treatment.id
        )
    )
    return sorted({(tid, 0 if kind == "fixed" else int(minutes)) for tid, kind, minutes in rows.all()})


def _random_record(rng: random.Random) -> ProfessionalRecord:
    received = rng.randint(0, 40)
    answered = rng.randint(0, received)
    return ProfessionalRecord(
        rating_average=rng.choice([None, round(rng.uniform(1, 5), 2)]),
        rating_count=rng.randint(0, 60),
        offers_received=received,
        offers_answered=answered,
        offers_accepted=rng.randint(0, answered),
        median_response_seconds=rng.choice([None, rng.uniform(5, 2000)]),
        recent_jobs=rng.choice([0, 0, 0, rng.randint(1, 25)]),
    )


async def _random_professional(
    session: AsyncSession, rng: random.Random, index: int, cities: dict[str, str], offerable: list[tuple]
) -> str:
    profile = await professionals.create_professional(
        session,
        now=NOW,
        registration=Registration(
            f"World Pro {''.join('abcdefghij'[int(digit)] for digit in f'{index:03d}')}",  # names: no digits
            f"05899{index:05d}",
            "world-pass-1",
            gender=rng.choice(["male", "female", None]),
        ),
        approved=rng.random() < 0.85,
        passwords=TEST_PASSWORDS,
    )
    pid = profile.user_id
    listed = [cities[name] for name, chance in NEAR_TEL_AVIV if rng.random() < chance]
    await professionals.set_cities(session, user_id=pid, city_ids=listed)
    near = (32.0853 + rng.uniform(-0.4, 0.4), 34.7818 + rng.uniform(-0.3, 0.3))
    base = rng.choice([None, None, near, HAIFA])
    radius = rng.choice([None, rng.randint(3, 60)]) if base is not None else None
    await professionals.set_location(session, user_id=pid, base=base, radius_km=radius)
    offered = rng.sample(offerable, rng.randint(0, len(offerable)))
    await professionals.set_treatments(
        session,
        user_id=pid,
        offered=[professionals.OfferedTreatment(t, d or None) for t, d in offered],
    )
    await professionals.set_hours(session, user_id=pid, hours=_random_hours(rng))
    profile.is_active = rng.random() < 0.95
    if rng.random() < 0.05:
        await session.execute(sa.update(User).where(User.id == pid).values(is_active=False))
    return pid


def _random_hours(rng: random.Random) -> list[professionals.Interval]:
    hours = []
    for day in range(7):
        if rng.random() < 0.2:
            continue
        if rng.random() < 0.2:  # round the clock, so visits across midnight can be taken
            hours.append(professionals.Interval(day, 0, 1440))
            continue
        start = rng.randrange(0, 16 * 60, 30)
        hours.append(professionals.Interval(day, start, min(1440, start + rng.randrange(120, 12 * 60, 30))))
    return hours


async def _store_records(session: AsyncSession, rng: random.Random, ids: list[str]) -> None:
    """Give everyone a random stored record and standing, and rescore their coverage from it."""
    for pid in ids:
        # A third keep a newcomer's record, so equal scores (broken by id) are common.
        record = _random_record(rng) if rng.random() < 0.67 else ProfessionalRecord()
        stats = await session.get(ProfessionalStats, pid)
        assert stats is not None, "every professional has a standing from the start"
        for field, value in asdict(record).items():
            setattr(stats, field, value)
        stats.standing_score = standing_score(record)
    await session.flush()
    await standing.rebuild_coverage(session, ids)


async def _random_bookings(client: httpx.AsyncClient, rng: random.Random, offerable: Any) -> list[str]:
    """Visits at any hour, as an admin forcing the times (the random world may have nobody free then)."""
    treatments = {t["id"]: t for t in (await client.get("/api/v1/treatments")).json()}
    admin = await login(client, ADMIN)
    made = []
    for who in (CUSTOMER, OTHER_CUSTOMER, THIRD_CUSTOMER):
        owner = await user_id_of(client, who)
        for _ in range(5):
            treatment_id, minutes = rng.choice(offerable)
            wants_gender = treatments[treatment_id].get("allowsGenderPreference")
            booking = await book(
                client,
                admin,
                userId=owner,
                force=True,
                treatmentId=treatment_id,
                durationMinutes=minutes or None,
                bookingDateTime=visit_at(days=rng.randint(2, 4), hour_local=rng.randint(0, 23)),
                address={"street": "Herzl 1", "city": rng.choice(["Tel Aviv", "Ramat Gan", "Herzliya"])},
                therapistGenderPreference=rng.choice(["any", "male", "female"]) if wants_gender else "any",
            )
            made.append(booking["id"])
    return made


async def _top_eligible(session: AsyncSession, booking_id: str, count: int) -> list[str]:
    ranked = await ranked_candidates(session, await _booking(session, booking_id))
    return [e.professional_id for e in ranked if e.eligible][:count]


async def _occupy(session: AsyncSession, rng: random.Random, bookings: list[str]) -> None:
    """Give some of the best candidates other visits near the booking's time, and make others decline."""
    for busy_id in bookings[:4]:
        near_id = rng.choice(bookings[4:])
        near = await _booking(session, near_id)
        top = await _top_eligible(session, near_id, 3)
        if not top:
            continue
        shift = timedelta(minutes=rng.choice([-150, -90, -60, -30, 0, 30, 60, 90]))
        length = near.ends_at - near.booking_date_time
        await session.execute(
            sa.update(Booking)
            .where(Booking.id == busy_id)
            .values(
                status="confirmed",
                professional_id=rng.choice(top),
                booking_date_time=near.booking_date_time + shift,
                ends_at=near.booking_date_time + shift + length,
            )
        )
    for booking_id in bookings[4:]:
        top = await _top_eligible(session, booking_id, 8)
        for pid in rng.sample(top, min(2, len(top))):
            session.add(
                Offer(
                    booking_id=booking_id,
                    professional_id=pid,
                    wave=1,
                    match_score=0.5,
                    notified_at=NOW,
                    expires_at=NOW + timedelta(minutes=15),
                    response_status="declined",
                    response_at=NOW,
                    created_at=NOW,
                )
            )
        await session.flush()


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_query_picks_exactly_whom_matching_would(
    client: httpx.AsyncClient, container: Container, seed: int
) -> None:
    rng = random.Random(seed)
    async with container.sessions() as session:
        cities = {c.name: c.id for c in (await session.execute(sa.select(City))).scalars()}
        offerable = await _offerable(session)
        world = [await _random_professional(session, rng, i, cities, offerable) for i in range(40)]
        demo = list((await session.execute(sa.select(ProfessionalProfile.user_id))).scalars())
        await _store_records(session, rng, sorted(set(world) | set(demo)))
        await session.commit()
    bookings = await _random_bookings(client, rng, offerable)
    async with container.sessions() as session:
        await _occupy(session, rng, bookings)
        await session.commit()

    compared = 0
    async with container.sessions() as session:
        for booking_id in bookings[4:]:
            row = await _booking(session, booking_id)
            eligible = [e.professional_id for e in await ranked_candidates(session, row) if e.eligible]
            for _ in range(5):
                exclude = set(rng.sample(eligible, rng.randint(0, len(eligible) // 2)))
                size = rng.randint(1, 12)
                picked = await next_candidates(session, row, exclude=exclude, size=size)
                assert [e.professional_id for e in picked] == [p for p in eligible if p not in exclude][:size]
                compared += len(picked)
    assert compared > 30  # the worlds are not so strict that nobody is ever picked


async def test_new_professionals_start_as_newcomers_in_their_cities(container: Container) -> None:
    async with container.sessions() as session:
        profile = await professionals.create_professional(
            session,
            now=NOW,
            registration=Registration("Fresh Pro", "0589900999", "fresh-pass-1"),
            approved=True,
            passwords=TEST_PASSWORDS,
        )
        tel_aviv = (await session.execute(sa.select(City.id).where(City.name == "Tel Aviv"))).scalar_one()
        await professionals.set_cities(session, user_id=profile.user_id, city_ids=[tel_aviv])
        await session.commit()
        stats = await session.get(ProfessionalStats, profile.user_id)
        coverage = await session.get(ProfessionalCoverage, (tel_aviv, profile.user_id))

    newcomer = standing_score(ProfessionalRecord())
    assert stats is not None
    assert stats.standing_score == newcomer
    assert stats.refreshed_at == NOW
    assert coverage is not None
    assert not coverage.by_radius
    assert coverage.distance_km is None
    assert coverage.match_score == round(newcomer + 0.3 * 0.5, 4)  # no base: half the distance points
