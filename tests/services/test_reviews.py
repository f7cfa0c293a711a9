"""The review cycle through time: request, reminders, skipping, stopping, and the window's close.

With the services and a settable clock on both backends, and once with `masu worker --once --at` across the
spring DST change.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from masu.bootstrap import Container, build_container, review_schedule
from masu.clock import SettableClock
from masu.persistence.database import PROJECT_ROOT, upgrade_database
from masu.services.review.cycle import run_due_review_steps
from masu.web.app import create_app
from masu.worker.runner import Worker
from tests.conftest import settings_for
from tests.review_helpers import booking_row, cycle, event_types, requested_steps, treat

H, D = timedelta(hours=1), timedelta(days=1)
SECOND = timedelta(seconds=1)
MASU = Path(sys.executable).parent / "masu"
ISRAEL = ZoneInfo("Asia/Jerusalem")


async def _pass(container: Container, at: datetime) -> None:
    await Worker(container, container.bus).run_once(at)


async def test_request_then_reminders_at_24h_3d_7d_then_the_window_closes(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    treated = await treat(client, container, clock)
    t0 = treated.completed_at

    await _pass(container, t0)
    first_due = await cycle(container, treated.booking_id)
    await _pass(container, t0 + 24 * H - SECOND)
    assert (await booking_row(container, treated.booking_id)).first_reminder_sent_at is None
    for at in (t0 + 24 * H, t0 + 24 * H, t0 + 24 * H + 3 * D, t0 + 24 * H + 10 * D):
        await _pass(container, at)  # the repeated moment shows a second worker pass sends nothing twice
    await _pass(container, t0 + 24 * H + 17 * D - SECOND)
    still_waiting = await booking_row(container, treated.booking_id)
    await _pass(container, t0 + 24 * H + 17 * D)
    await _pass(container, t0 + 60 * D)

    assert first_due == ("first_reminder", t0 + 24 * H)
    assert still_waiting.status == "pending_review"
    booking = await booking_row(container, treated.booking_id)
    assert booking.status == "completed"
    assert booking.review_request_sent_at == t0
    assert booking.first_reminder_sent_at == t0 + 24 * H
    assert booking.second_reminder_sent_at == t0 + 24 * H + 3 * D
    assert booking.final_reminder_sent_at == t0 + 24 * H + 10 * D
    assert await requested_steps(container, treated.booking_id) == [
        ("request", t0),
        ("first_reminder", t0 + 24 * H),
        ("second_reminder", t0 + 24 * H + 3 * D),
        ("final_reminder", t0 + 24 * H + 10 * D),
    ]
    assert (await event_types(container, treated.booking_id))[-1] == "booking.review_window_closed"
    assert await cycle(container, treated.booking_id) is None


async def test_a_reminder_overtaken_by_the_next_one_is_skipped(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    treated = await treat(client, container, clock)
    t0 = treated.completed_at
    await _pass(container, t0)
    late = t0 + 24 * H + 3 * D + 5 * H  # the workers were down through both the first and second moments

    await _pass(container, late)

    booking = await booking_row(container, treated.booking_id)
    assert booking.first_reminder_sent_at is None
    assert booking.second_reminder_sent_at == late
    assert [step for step, _ in await requested_steps(container, treated.booking_id)] == [
        "request",
        "second_reminder",
    ]
    assert await cycle(container, treated.booking_id) == ("final_reminder", late + 7 * D)


async def test_no_reminder_after_a_review(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    treated = await treat(client, container, clock)
    t0 = treated.completed_at
    await _pass(container, t0)
    clock.set(t0 + 3 * H)
    reviewed = await client.post(
        f"/api/v1/bookings/{treated.booking_id}/review", json={"rating": 5}, headers=treated.customer
    )

    for at in (t0 + 24 * H, t0 + 5 * D, t0 + 12 * D, t0 + 30 * D):
        await _pass(container, at)

    assert reviewed.status_code == 201, reviewed.text
    booking = await booking_row(container, treated.booking_id)
    assert booking.status == "completed"
    reminders = (
        booking.first_reminder_sent_at,
        booking.second_reminder_sent_at,
        booking.final_reminder_sent_at,
    )
    assert reminders == (None, None, None)
    assert [step for step, _ in await requested_steps(container, treated.booking_id)] == ["request"]
    assert "booking.review_window_closed" not in await event_types(container, treated.booking_id)
    assert await cycle(container, treated.booking_id) is None


async def test_a_review_before_the_request_went_out_means_no_request(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    treated = await treat(client, container, clock)
    reviewed = await client.post(
        f"/api/v1/bookings/{treated.booking_id}/review", json={"rating": 4}, headers=treated.customer
    )

    await _pass(container, clock.now())
    await _pass(container, clock.now() + 2 * D)

    assert reviewed.status_code == 201, reviewed.text
    assert (await booking_row(container, treated.booking_id)).review_request_sent_at is None
    assert await requested_steps(container, treated.booking_id) == []
    assert await cycle(container, treated.booking_id) is None


async def test_no_reminder_once_the_booking_is_cancelled(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    treated = await treat(client, container, clock)
    t0 = treated.completed_at
    await _pass(container, t0)
    # The lifecycle offers no cancel from pending_review, so the cancellation is written as any other path
    # (an operator's correction) would: the cycle must notice the booking left the state that wanted it.
    async with container.sessions() as session:
        await session.execute(
            sa.text("UPDATE bookings SET status = 'cancelled' WHERE id = :id"), {"id": treated.booking_id}
        )
        await session.commit()

    for at in (t0 + 24 * H, t0 + 5 * D, t0 + 30 * D):
        await _pass(container, at)

    booking = await booking_row(container, treated.booking_id)
    assert booking.status == "cancelled"
    assert booking.first_reminder_sent_at is None
    assert [step for step, _ in await requested_steps(container, treated.booking_id)] == ["request"]
    assert "booking.review_window_closed" not in await event_types(container, treated.booking_id)
    assert await cycle(container, treated.booking_id) is None


async def test_two_workers_at_the_same_moment_send_a_reminder_once(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    treated = await treat(client, container, clock)
    await _pass(container, treated.completed_at)
    due = treated.completed_at + 24 * H

    async def one_worker() -> int:
        async with container.sessions() as session:
            done = await run_due_review_steps(session, now=due, schedule=review_schedule(container.settings))
            await session.commit()
            return done

    counts = await asyncio.gather(one_worker(), one_worker())

    assert sorted(counts) == [0, 1]
    assert [step for step, _ in await requested_steps(container, treated.booking_id)] == [
        "request",
        "first_reminder",
    ]


def test_the_upgrade_puts_bookings_already_waiting_for_a_review_into_the_cycle(database_url: str) -> None:
    booking_id, completed_at = asyncio.run(_waiting_without_a_cycle(database_url))
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", database_url)

    command.downgrade(config, "0011")
    upgrade_database(database_url)

    assert asyncio.run(_cycle_at(database_url, booking_id)) == ("request", completed_at)


async def _waiting_without_a_cycle(url: str) -> tuple[str, datetime]:
    """A booking completed into pending_review whose completion event no worker has handled yet."""
    clock = SettableClock(datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    container = build_container(settings_for(url), clock=clock)
    try:
        transport = httpx.ASGITransport(app=create_app(container))
        async with httpx.AsyncClient(transport=transport, base_url="http://masu.test") as client:
            treated = await treat(client, container, clock)
        assert await cycle(container, treated.booking_id) is None
        return treated.booking_id, treated.completed_at
    finally:
        await container.close()


async def _cycle_at(url: str, booking_id: str) -> tuple[str, datetime] | None:
    container = build_container(settings_for(url))
    try:
        return await cycle(container, booking_id)
    finally:
        await container.close()


@pytest.fixture
async def configured(database_url: str, clock: SettableClock) -> AsyncIterator[Container]:
    settings = settings_for(
        database_url,
        REVIEW_FIRST_REMINDER_HOURS=2,
        REVIEW_SECOND_REMINDER_DAYS=1,
        REVIEW_FINAL_REMINDER_DAYS=2,
        REVIEW_WINDOW_CLOSE_DAYS=3,
    )
    container = build_container(settings, clock=clock)
    yield container
    await container.close()


async def test_the_configured_intervals_are_used(configured: Container, clock: SettableClock) -> None:
    transport = httpx.ASGITransport(app=create_app(configured))
    async with httpx.AsyncClient(transport=transport, base_url="http://masu.test") as client:
        treated = await treat(client, configured, clock)
    t0 = treated.completed_at

    for at in (t0, t0 + 2 * H, t0 + 2 * H + 1 * D, t0 + 2 * H + 3 * D, t0 + 2 * H + 6 * D):
        await _pass(configured, at)

    booking = await booking_row(configured, treated.booking_id)
    stamps = [
        booking.review_request_sent_at,
        booking.first_reminder_sent_at,
        booking.second_reminder_sent_at,
        booking.final_reminder_sent_at,
    ]
    assert stamps == [t0, t0 + 2 * H, t0 + 2 * H + 1 * D, t0 + 2 * H + 3 * D]
    assert booking.status == "completed"


@pytest.fixture
async def reviews_off(database_url: str, clock: SettableClock) -> AsyncIterator[Container]:
    container = build_container(settings_for(database_url, ENABLE_AUTOMATIC_REVIEWS=False), clock=clock)
    yield container
    await container.close()


async def test_without_automatic_reviews_nobody_is_asked(
    reviews_off: Container, clock: SettableClock
) -> None:
    transport = httpx.ASGITransport(app=create_app(reviews_off))
    async with httpx.AsyncClient(transport=transport, base_url="http://masu.test") as client:
        treated = await treat(client, reviews_off, clock, ends_in="completed")
    await _pass(reviews_off, clock.now())
    await _pass(reviews_off, clock.now() + 2 * D)

    assert (await booking_row(reviews_off, treated.booking_id)).review_request_sent_at is None
    async with reviews_off.sessions() as session:
        requested = await session.execute(
            sa.text("SELECT count(*) FROM outbox_events WHERE event_type = 'review.requested'")
        )
        cycles = await session.execute(sa.text("SELECT count(*) FROM review_cycles"))
        assert (requested.scalar_one(), cycles.scalar_one()) == (0, 0)


# --- the same schedule through `masu worker --once --at`, across the spring DST change ----------------------

# Israel moves its clocks forward on Friday 2027-03-26 at 02:00 local (+02:00 -> +03:00). The treatment
# completes on Thursday at 11:00 local (09:00 UTC), so the first reminder's 24 hours span the change: it is
# due 24 hours later in absolute time, which is 12:00 local on Friday, not 11:00.
DST_COMPLETION = datetime(2027, 3, 25, 9, 0, tzinfo=UTC)
DST_VISIT = "2027-03-25T10:00:00+02:00"


def _masu(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "NODE_ENV": "test"}
    env.pop("REDIS_URL", None)
    return subprocess.run(
        [str(MASU), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _worker_at(url: str, local_time: str) -> None:
    ran = _masu(url, "worker", "--once", "--at", local_time)
    assert ran.returncode == 0, ran.stderr


async def _complete_a_visit_on_thursday(url: str) -> str:
    """Book Thursday's visit a day ahead and take it through to pending_review at 11:00 local."""
    clock = SettableClock(datetime(2027, 3, 24, 8, 0, tzinfo=UTC))
    container = build_container(settings_for(url), clock=clock)
    try:
        transport = httpx.ASGITransport(app=create_app(container))
        async with httpx.AsyncClient(transport=transport, base_url="http://masu.test") as client:
            treated = await treat(client, container, clock, visit=DST_VISIT, completes_at=DST_COMPLETION)
        assert treated.completed_at == DST_COMPLETION
        return treated.booking_id
    finally:
        await container.close()


async def _stamps(url: str, booking_id: str) -> tuple[str, list[datetime | None]]:
    container = build_container(settings_for(url))
    try:
        booking = await booking_row(container, booking_id)
        return booking.status, [
            booking.review_request_sent_at,
            booking.first_reminder_sent_at,
            booking.second_reminder_sent_at,
            booking.final_reminder_sent_at,
        ]
    finally:
        await container.close()


def test_worker_passes_step_through_the_schedule_across_the_dst_change(
    tmp_path: Path, sqlite_template: Path
) -> None:
    shutil.copy(sqlite_template, tmp_path / "masu.db")
    url = f"sqlite+aiosqlite:///{tmp_path / 'masu.db'}"
    booking_id = asyncio.run(_complete_a_visit_on_thursday(url))

    _worker_at(url, "2027-03-25T11:00:00+02:00")  # the completion's event: the request goes out
    _worker_at(url, "2027-03-26T11:00:00+03:00")  # same local hour the next day: only 23 hours have passed
    after_23_hours = asyncio.run(_stamps(url, booking_id))
    _worker_at(url, "2027-03-26T12:00:00+03:00")  # 24 hours after the request
    _worker_at(url, "2027-03-29T12:00:00+03:00")  # 3 days after the first reminder
    _worker_at(url, "2027-04-05T12:00:00+03:00")  # 7 days after the second
    _worker_at(url, "2027-04-12T11:59:59+03:00")  # a second before the window closes
    before_close = asyncio.run(_stamps(url, booking_id))
    _worker_at(url, "2027-04-12T12:00:00+03:00")  # 7 days after the final reminder

    status, stamps = asyncio.run(_stamps(url, booking_id))
    assert after_23_hours == ("pending_review", [DST_COMPLETION, None, None, None])
    assert before_close[0] == "pending_review"
    assert status == "completed"
    # Exactly 24 h, 3 d and 7 d apart in absolute time, though local clocks moved an hour in between.
    request = DST_COMPLETION
    assert stamps == [request, request + 24 * H, request + 24 * H + 3 * D, request + 24 * H + 10 * D]
    local_hours = [stamp.astimezone(ISRAEL).strftime("%H:%M%z") for stamp in stamps if stamp is not None]
    assert local_hours == ["11:00+0200", "12:00+0300", "12:00+0300", "12:00+0300"]
