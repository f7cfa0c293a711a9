"""Delivering queued messages through time: sends, retries, give-ups, fallbacks, quiet hours, lost leases.

Rows are queued directly; the providers are the memory sandboxes (which fail when told) and, where requests
must be counted, the local HTTP provider of tests/notifications/sms_provider.py.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from tenacity import wait_none

from masu.bootstrap import Container, build_container, delivery_policy
from masu.clock import SettableClock
from masu.domain.retries import backoff_delay
from masu.notifications.delivery import (
    DeliveryPolicy,
    DeliveryReport,
    deliver_due_notifications,
    fallback_key,
    quiet_hours_end,
)
from masu.notifications.email import MemoryEmailSender
from masu.notifications.providers import SMS, build_providers
from masu.notifications.sms import MemorySmsSender
from masu.persistence.models import Notification, User
from masu.persistence.repositories import notification as notification_repository
from tests.conftest import NOW, settings_for
from tests.notifications.rows import message, queue

CUSTOMER_PHONE = "+972520000001"


@dataclass(frozen=True)
class Rendered:
    subject: str | None
    body: str


def render(name: str, *, channel: str, language: str, context: dict[str, Any]) -> Rendered:
    """A stand-in for the catalogue: enough to see what the fallback was rendered from."""
    return Rendered(subject=f"{name}/{language}", body=f"{channel}: {context['name']}")


async def build(database_url: str, clock: SettableClock, **overrides: object) -> Container:
    """A container with memory providers whose in-call retries do not wait."""
    settings = settings_for(database_url, SMS_BACKEND="memory", EMAIL_BACKEND="memory", **overrides)
    container = build_container(settings, clock=clock)
    await container.providers.aclose()
    container.providers = build_providers(settings, clock=clock, redis=None, retry_wait=wait_none())
    return container


@pytest.fixture
async def container(database_url: str, clock: SettableClock) -> AsyncIterator[Container]:
    built = await build(database_url, clock, PROVIDER_RETRY_ATTEMPTS=1, BREAKER_FAILURE_THRESHOLD=50)
    yield built
    await built.close()


def sms_of(container: Container) -> MemorySmsSender:
    assert isinstance(container.providers.sms, MemorySmsSender)
    return container.providers.sms


def email_of(container: Container) -> MemoryEmailSender:
    assert isinstance(container.providers.email, MemoryEmailSender)
    return container.providers.email


async def deliver(container: Container, *, limit: int = 100) -> DeliveryReport:
    return await deliver_due_notifications(
        container.sessions,
        now=container.clock.now(),
        providers=container.providers,
        policy=delivery_policy(container.settings),
        limit=limit,
        render=render,
    )


async def stored(container: Container, notification_id: str) -> Notification:
    async with container.sessions() as session:
        row = await notification_repository.get(session, notification_id)
    assert row is not None
    return row


async def fallbacks_of(container: Container, notification_id: str) -> list[Notification]:
    async with container.sessions() as session:
        query = sa.select(Notification).where(Notification.fallback_for_id == notification_id)
        return list((await session.execute(query)).scalars())


async def customer_with_email(container: Container, email: str | None, *, consent: bool = True) -> str:
    async with container.sessions() as session:
        user = (await session.execute(sa.select(User).where(User.phone == CUSTOMER_PHONE))).scalar_one()
        user.email, user.notify_by_email = email, consent
        await session.commit()
        return user.id


async def test_due_messages_are_sent_once_with_the_providers_ids(
    container: Container, clock: SettableClock
) -> None:
    sms_ids = await queue(container, message("a"), message("b"))
    [email_id] = await queue(
        container, message("c", channel="email", recipient="dana@example.com", subject="שלום")
    )
    [later] = await queue(container, message("later", at=NOW + timedelta(minutes=5)))

    report = await deliver(container)

    assert (report.claimed, report.sent) == (3, 3)
    for notification_id in [*sms_ids, email_id]:
        row = await stored(container, notification_id)
        assert (row.status, row.attempts, row.sent_at, row.error) == ("sent", 1, NOW, None)
        assert row.provider_id is not None
        assert row.provider_id.startswith("memory-")
    assert sorted(m.idempotency_key for m in sms_of(container).sent) == ["a", "b"]
    assert [(m.to, m.subject) for m in email_of(container).sent] == [("dana@example.com", "שלום")]
    assert (await stored(container, later)).status == "queued"
    assert (await deliver(container)).claimed == 0
    assert sms_of(container).calls == 2


async def test_a_transient_failure_backs_off_and_is_retried(
    container: Container, clock: SettableClock
) -> None:
    [notification_id] = await queue(container, message("a"))
    sms_of(container).failures.fail_next(1)

    report = await deliver(container)

    row = await stored(container, notification_id)
    assert (report.retried, row.status, row.attempts) == (1, "queued", 1)
    assert row.error is not None
    assert "503" in row.error
    assert NOW + timedelta(seconds=15) <= row.next_attempt_at <= NOW + timedelta(seconds=30)
    assert (await deliver(container)).claimed == 0  # not due yet
    clock.set(row.next_attempt_at)
    await deliver(container)
    row = await stored(container, notification_id)
    assert (row.status, row.attempts, row.error) == ("sent", 2, None)


def test_a_message_waits_the_one_backoff_from_thirty_seconds_up_to_an_hour() -> None:
    policy, seeded, reference = DeliveryPolicy(), random.Random(3), random.Random(3)
    delays = [policy.retry_delay(attempt, seeded) for attempt in range(1, 12)]
    base, cap = timedelta(seconds=30), timedelta(hours=1)
    assert delays == [backoff_delay(a, base=base, cap=cap, jitter=reference.random) for a in range(1, 12)]
    assert timedelta(seconds=15) <= delays[0] <= base
    assert delays[-1] <= cap


async def test_an_sms_refused_for_good_falls_back_to_an_email(
    container: Container, clock: SettableClock
) -> None:
    user_id = await customer_with_email(container, "dana@example.com")
    context = {"name": "Dana", "bookingNumber": "MASU-2026-000001"}
    [sms_id] = await queue(container, message("booking-1/confirmed", user_id=user_id, context=context))
    sms_of(container).failures.fail_next(1, permanent=True)

    report = await deliver(container)

    row = await stored(container, sms_id)
    assert (report.failed, report.fallbacks, row.status, row.attempts) == (1, 1, "failed", 1)
    assert row.error is not None
    assert "refused" in row.error
    [fallback] = await fallbacks_of(container, sms_id)
    assert (fallback.channel, fallback.recipient, fallback.status) == ("email", "dana@example.com", "queued")
    assert (fallback.subject, fallback.body) == ("booking-confirmed/he", "email: Dana")
    assert (fallback.template, fallback.language, fallback.context) == ("booking-confirmed", "he", context)
    assert fallback.idempotency_key == fallback_key("booking-1/confirmed")

    await deliver(container)
    assert (await stored(container, fallback.id)).status == "sent"
    [sent] = email_of(container).sent
    assert (sent.to, sent.subject, sent.idempotency_key) == (
        "dana@example.com",
        "booking-confirmed/he",
        fallback.idempotency_key,
    )


async def test_transient_failures_give_up_after_the_maximum_attempts(
    database_url: str, clock: SettableClock
) -> None:
    container = await build(
        database_url,
        clock,
        NOTIFICATION_MAX_ATTEMPTS=3,
        PROVIDER_RETRY_ATTEMPTS=2,
        BREAKER_FAILURE_THRESHOLD=50,
    )
    try:
        user_id = await customer_with_email(container, "dana@example.com")
        [sms_id] = await queue(container, message("a", user_id=user_id, context={"name": "Dana"}))
        sms_of(container).failures.down = True
        for _ in range(3):
            await deliver(container)
            clock.advance(timedelta(hours=1))
        row = await stored(container, sms_id)
        assert (row.status, row.attempts) == ("failed", 3)
        assert sms_of(container).calls == 6  # three passes of two calls each
        assert len(await fallbacks_of(container, sms_id)) == 1
    finally:
        await container.close()


@pytest.mark.parametrize(("email", "consent"), [(None, True), ("dana@example.com", False)])
async def test_no_fallback_without_an_address_the_user_accepts(
    container: Container, email: str | None, consent: bool
) -> None:
    user_id = await customer_with_email(container, email, consent=consent)
    [sms_id] = await queue(container, message("a", user_id=user_id, context={"name": "Dana"}))
    sms_of(container).failures.fail_next(1, permanent=True)

    report = await deliver(container)

    assert (report.failed, report.fallbacks) == (1, 0)
    assert await fallbacks_of(container, sms_id) == []


async def test_a_message_past_its_send_by_time_is_skipped_and_never_sent(container: Container) -> None:
    [late, timely] = await queue(
        container,
        message("late", send_before=NOW - timedelta(seconds=1)),
        message("timely", send_before=NOW + timedelta(hours=1)),
    )

    report = await deliver(container)

    assert (report.skipped, report.sent) == (1, 1)
    assert (await stored(container, late)).status == "skipped"
    assert (await stored(container, timely)).status == "sent"
    assert [m.idempotency_key for m in sms_of(container).sent] == ["timely"]


ELEVEN_PM_LOCAL = datetime(2026, 12, 1, 21, 0, tzinfo=UTC)  # Israel is UTC+2 in December
EIGHT_AM_LOCAL = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)


async def test_quiet_hours_hold_a_non_urgent_sms_until_eight_and_let_urgent_ones_through(
    container: Container, clock: SettableClock
) -> None:
    clock.set(ELEVEN_PM_LOCAL)
    [calm, urgent, mail] = await queue(
        container,
        message("calm", at=ELEVEN_PM_LOCAL),
        message("urgent", at=ELEVEN_PM_LOCAL, urgent=True),
        message("mail", at=ELEVEN_PM_LOCAL, channel="email", recipient="dana@example.com", subject="s"),
    )

    report = await deliver(container)

    assert (report.sent, report.held) == (2, 1)
    assert (await stored(container, urgent)).status == "sent"
    assert (await stored(container, mail)).status == "sent"  # quiet hours are for SMS
    held = await stored(container, calm)
    assert (held.status, held.attempts, held.next_attempt_at) == ("queued", 0, EIGHT_AM_LOCAL)

    clock.set(EIGHT_AM_LOCAL - timedelta(minutes=1))
    assert (await deliver(container)).claimed == 0
    clock.set(EIGHT_AM_LOCAL)
    await deliver(container)
    assert (await stored(container, calm)).status == "sent"
    assert [m.idempotency_key for m in sms_of(container).sent] == ["urgent", "calm"]


@pytest.mark.parametrize(
    ("now", "start", "end", "expected"),
    [
        (datetime(2026, 12, 1, 21, 0, tzinfo=UTC), 22, 8, datetime(2026, 12, 2, 6, 0, tzinfo=UTC)),  # 23:00
        (datetime(2026, 12, 1, 19, 59, tzinfo=UTC), 22, 8, None),  # 21:59 local
        (datetime(2026, 12, 1, 20, 0, tzinfo=UTC), 22, 8, datetime(2026, 12, 2, 6, 0, tzinfo=UTC)),
        (datetime(2026, 12, 2, 3, 30, tzinfo=UTC), 22, 8, datetime(2026, 12, 2, 6, 0, tzinfo=UTC)),
        (datetime(2026, 12, 2, 6, 0, tzinfo=UTC), 22, 8, None),
        (datetime(2026, 7, 1, 21, 0, tzinfo=UTC), 22, 8, datetime(2026, 7, 2, 5, 0, tzinfo=UTC)),  # UTC+3
        (datetime(2026, 12, 1, 12, 0, tzinfo=UTC), 13, 16, datetime(2026, 12, 1, 14, 0, tzinfo=UTC)),
        (datetime(2026, 12, 1, 21, 0, tzinfo=UTC), 22, 22, None),
    ],
)
def test_quiet_hours_end(now: datetime, start: int, end: int, expected: datetime | None) -> None:
    assert quiet_hours_end(now, start=start, end=end) == expected


async def test_an_open_breaker_holds_messages_without_counting_attempts(
    database_url: str, clock: SettableClock
) -> None:
    container = await build(
        database_url, clock, PROVIDER_RETRY_ATTEMPTS=1, BREAKER_FAILURE_THRESHOLD=2, BREAKER_RESET_SECONDS=60
    )
    try:
        ids = await queue(container, *(message(f"m{n}") for n in range(5)))
        sms_of(container).failures.down = True

        first = await deliver(container)
        assert (first.retried, first.held) == (2, 3)
        rows = [await stored(container, i) for i in ids]
        assert sorted(r.attempts for r in rows) == [0, 0, 0, 1, 1]
        held = [r for r in rows if r.attempts == 0]
        assert {r.next_attempt_at for r in held} == {NOW + timedelta(seconds=60)}

        clock.set(NOW + timedelta(seconds=30))  # the retried ones are due, the breaker still open
        second = await deliver(container)
        assert (second.claimed, second.held, sms_of(container).calls) == (0, 2, 2)
        assert sorted([(await stored(container, i)).attempts for i in ids]) == [0, 0, 0, 1, 1]

        clock.set(NOW + timedelta(seconds=60))
        sms_of(container).failures.down = False
        third = await deliver(container)
        assert third.sent == 5
    finally:
        await container.close()


async def test_a_message_whose_worker_died_mid_call_is_sent_again_under_the_same_key(
    container: Container, clock: SettableClock
) -> None:
    [notification_id] = await queue(container, message("a"))
    lease = delivery_policy(container.settings).lease
    async with container.sessions() as session:  # a worker leases the row, sends it, and dies
        [claimed] = await notification_repository.claim_due(
            session, now=NOW, lease_until=NOW + lease, channels=[SMS], limit=10
        )
        await session.commit()
    first_id = await sms_of(container).send(to=claimed.recipient, body=claimed.body, idempotency_key="a")

    assert (await deliver(container)).claimed == 0  # leased: nobody else touches it
    clock.set(NOW + lease)
    await deliver(container)

    row = await stored(container, notification_id)
    assert (row.status, row.attempts, row.provider_id) == ("sent", 2, first_id)  # the lost call counts
    assert sms_of(container).calls == 2
    assert len(sms_of(container).sent) == 1  # the provider saw the key again and sent nothing new


async def test_a_message_that_keeps_killing_its_worker_fails_in_the_end(
    container: Container, clock: SettableClock
) -> None:
    attempts = delivery_policy(container.settings).max_attempts
    [notification_id] = await queue(container, message("a", status="sending", attempts=attempts - 1))

    await deliver(container)

    row = await stored(container, notification_id)
    assert (row.status, row.attempts) == ("failed", attempts)
    assert sms_of(container).calls == 0
