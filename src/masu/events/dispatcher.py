"""The outbox dispatcher: lease due events, run each handler once in its own transaction, retry."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masu.clock import Clock
from masu.domain.retries import backoff_delay
from masu.events.bus import BookingEventBus, event_of
from masu.persistence.models import OutboxDelivery, OutboxEvent
from masu.persistence.repositories import outbox

_log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently failed handlers are retried."""

    max_attempts: int = 8
    first_delay: timedelta = timedelta(seconds=5)
    max_delay: timedelta = timedelta(minutes=30)
    # A claimed event whose worker died becomes due again after this long.
    lease: timedelta = timedelta(minutes=2)

    def delay_after(self, attempt: int, rng: random.Random) -> timedelta:
        """The backoff after failed attempt `attempt`: first_delay doubling up to max_delay, jittered."""
        return backoff_delay(attempt, base=self.first_delay, cap=self.max_delay, jitter=rng.random)


@dataclass
class DispatchReport:
    """What one dispatch pass did."""

    events: int = 0
    handled: int = 0
    failed: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)


class Dispatcher:
    """Runs the bus's handlers for due outbox events; safe to run in any number of processes at once."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        bus: BookingEventBus,
        *,
        clock: Clock,
        policy: RetryPolicy | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._sessions = sessions
        self._bus = bus
        self._clock = clock
        self._policy = policy or RetryPolicy()
        self._rng = rng or random.Random()

    async def dispatch_due(
        self, now: datetime, *, batch_size: int = 100, max_batches: int = 50
    ) -> DispatchReport:
        """Handle due events in batches until none is due (or `max_batches` ran)."""
        report = DispatchReport()
        for _ in range(max_batches):
            claimed = await self._claim(now, batch_size)
            for event_id in claimed:
                await self._process(event_id, now, report)
            if len(claimed) < batch_size:
                break
        return report

    async def _claim(self, now: datetime, limit: int) -> list[int]:
        # The lease runs from the moment of claiming, not from the start of a pass that may be long under way.
        lease_until = max(now, self._clock.now()) + self._policy.lease
        async with self._sessions() as session:
            ids = await outbox.claim_due(session, now=now, lease_until=lease_until, limit=limit)
            await session.commit()
        return ids

    async def _process(self, event_id: int, now: datetime, report: DispatchReport) -> None:
        """Run every handler not yet done for the event, then close the event's pass."""
        async with self._sessions() as session:
            row = await outbox.get_event(session, event_id)
            deliveries = await outbox.deliveries_of(session, event_id)
        if row is None:
            return
        report.events += 1
        errors: list[str] = []
        for name in self._bus.handlers_for(row.event_type):
            delivery = deliveries.get(name)
            if delivery is not None and delivery.status != outbox.PENDING:
                continue  # done already, or dead until an operator retries it
            error = await self._run(name, row, delivery, now)
            if error is None:
                report.handled += 1
            else:
                errors.append(error)
                report.failed += 1
        await self._finish(row, errors, now, report)

    async def _run(
        self, name: str, row: OutboxEvent, delivery: OutboxDelivery | None, now: datetime
    ) -> str | None:
        """Run one handler in its own transaction; its failure is recorded and never reaches the others.

        The payload is read here, so a row its event class cannot read fails, is retried and dead-lettered
        like a failing handler, where operators see it.
        """
        handler = self._bus.handlers_for(row.event_type)[name]
        try:
            event = event_of(row)
            async with self._sessions() as session:
                if not await outbox.hold_handler_run(session, event_id=event.id, handler=name):
                    return None  # another worker did it while this one's lease was running out
                await handler(session, event)
                await outbox.record_done(session, event_id=event.id, handler=name, now=now)
                await session.commit()
            return None
        except Exception as exc:  # a handler's failure is data for the retry, not a crash of the worker
            attempts = (delivery.attempts if delivery else 0) + 1
            message = f"{name}: {type(exc).__name__}: {exc}"[:2000]
            _log.warning("handler_failed", event_id=row.id, handler=name, attempt=attempts, error=message)
            async with self._sessions() as session:
                dead = attempts >= self._policy.max_attempts
                await outbox.record_failure(session, event_id=row.id, handler=name, error=message, dead=dead)
                await session.commit()
            return message

    async def _finish(
        self, row: OutboxEvent, errors: list[str], now: datetime, report: DispatchReport
    ) -> None:
        async with self._sessions() as session:
            deliveries = await outbox.deliveries_of(session, row.id)
            wanted = self._bus.handlers_for(row.event_type)
            states = {deliveries[name].status if name in deliveries else outbox.PENDING for name in wanted}
            if not errors and states <= {outbox.DONE}:
                await outbox.finish(
                    session, event_id=row.id, status=outbox.DONE, now=now, retry_at=None, error=None
                )
            elif outbox.PENDING not in states:
                report.dead += 1
                await outbox.finish(
                    session,
                    event_id=row.id,
                    status=outbox.DEAD,
                    now=now,
                    retry_at=None,
                    error="; ".join(errors),
                )
            else:
                attempt = max(
                    (d.attempts for d in deliveries.values() if d.status == outbox.PENDING), default=1
                )
                retry_at = now + self._policy.delay_after(attempt, self._rng)
                await outbox.finish(
                    session,
                    event_id=row.id,
                    status=outbox.PENDING,
                    now=now,
                    retry_at=retry_at,
                    error="; ".join(errors),
                )
            await session.commit()
        report.errors.extend(errors)
