"""Delivering queued messages: lease due rows, send each through its provider, record what happened.

Why nothing is sent twice. A pass first commits a lease on the rows it takes (status `sending` until
now + lease), so no other worker takes them; only then does it call the providers, and it records each
outcome in its own short transaction, fenced by the lease (a worker that lost its lease records nothing). A
worker that dies between the provider's answer and that record leaves a row that another worker takes again
when the lease ends: delivery to the provider is at least once. The provider makes it at most once: every
call carries the row's idempotency key (the SMS API drops a repeated key; an email repeats its Message-ID,
derived from the key). A lost lease counts as an attempt, so a row that kills its worker ends as failed.

Unlike other services this one commits: a lease must be committed before the provider is called and each
outcome right after it, so it takes the session factory rather than one session.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masu.domain.pricing import BUSINESS_TZ
from masu.domain.retries import backoff_delay
from masu.notifications import catalogue
from masu.notifications.ports import PermanentProviderError, Renderer
from masu.notifications.providers import EMAIL, SMS, Providers
from masu.notifications.resilience import OPEN, ProviderUnavailable
from masu.observability.metrics import NOTIFICATIONS
from masu.persistence.models import Notification
from masu.persistence.repositories import notification as notifications
from masu.persistence.repositories.notification import FAILED, QUEUED, SENT, SKIPPED

_log = structlog.get_logger(__name__)
IDEMPOTENCY_KEY_LENGTH = 120  # the column's width


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How patiently messages are retried, how long a lease lasts, and the quiet hours of SMS."""

    max_attempts: int = 8
    first_retry: timedelta = timedelta(seconds=30)
    max_retry: timedelta = timedelta(hours=1)
    # Must outlast a pass: `limit` rows at `concurrency` at once, each within retries × the provider timeout.
    lease: timedelta = timedelta(minutes=10)
    concurrency: int = 8
    quiet_start: int = 22  # local hours; no quiet hours when start == end
    quiet_end: int = 8

    def retry_delay(self, attempt: int, rng: random.Random) -> timedelta:
        """The backoff after failed attempt `attempt`: first_retry doubling up to max_retry, jittered."""
        return backoff_delay(attempt, base=self.first_retry, cap=self.max_retry, jitter=rng.random)


@dataclass
class DeliveryReport:
    """What one pass did, row by row."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    held: int = 0
    skipped: int = 0
    fallbacks: int = 0
    lost: int = 0  # leases lost to another worker before the outcome was recorded
    by_channel: dict[str, dict[str, int]] = field(default_factory=dict)

    def count(self, channel: str, outcome: str, n: int = 1) -> None:
        """Add `n` rows of an outcome (also to the Prometheus counter)."""
        setattr(self, outcome, getattr(self, outcome) + n)
        outcomes = self.by_channel.setdefault(channel, {})
        outcomes[outcome] = outcomes.get(outcome, 0) + n
        NOTIFICATIONS.labels(channel=channel, outcome=outcome).inc(n)


def quiet_hours_end(now: datetime, *, start: int, end: int) -> datetime | None:
    """When the local quiet hours that `now` falls in end (UTC), or None when `now` is outside them."""
    if start == end:
        return None
    local = now.astimezone(BUSINESS_TZ)
    wraps_midnight = start > end
    inside = (local.hour >= start or local.hour < end) if wraps_midnight else start <= local.hour < end
    if not inside:
        return None
    day = local.date() + timedelta(days=1) if wraps_midnight and local.hour >= start else local.date()
    return datetime.combine(day, time(end), tzinfo=BUSINESS_TZ).astimezone(UTC)


def fallback_key(idempotency_key: str) -> str:
    """The idempotency key of the email that stands in for a failed SMS: one fallback per message."""
    key = f"{idempotency_key}/email-fallback"
    if len(key) <= IDEMPOTENCY_KEY_LENGTH:
        return key
    return f"email-fallback/{hashlib.sha256(idempotency_key.encode()).hexdigest()}"


async def deliver_due_notifications(
    sessions: async_sessionmaker[AsyncSession],
    *,
    now: datetime,
    providers: Providers,
    policy: DeliveryPolicy,
    limit: int,
    render: Renderer = catalogue.render,
    rng: random.Random | None = None,
) -> DeliveryReport:
    """Send up to `limit` due messages as of `now`; each row's outcome is committed as it happens.

    Rows of a provider whose breaker is open are moved to when it may half-open, without an attempt. Each
    claimed row is then skipped (too late), held (quiet hours, breaker), sent, retried with backoff, or
    failed for good; a failed SMS falls back to an email when the user has an address.
    """
    delivery = _Delivery(sessions, now, providers, policy, render, rng or random.Random())
    channels = await delivery.hold_blocked_channels()
    async with sessions() as session:
        rows = await notifications.claim_due(
            session, now=now, lease_until=now + policy.lease, channels=channels, limit=limit
        )
        await session.commit()
    delivery.report.claimed = len(rows)
    gate = asyncio.Semaphore(policy.concurrency)

    async def deliver(row: Notification) -> None:
        async with gate:
            await delivery.deliver(row)

    await asyncio.gather(*(deliver(row) for row in rows))
    return delivery.report


class _Delivery:
    """One pass's state: where to record, whom to call, the rules, and the tally."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        now: datetime,
        providers: Providers,
        policy: DeliveryPolicy,
        render: Renderer,
        rng: random.Random,
    ) -> None:
        self.sessions, self.now, self.providers, self.policy = sessions, now, providers, policy
        self.render, self.rng = render, rng
        self.report = DeliveryReport()

    async def hold_blocked_channels(self) -> list[str]:
        """Hold the due rows of each channel whose breaker is open; the channels that may send."""
        open_channels = []
        for channel in (SMS, EMAIL):
            try:
                state = await self.providers.breaker(channel).state()
            except Exception as exc:  # unreadable state: try the provider (its breaker fails open too)
                _log.warning("breaker_state_unreadable", channel=channel, error=type(exc).__name__)
                continue
            if state.state == OPEN and state.retry_at is not None:
                async with self.sessions() as session:
                    held = await notifications.hold_due(
                        session, channel=channel, now=self.now, until=state.retry_at
                    )
                    await session.commit()
                self.report.count(channel, "held", held)
                open_channels.append(channel)
        return [channel for channel in (SMS, EMAIL) if channel not in open_channels]

    async def deliver(self, row: Notification) -> None:
        """Settle one leased row; a failure to record it is logged and the lease makes it due again."""
        try:
            await self._settle(row)
        except Exception:  # one row's trouble must not stop the others; its lease brings it back
            _log.exception("notification_delivery_crashed", notification_id=row.id)

    async def _settle(self, row: Notification) -> None:
        if row.send_before is not None and self.now >= row.send_before:
            await self._finish(row, SKIPPED, "skipped", error="not sent before its send-by time")
            return
        if row.attempts >= self.policy.max_attempts:  # attempts lost with dead workers
            await self._fail(row, attempts=row.attempts, error=row.error or "attempts used up")
            return
        if row.channel == SMS and not row.urgent:
            quiet_end = quiet_hours_end(self.now, start=self.policy.quiet_start, end=self.policy.quiet_end)
            if quiet_end is not None:
                await self._finish(row, QUEUED, "held", next_attempt_at=quiet_end)
                return
        await self._send(row)

    async def _send(self, row: Notification) -> None:
        try:
            provider_id = await self.providers.send(
                channel=row.channel,
                to=row.recipient,
                subject=row.subject,
                body=row.body,
                idempotency_key=row.idempotency_key,
            )
        except ProviderUnavailable as exc:
            await self._finish(row, QUEUED, "held", next_attempt_at=exc.retry_at)
        except PermanentProviderError as exc:
            await self._fail(row, attempts=row.attempts + 1, error=str(exc))
        except Exception as exc:  # transient after the in-call retries, or an adapter's surprise
            await self._retry(row, error=f"{exc}" or type(exc).__name__)
        else:
            await self._finish(
                row,
                SENT,
                "sent",
                attempts=row.attempts + 1,
                provider_id=provider_id[:100] or None,
                sent_at=self.now,
                error=None,
                **_forget_secrets(row),
            )

    async def _retry(self, row: Notification, *, error: str) -> None:
        attempts = row.attempts + 1
        if attempts >= self.policy.max_attempts:
            await self._fail(row, attempts=attempts, error=error)
            return
        retry_at = self.now + self.policy.retry_delay(attempts, self.rng)
        await self._finish(row, QUEUED, "retried", attempts=attempts, next_attempt_at=retry_at, error=error)

    async def _fail(self, row: Notification, *, attempts: int, error: str) -> None:
        """Fail the row for good and, for an SMS, queue its email stand-in in the same transaction."""
        async with self.sessions() as session:
            if not await notifications.finish(
                session, lease=row, status=FAILED, attempts=attempts, error=error[:2000]
            ):
                self._lost(row)
                return
            fallback = await self._queue_fallback(session, row) if row.channel == SMS else False
            await session.commit()
        self.report.count(row.channel, "failed")
        if fallback:
            self.report.count(EMAIL, "fallbacks")
        _log.warning("notification_failed", notification_id=row.id, channel=row.channel, error=error[:300])

    async def _finish(self, row: Notification, status: str, outcome: str, **values: Any) -> None:
        async with self.sessions() as session:
            recorded = await notifications.finish(session, lease=row, status=status, **values)
            await session.commit()
        if not recorded:
            self._lost(row)
            return
        self.report.count(row.channel, outcome)
        _log.info(f"notification_{outcome}", notification_id=row.id, channel=row.channel, **_loggable(values))

    def _lost(self, row: Notification) -> None:
        self.report.lost += 1
        _log.warning("notification_lease_lost", notification_id=row.id)

    async def _queue_fallback(self, session: AsyncSession, row: Notification) -> bool:
        """Add a queued email rendered from the SMS's context, when the user has an address for it."""
        if row.user_id is None or row.context is None:
            return False
        address = await notifications.fallback_email_of(session, row.user_id)
        if not address:
            return False
        try:
            rendered = self.render(
                row.template, channel=EMAIL, language=row.language, context=dict(row.context)
            )
        except Exception:  # a message the catalogue cannot render by email has no fallback; the SMS failed
            _log.exception("notification_fallback_unrenderable", notification_id=row.id)
            return False
        return await notifications.add(
            session,
            booking_id=row.booking_id,
            event_id=row.event_id,
            user_id=row.user_id,
            channel=EMAIL,
            recipient=address,
            template=row.template,
            language=row.language,
            subject=rendered.subject[:200] if rendered.subject else None,
            body=rendered.body,
            context=row.context,
            urgent=row.urgent,
            send_before=row.send_before,
            fallback_for_id=row.id,
            idempotency_key=fallback_key(row.idempotency_key),
            created_at=self.now,
            next_attempt_at=self.now,
        )


# Messages that carry a secret (a phone code): once sent, the row keeps what it was, not the secret itself.
SECRET_MESSAGES = {"phone-code": "[code sent; not kept]"}


def _forget_secrets(row: Notification) -> dict[str, Any]:
    """The columns to overwrite when a sent row carried a secret."""
    blank = SECRET_MESSAGES.get(row.template)
    return {"body": blank} if blank is not None else {}


def _loggable(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value.isoformat() if isinstance(value, datetime) else value for key, value in values.items()}
