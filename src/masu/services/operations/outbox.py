"""Operators' work on the event outbox: reading the dead letters and replaying one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.access import Principal
from masu.domain.errors import Conflict, Forbidden, NotFound
from masu.persistence.models import OutboxEvent
from masu.persistence.queries import dead_letter as dead_letter_queries
from masu.persistence.queries.dead_letter import DeadLetter
from masu.persistence.repositories import outbox as outbox_repository

DEAD_LETTERS_SHOWN = 50


async def dead_letters(session: AsyncSession, *, limit: int = DEAD_LETTERS_SHOWN) -> list[DeadLetter]:
    """The newest dead-lettered events with their booking numbers and the handlers that gave up."""
    return await dead_letter_queries.newest_dead_letters(session, limit=limit)


MAX_EVENT_ID = 2**63 - 1


async def replay_dead_letter(
    session: AsyncSession, *, admin: Principal, event_id: int, now: datetime
) -> OutboxEvent:
    """Put a dead event back in the queue (its dead handlers get new attempts) and wake the dispatchers.

    Flushed, not committed; handlers already done for the event are not run again. NotFound for no such
    event, Conflict when it is not dead-lettered (never failed, or already replayed).
    """
    if not admin.is_admin:
        raise Forbidden("only admins may replay events", code="admins_only")
    # Event ids are BIGINTs: a larger number names no event (and would overflow the driver, not find one).
    event = await outbox_repository.get_event(session, event_id) if event_id <= MAX_EVENT_ID else None
    if event is None:
        raise NotFound("no such event")
    if not await outbox_repository.retry_dead(session, event_id=event_id, now=now):
        raise Conflict("this event is not dead-lettered", code="not_dead")
    await dead_letter_queries.wake_dispatchers(session)
    replayed = await outbox_repository.get_event(session, event_id)
    assert replayed is not None  # it was there a moment ago and events are never deleted
    return replayed
