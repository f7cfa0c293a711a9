"""The worker's timers: each finds its due rows through an index and runs the service a person would."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from masu.bootstrap import Container, delivery_policy, review_schedule
from masu.notifications.delivery import deliver_due_notifications
from masu.services.account.browser_sessions import purge_expired_sessions
from masu.services.dispatch.waves import cancel_unstaffed_visits, expire_due_offers
from masu.services.payment.payments import cancel_unpaid_bookings
from masu.services.professional.standing import refresh_stale_standings
from masu.services.review.cycle import run_due_review_steps

# Small enough that a pass stays short; 200 a pass at one pass a second refreshes 100,000 in under 10 minutes.
STANDINGS_PER_PASS = 200
# With 8 sends at once and a provider answering in ~0.3 s, a pass of 100 takes a few seconds.
NOTIFICATIONS_PER_PASS = 100
# Deletes are cheap by the expiry index; a thousand a second clears a day of a busy site's log-ins quickly.
SESSIONS_PER_PASS = 1000

Timer = Callable[[AsyncSession, Container, datetime], Awaitable[int]]
"""Does the due work of one kind as of `now` in the given session (the caller commits); how many rows."""


async def _expire_offers(session: AsyncSession, container: Container, now: datetime) -> int:
    return await expire_due_offers(session, now=now)


async def _cancel_unstaffed(session: AsyncSession, container: Container, now: datetime) -> int:
    return await cancel_unstaffed_visits(session, now=now, policy=container.policy)


async def _cancel_unpaid(session: AsyncSession, container: Container, now: datetime) -> int:
    return await cancel_unpaid_bookings(session, now=now, policy=container.policy)


async def _refresh_standings(session: AsyncSession, container: Container, now: datetime) -> int:
    return await refresh_stale_standings(session, now=now, limit=STANDINGS_PER_PASS)


async def _review_steps(session: AsyncSession, container: Container, now: datetime) -> int:
    return await run_due_review_steps(session, now=now, schedule=review_schedule(container.settings))


async def _send_notifications(session: AsyncSession, container: Container, now: datetime) -> int:
    # Delivery commits its own leases and outcomes (see the service), so the pass's session stays unused.
    report = await deliver_due_notifications(
        container.sessions,
        now=now,
        providers=container.providers,
        policy=delivery_policy(container.settings),
        limit=NOTIFICATIONS_PER_PASS,
    )
    return report.sent


async def _purge_sessions(session: AsyncSession, container: Container, now: datetime) -> int:
    return await purge_expired_sessions(session, now=now, limit=SESSIONS_PER_PASS)


# Run in this order, each in its own transaction; the key names the count in the worker's heartbeat.
TIMERS: dict[str, Timer] = {
    "offersExpired": _expire_offers,
    "unstaffedCancelled": _cancel_unstaffed,
    "unpaidCancelled": _cancel_unpaid,
    "standingsRefreshed": _refresh_standings,
    "reviewSteps": _review_steps,
    "notificationsSent": _send_notifications,
    "sessionsPurged": _purge_sessions,
}
