"""Helpers for the review tests: a booking taken through its visit to pending_review, and what it holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import sqlalchemy as sa

from masu.bootstrap import Container
from masu.clock import SettableClock
from masu.persistence.models import Booking, OutboxEvent, ProfessionalStats, ReviewCycle
from masu.worker.runner import Worker
from tests.factories import CUSTOMER, VISIT_STEPS, book, login, professional, step_time

VISIT = "2026-12-04T12:00:00+02:00"  # Friday noon in Tel Aviv: four demo professionals are eligible


@dataclass(frozen=True)
class Treated:
    """A booking its professional has completed (now pending_review), and the people around it."""

    booking_id: str
    professional_id: str
    customer: dict[str, str]
    professional: dict[str, str]
    completed_at: datetime


async def treat(
    client: httpx.AsyncClient,
    container: Container,
    clock: SettableClock,
    *,
    visit: str = VISIT,
    pro: str = "Avi Pro",
    customer: tuple[str, str] = CUSTOMER,
    completes_at: datetime | None = None,
    ends_in: str = "pending_review",
) -> Treated:
    """Book `visit`, offer it (one worker pass), let `pro` accept, then move the clock through the visit's
    steps in time (shifted so that it completes at `completes_at` if given); asserts it ends in `ends_in`."""
    customer_headers = await login(client, customer)
    booking = await book(client, customer_headers, bookingDateTime=visit)
    await Worker(container, container.bus).run_once(clock.now())
    pro_headers = await login(client, professional(pro))
    offers = (await client.get("/api/v1/professional/offers", headers=pro_headers)).json()
    offer = next(o for o in offers if o["bookingId"] == booking["id"])
    accepted = await client.post(f"/api/v1/offers/{offer['id']}/accept", headers=pro_headers)
    assert accepted.status_code == 200, accepted.text
    minutes = booking["durationMinutes"]
    starts_at = datetime.fromisoformat(visit)
    if completes_at is not None:
        starts_at = completes_at - timedelta(minutes=minutes)
    done = accepted
    for move in VISIT_STEPS:
        clock.set(step_time(move, starts_at, minutes))
        if move == "on-way":  # days may have passed since the log-ins: tokens of today
            customer_headers, pro_headers = (
                await login(client, customer),
                await login(client, professional(pro)),
            )
        done = await client.post(f"/api/v1/bookings/{booking['id']}/{move}", headers=pro_headers)
        assert done.status_code == 200, done.text
    assert done.json()["status"] == ends_in
    return Treated(booking["id"], done.json()["professionalId"], customer_headers, pro_headers, clock.now())


async def booking_row(container: Container, booking_id: str) -> Booking:
    """The booking as stored now."""
    async with container.sessions() as session:
        booking = await session.get(Booking, booking_id)
        assert booking is not None
        return booking


async def requested_steps(container: Container, booking_id: str) -> list[tuple[str, datetime]]:
    """The `review.requested` events of a booking: (step, when), in order."""
    async with container.sessions() as session:
        rows = await session.execute(
            sa.select(OutboxEvent.payload, OutboxEvent.occurred_at)
            .where(OutboxEvent.booking_id == booking_id, OutboxEvent.event_type == "review.requested")
            .order_by(OutboxEvent.id)
        )
        return [(payload["step"], occurred_at) for payload, occurred_at in rows.all()]


async def event_types(container: Container, booking_id: str) -> list[str]:
    """The types of a booking's events, in order."""
    async with container.sessions() as session:
        rows = await session.execute(
            sa.select(OutboxEvent.event_type)
            .where(OutboxEvent.booking_id == booking_id)
            .order_by(OutboxEvent.id)
        )
        return list(rows.scalars())


async def cycle(container: Container, booking_id: str) -> tuple[str, datetime] | None:
    """The booking's pending review step and when it is due, or None when its cycle is over."""
    async with container.sessions() as session:
        row = await session.get(ReviewCycle, booking_id)
        return (row.next_step, row.next_step_at) if row else None


async def rating_of(container: Container, professional_id: str) -> tuple[float | None, int]:
    """The professional's stored rating average and count (their standing's record)."""
    async with container.sessions() as session:
        stats = await session.get(ProfessionalStats, professional_id)
        assert stats is not None
        return stats.rating_average, stats.rating_count
