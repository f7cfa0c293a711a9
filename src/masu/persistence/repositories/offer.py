"""Offers of bookings to professionals: waves, conditional answers, expiry."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.models import Booking, BookingStatusChange, Offer, ProfessionalTreatment, User

PENDING, ACCEPTED, DECLINED, EXPIRED, WITHDRAWN = "pending", "accepted", "declined", "expired", "withdrawn"


async def round_started_at(session: AsyncSession, booking_id: str) -> datetime:
    """When the booking last entered pending_professional (offers before that belong to an earlier round)."""
    query = sa.select(sa.func.max(BookingStatusChange.occurred_at)).where(
        BookingStatusChange.booking_id == booking_id, BookingStatusChange.status == "pending_professional"
    )
    started = (await session.execute(query)).scalar_one()
    assert started is not None, "dispatch only runs for bookings that entered pending_professional"
    return started


async def offered_since(session: AsyncSession, booking_id: str, since: datetime) -> tuple[set[str], int]:
    """Professionals offered the booking since `since`, and the highest wave number ever used."""
    rows = await session.execute(
        sa.select(Offer.professional_id, Offer.wave, Offer.created_at).where(Offer.booking_id == booking_id)
    )
    offered, last_wave = set(), 0
    for professional_id, wave, created_at in rows.all():
        last_wave = max(last_wave, wave)
        if created_at >= since:
            offered.add(professional_id)
    return offered, last_wave


async def live_offer_professionals(session: AsyncSession, booking_id: str, now: datetime) -> set[str]:
    """Professionals holding an offer of the booking still open for an answer."""
    query = sa.select(Offer.professional_id).where(
        Offer.booking_id == booking_id, Offer.response_status == PENDING, Offer.expires_at > now
    )
    return set((await session.execute(query)).scalars())


async def get_offer(session: AsyncSession, offer_id: str) -> Offer | None:
    """The offer with this id."""
    return await session.get(Offer, offer_id, populate_existing=True)


async def answer_if_pending(session: AsyncSession, offer_id: str, *, status: str, now: datetime) -> bool:
    """Record an answer only while the offer is pending and unexpired; False when it is too late (atomic)."""
    result = await session.execute(
        sa.update(Offer)
        .where(Offer.id == offer_id, Offer.response_status == PENDING, Offer.expires_at > now)
        .values(response_status=status, response_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def withdraw_pending(session: AsyncSession, booking_id: str, now: datetime) -> list[Offer]:
    """Withdraw every offer of the booking still pending (the booking was taken); the withdrawn offers."""
    result = await session.execute(
        sa.update(Offer)
        .where(Offer.booking_id == booking_id, Offer.response_status == PENDING)
        .values(response_status=WITHDRAWN, response_at=now)
        .returning(Offer)
        .execution_options(synchronize_session=False)
    )
    return list(result.scalars())


async def expire_due(session: AsyncSession, now: datetime, limit: int) -> list[Offer]:
    """Expire up to `limit` pending offers past their deadline, skipping any another worker holds."""
    due = (
        sa.select(Offer.id)
        .where(Offer.response_status == PENDING, Offer.expires_at <= now)
        .order_by(Offer.expires_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    result = await session.execute(
        sa.update(Offer)
        .where(Offer.id.in_(due.scalar_subquery()), Offer.response_status == PENDING)
        .values(response_status=EXPIRED, response_at=now)
        .returning(Offer)
        .execution_options(synchronize_session=False)
    )
    return list(result.scalars())


async def offers_of_booking(session: AsyncSession, booking_id: str) -> list[tuple[Offer, str]]:
    """Every offer of a booking with the professional's name, by wave and score."""
    query = (
        sa.select(Offer, User.name)
        .join(User, User.id == Offer.professional_id)
        .where(Offer.booking_id == booking_id)
        .order_by(Offer.wave, Offer.match_score.desc(), Offer.id)
    )
    return [(offer, name) for offer, name in (await session.execute(query)).all()]


async def offers_of_professional(
    session: AsyncSession, professional_id: str, limit: int = 100
) -> list[tuple[Offer, Booking]]:
    """A professional's most recent offers with their bookings."""
    query = (
        sa.select(Offer, Booking)
        .join(Booking, Booking.id == Offer.booking_id)
        .where(Offer.professional_id == professional_id)
        .order_by(Offer.created_at.desc(), Offer.id)
        .limit(limit)
    )
    return [(offer, booking) for offer, booking in (await session.execute(query)).all()]


async def own_pay(
    session: AsyncSession, professional_id: str, treatment_id: str, duration_key: int
) -> int | None:
    """The professional's own pay for a treatment and duration, if they set one."""
    query = sa.select(ProfessionalTreatment.professional_pay).where(
        ProfessionalTreatment.professional_id == professional_id,
        ProfessionalTreatment.treatment_id == treatment_id,
        ProfessionalTreatment.duration_minutes == duration_key,
    )
    return (await session.execute(query)).scalar_one_or_none()


async def unstaffed_at(session: AsyncSession, now: datetime, limit: int) -> list[str]:
    """Bookings whose visit time has come with nobody assigned."""
    query = (
        sa.select(Booking.id)
        .where(Booking.status == "pending_professional", Booking.booking_date_time <= now)
        .order_by(Booking.booking_date_time)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def mark_declined(session: AsyncSession, booking_id: str, professional_id: str, now: datetime) -> None:
    """Record that a professional gave the booking back, so it is never offered to them again.

    Their accepted offer keeps its answer time (it feeds their response-time statistics); one assigned by an
    admin has no offer, so a declined one is added.
    """
    updated = await session.execute(
        sa.update(Offer)
        .where(
            Offer.booking_id == booking_id,
            Offer.professional_id == professional_id,
            Offer.response_status == ACCEPTED,
        )
        .values(response_status=DECLINED)
    )
    if getattr(updated, "rowcount", 0) == 0:
        session.add(
            Offer(
                booking_id=booking_id,
                professional_id=professional_id,
                wave=0,
                match_score=0.0,
                notified_at=None,
                expires_at=now,
                response_status=DECLINED,
                response_at=now,
                created_at=now,
            )
        )


async def professionals_offered_at(session: AsyncSession, *, booking_id: str, at: datetime) -> list[User]:
    """Professionals whose offer of the booking was open at `at` (not yet answered, expired or withdrawn)."""
    query = (
        sa.select(User)
        .join(Offer, Offer.professional_id == User.id)
        .where(
            Offer.booking_id == booking_id,
            Offer.created_at <= at,
            Offer.expires_at > at,
            Offer.response_status != "accepted",
            sa.or_(Offer.response_at.is_(None), Offer.response_at >= at),
        )
        .order_by(User.id)
        .distinct()
    )
    return list((await session.execute(query)).scalars())


async def withdraw_accepted(
    session: AsyncSession, booking_id: str, professional_id: str | None, now: datetime
) -> None:
    """Mark the professional's accepted offer of the booking withdrawn (they were unassigned)."""
    await session.execute(
        sa.update(Offer)
        .where(
            Offer.booking_id == booking_id,
            Offer.professional_id == professional_id,
            Offer.response_status == "accepted",
        )
        .values(response_status="withdrawn", response_at=now)
    )
