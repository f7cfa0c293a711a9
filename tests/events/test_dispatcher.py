"""The outbox dispatcher: each (event, handler) once; failures isolated, retried, dead-lettered."""

from __future__ import annotations

import asyncio
import random
from collections import Counter as Tally
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from masu.bootstrap import Container
from masu.clock import SettableClock
from masu.domain.events import (
    EventType,
    OfferAccepted,
    OfferCreated,
    OfferDeclined,
    OfferEvent,
    ReviewReplied,
)
from masu.domain.retries import backoff_delay
from masu.events.bus import BookingEventBus, Event
from masu.events.dispatcher import Dispatcher, RetryPolicy
from masu.events.outbox import append_event
from masu.persistence.models import Counter, OutboxDelivery, OutboxEvent
from masu.persistence.repositories import outbox as outbox_repository
from tests.conftest import NOW

POLICY = RetryPolicy(max_attempts=5, first_delay=timedelta(seconds=10), lease=timedelta(minutes=2))
# Any type will do: the buses here hold only the handlers each test subscribes.
HAPPENED = EventType.REVIEW_REPLIED


def _happened(n: int) -> ReviewReplied:
    return ReviewReplied(
        review_id=f"review-{n}", booking_id=f"booking-{n}", professional_id="pro", actor_id="pro"
    )


async def _emit(container: Container, count: int = 1) -> list[int]:
    async with container.sessions() as session:
        events = [append_event(session, _happened(n), now=NOW) for n in range(count)]
        await session.flush()
        ids = [e.id for e in events]
        await session.commit()
    return ids


async def _bump(session: AsyncSession, name: str) -> None:
    """A side effect inside the handler's transaction: one more on a named counter row."""
    await session.execute(sa.update(Counter).where(Counter.name == name).values(value=Counter.value + 1))


@pytest.fixture(autouse=True)
async def _counters(container: Container) -> None:
    async with container.sessions() as session:
        names = ("first", "steady", "flaky", "fragile", "work", "once")
        session.add_all(Counter(name=name, value=0) for name in names)
        await session.commit()


async def _counter(container: Container, name: str) -> int:
    async with container.sessions() as session:
        row = await session.get(Counter, name)
        assert row is not None
        return row.value


async def _event(container: Container, event_id: int) -> tuple[OutboxEvent, dict[str, OutboxDelivery]]:
    async with container.sessions() as session:
        event = await outbox_repository.get_event(session, event_id)
        assert event is not None
        return event, await outbox_repository.deliveries_of(session, event_id)


def _dispatcher(container: Container, bus: BookingEventBus) -> Dispatcher:
    return Dispatcher(container.sessions, bus, clock=container.clock, policy=POLICY, rng=random.Random(7))


async def test_every_handler_runs_once_and_the_event_is_done(container: Container) -> None:
    bus = BookingEventBus()
    seen: Tally[str] = Tally()

    async def first(session: AsyncSession, event: Event[ReviewReplied]) -> None:
        seen["first"] += 1
        await _bump(session, "first")

    async def second(session: AsyncSession, event: Event[ReviewReplied]) -> None:
        seen["second"] += 1
        assert (event.payload, event.booking_id, event.occurred_at) == (_happened(0), "booking-0", NOW)

    bus.subscribe(HAPPENED, "first", first)
    bus.subscribe(HAPPENED, "second", second)
    [event_id] = await _emit(container)

    report = await _dispatcher(container, bus).dispatch_due(NOW)
    again = await _dispatcher(container, bus).dispatch_due(NOW + timedelta(hours=1))

    assert (report.events, report.handled, report.failed) == (1, 2, 0)
    assert again.events == 0
    assert seen == {"first": 1, "second": 1}
    assert await _counter(container, "first") == 1
    event, deliveries = await _event(container, event_id)
    assert (event.status, event.handled_at) == ("done", NOW)
    assert {name: (d.status, d.attempts) for name, d in deliveries.items()} == {
        "first": ("done", 1),
        "second": ("done", 1),
    }


async def test_a_failing_handler_is_retried_with_backoff_and_never_blocks_the_others(
    container: Container,
) -> None:
    bus = BookingEventBus()
    calls: Tally[str] = Tally()

    async def steady(session: AsyncSession, event: Event[ReviewReplied]) -> None:
        calls["steady"] += 1
        await _bump(session, "steady")

    async def flaky(session: AsyncSession, event: Event[ReviewReplied]) -> None:
        calls["flaky"] += 1
        await _bump(session, "flaky")  # rolled back with the failure: effects happen once, on success
        if calls["flaky"] <= 3:
            raise ConnectionError(f"provider down (call {calls['flaky']})")

    bus.subscribe(HAPPENED, "steady", steady)
    bus.subscribe(HAPPENED, "flaky", flaky)
    [event_id] = await _emit(container)
    dispatcher = _dispatcher(container, bus)

    now, retry_times = NOW, []
    for _ in range(3):
        await dispatcher.dispatch_due(now)
        event, _ = await _event(container, event_id)
        assert event.status == "pending"
        assert (await dispatcher.dispatch_due(event.next_attempt_at - timedelta(seconds=1))).events == 0
        retry_times.append(event.next_attempt_at - now)
        now = event.next_attempt_at
    await dispatcher.dispatch_due(now)

    event, deliveries = await _event(container, event_id)
    assert event.status == "done"
    assert calls == {"steady": 1, "flaky": 4}
    assert (await _counter(container, "steady"), await _counter(container, "flaky")) == (1, 1)
    assert (deliveries["flaky"].status, deliveries["flaky"].attempts) == ("done", 4)
    assert deliveries["steady"].attempts == 1
    bounds = [
        (timedelta(seconds=5), timedelta(seconds=10)),
        (timedelta(seconds=10), timedelta(seconds=20)),
        (timedelta(seconds=20), timedelta(seconds=40)),
    ]
    assert all(low <= delay <= high for delay, (low, high) in zip(retry_times, bounds, strict=True)), (
        retry_times
    )


def test_a_failed_handler_waits_the_one_backoff() -> None:
    seeded, reference = random.Random(5), random.Random(5)
    delays = [POLICY.delay_after(attempt, seeded) for attempt in range(1, 12)]
    assert delays == [
        backoff_delay(a, base=POLICY.first_delay, cap=POLICY.max_delay, jitter=reference.random)
        for a in range(1, 12)
    ]


async def test_a_handler_that_always_fails_is_dead_lettered_then_retried(container: Container) -> None:
    bus = BookingEventBus()
    broken = {"fixed": False}

    async def fragile(session: AsyncSession, event: Event[ReviewReplied]) -> None:
        if not broken["fixed"]:
            raise ValueError("template missing")
        await _bump(session, "fragile")

    bus.subscribe(HAPPENED, "fragile", fragile)
    [event_id] = await _emit(container)
    dispatcher = _dispatcher(container, bus)
    now = NOW
    for _ in range(POLICY.max_attempts):
        await dispatcher.dispatch_due(now)
        now += POLICY.max_delay

    event, deliveries = await _event(container, event_id)
    assert event.status == "dead"
    assert "template missing" in (event.last_error or "")
    assert (deliveries["fragile"].status, deliveries["fragile"].attempts) == ("dead", POLICY.max_attempts)
    assert (await dispatcher.dispatch_due(now + timedelta(days=1))).events == 0
    async with container.sessions() as session:
        assert [e.id for e in await outbox_repository.list_events(session, dead_only=True, limit=10)] == [
            event_id
        ]
        assert await outbox_repository.retry_dead(session, event_id=event_id, now=now)
        assert not await outbox_repository.retry_dead(session, event_id=event_id, now=now)
        await session.commit()

    broken["fixed"] = True
    await dispatcher.dispatch_due(now)
    event, deliveries = await _event(container, event_id)
    assert (event.status, deliveries["fragile"].status) == ("done", "done")
    assert await _counter(container, "fragile") == 1


async def test_a_claimed_event_of_a_dead_worker_is_taken_over_after_its_lease(container: Container) -> None:
    bus = BookingEventBus()

    async def work(session: AsyncSession, event: Event[ReviewReplied]) -> None:
        await _bump(session, "work")

    bus.subscribe(HAPPENED, "work", work)
    await _emit(container, 3)
    async with container.sessions() as session:  # a worker claims the batch and dies before working on it
        assert (
            len(await outbox_repository.claim_due(session, now=NOW, lease_until=NOW + POLICY.lease, limit=10))
            == 3
        )
        await session.commit()
    dispatcher = _dispatcher(container, bus)

    assert (await dispatcher.dispatch_due(NOW + POLICY.lease - timedelta(seconds=1))).events == 0
    assert (await dispatcher.dispatch_due(NOW + POLICY.lease)).events == 3
    assert await _counter(container, "work") == 3


@pytest.mark.parametrize(
    "clock_ahead", [timedelta(minutes=10), -timedelta(minutes=10)], ids=["ahead", "behind"]
)
async def test_the_lease_runs_from_the_moment_of_claiming_on_the_dispatchers_clock(
    container: Container, clock: SettableClock, clock_ahead: timedelta
) -> None:
    bus = BookingEventBus()
    leases: list[datetime] = []

    async def lease_of(session: AsyncSession, event: Event[ReviewReplied]) -> None:
        row = await session.get(OutboxEvent, event.id)
        assert row is not None
        leases.append(row.next_attempt_at)

    bus.subscribe(HAPPENED, "lease", lease_of)
    await _emit(container, 2)
    clock.set(NOW + clock_ahead)  # a pass as of NOW claims ten minutes after it began (or a clock behind)

    await _dispatcher(container, bus).dispatch_due(NOW, batch_size=1)

    assert leases == [max(NOW, NOW + clock_ahead) + POLICY.lease] * 2


@pytest.mark.parametrize("event_type", [HAPPENED.value, "nobody.listens"], ids=["known", "unknown"])
async def test_events_without_handlers_are_simply_logged_as_done(
    container: Container, event_type: str
) -> None:
    async with container.sessions() as session:  # as stored, also of a type this version does not know
        row = OutboxEvent(event_type=event_type, payload={}, occurred_at=NOW, next_attempt_at=NOW)
        session.add(row)
        await session.commit()
    bus = BookingEventBus()

    async def elsewhere(session: AsyncSession, event: Event[Any]) -> None:
        raise AssertionError("subscribed to another type")

    bus.subscribe(EventType.BOOKING_CREATED, "elsewhere", elsewhere)
    report = await _dispatcher(container, bus).dispatch_due(NOW)
    event, deliveries = await _event(container, row.id)
    assert (report.events, event.status, deliveries) == (1, "done", {})


async def test_a_payload_its_class_cannot_read_fails_like_a_handler_and_is_dead_lettered(
    container: Container,
) -> None:
    async with container.sessions() as session:
        row = OutboxEvent(
            event_type=HAPPENED.value, payload={"reviewId": "r"}, occurred_at=NOW, next_attempt_at=NOW
        )
        session.add(row)
        await session.commit()
    bus = BookingEventBus()

    async def never(session: AsyncSession, event: Event[ReviewReplied]) -> None:
        raise AssertionError("ran on an unreadable payload")

    bus.subscribe(HAPPENED, "reader", never)
    dispatcher, now = _dispatcher(container, bus), NOW
    for _ in range(POLICY.max_attempts):
        await dispatcher.dispatch_due(now)
        now += POLICY.max_delay

    event, deliveries = await _event(container, row.id)
    assert (event.status, deliveries["reader"].status) == ("dead", "dead")
    assert "KeyError" in (event.last_error or "")


@pytest.mark.parametrize("dispatchers", [2, 4])
async def test_dispatchers_side_by_side_never_run_a_handler_twice(
    container: Container, dispatchers: int
) -> None:
    bus = BookingEventBus()
    runs: Tally[int] = Tally()

    async def once(session: AsyncSession, event: Event[ReviewReplied]) -> None:
        runs[event.id] += 1
        await asyncio.sleep(0)  # let the other dispatchers interleave
        await _bump(session, "once")

    bus.subscribe(HAPPENED, "once", once)
    ids = await _emit(container, 200)

    reports = await asyncio.gather(
        *(_dispatcher(container, bus).dispatch_due(NOW, batch_size=10) for _ in range(dispatchers))
    )

    assert sum(r.events for r in reports) == 200
    assert runs == dict.fromkeys(ids, 1)
    assert await _counter(container, "once") == 200


def test_subscribing_the_same_name_twice_is_refused() -> None:
    bus = BookingEventBus()

    async def handler(session: AsyncSession, event: Event[Any]) -> None:
        return None

    bus.subscribe(EventType.OFFER_CREATED, "h", handler)
    with pytest.raises(ValueError, match="already handles"):
        bus.subscribe(EventType.OFFER_CREATED, "h", handler)
    assert list(bus.handlers_for(EventType.OFFER_CREATED)) == ["h"]
    assert list(bus.handlers_for("offer.created")) == ["h"]  # as the outbox stores the type
    assert bus.handlers_for(EventType.OFFER_DECLINED) == {}
    assert bus.handlers_for("offer.craeted") == {}


@pytest.mark.parametrize(
    "event_type", ["offer.craeted", "offer.created", None], ids=["typo", "string", "none"]
)
def test_subscribing_to_anything_but_an_event_type_is_refused(event_type: Any) -> None:
    bus = BookingEventBus()

    async def handler(session: AsyncSession, event: Event[Any]) -> None:
        return None

    with pytest.raises(TypeError, match="is not an EventType"):
        bus.subscribe(event_type, "h", handler)
    assert bus.handlers_for("offer.created") == {}


def test_a_handler_expecting_another_event_class_is_refused() -> None:
    bus = BookingEventBus()

    async def on_offer(session: AsyncSession, event: Event[OfferCreated]) -> None:
        return None

    async def on_answer(session: AsyncSession, event: Event[OfferAccepted | OfferDeclined]) -> None:
        return None

    async def on_any_offer(session: AsyncSession, event: Event[OfferEvent]) -> None:
        return None

    bus.subscribe(EventType.OFFER_CREATED, "offer", on_offer)
    bus.subscribe(EventType.OFFER_DECLINED, "answer", on_answer)
    bus.subscribe(EventType.OFFER_EXPIRED, "any", on_any_offer)
    with pytest.raises(
        TypeError, match=r"expects OfferCreated, but 'offer\.declined' events are OfferDeclined"
    ):
        bus.subscribe(EventType.OFFER_DECLINED, "offer", on_offer)
    with pytest.raises(TypeError, match="expects OfferAccepted, OfferDeclined"):
        bus.subscribe(EventType.OFFER_EXPIRED, "answer", on_answer)
    with pytest.raises(TypeError, match="expects OfferEvent"):
        bus.subscribe(EventType.BOOKING_CREATED, "any", on_any_offer)
    assert list(bus.handlers_for(EventType.OFFER_DECLINED)) == ["answer"]
