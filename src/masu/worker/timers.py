"""The worker's timers: each finds its due rows through an index and runs the service a person would."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from masu.bootstrap import Container
from masu.services.dispatch import cancel_unstaffed_visits, expire_due_offers
from masu.services.standing import refresh_stale_standings

# Small enough that a pass stays short; 200 a pass at one pass a second refreshes 100,000 in under 10 minutes.
STANDINGS_PER_PASS = 200

Timer = Callable[[AsyncSession, Container, datetime], Awaitable[int]]
"""Does the due work of one kind as of `now` in the given session (the caller commits); how many rows."""


async def _expire_offers(session: AsyncSession, container: Container, now: datetime) -> int:
    return await expire_due_offers(session, now=now)


async def _cancel_unstaffed(session: AsyncSession, container: Container, now: datetime) -> int:
    return await cancel_unstaffed_visits(session, now=now, policy=container.policy)


async def _refresh_standings(session: AsyncSession, container: Container, now: datetime) -> int:
    return await refresh_stale_standings(session, now=now, limit=STANDINGS_PER_PASS)


# Run in this order, each in its own transaction; the key names the count in the worker's heartbeat.
TIMERS: dict[str, Timer] = {
    "offersExpired": _expire_offers,
    "unstaffedCancelled": _cancel_unstaffed,
    "standingsRefreshed": _refresh_standings,
}
