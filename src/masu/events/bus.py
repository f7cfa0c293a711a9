"""BookingEventBus: the registry of handlers per event type; emitting appends to the outbox."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from masu.events.outbox import append_event
from masu.persistence.models import OutboxEvent


@dataclass(frozen=True, slots=True)
class Event:
    """What a handler receives: a committed event from the outbox."""

    id: int
    type: str
    booking_id: str | None
    payload: dict[str, Any]
    occurred_at: datetime


Handler = Callable[[AsyncSession, Event], Awaitable[None]]
"""Does one piece of work for an event inside the given transaction (the dispatcher commits it)."""


class BookingEventBus:
    """Which handlers run for which event type; deliveries are keyed by each handler's stable name."""

    def __init__(self) -> None:
        self._handlers: dict[str, dict[str, Handler]] = {}

    def subscribe(self, event_type: str, name: str, handler: Handler) -> None:
        """Run `handler`, known as `name`, for every event of `event_type`."""
        named = self._handlers.setdefault(event_type, {})
        if name in named:
            raise ValueError(f"a handler named {name!r} already handles {event_type!r}")
        named[name] = handler

    def handlers_for(self, event_type: str) -> dict[str, Handler]:
        """The handlers of an event type by name (empty when none is subscribed)."""
        return dict(self._handlers.get(event_type, {}))

    @staticmethod
    def emit(
        session: AsyncSession,
        *,
        event_type: str,
        booking_id: str | None,
        payload: dict[str, Any],
        now: datetime,
    ) -> OutboxEvent:
        """Append an event to the outbox in the caller's transaction; handlers run after it commits."""
        return append_event(session, event_type=event_type, booking_id=booking_id, payload=payload, now=now)
