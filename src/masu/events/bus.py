"""BookingEventBus: the registry of handlers per event type; emitting appends to the outbox."""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.events import EVENT_CLASSES, DomainEvent, EventType, read_event
from masu.events.outbox import append_event
from masu.persistence.models import OutboxEvent

E = TypeVar("E", bound=DomainEvent)


@dataclass(frozen=True, slots=True)
class Event(Generic[E]):
    """What a handler receives: a committed event from the outbox, its payload read into its event class."""

    id: int
    booking_id: str | None
    payload: E
    occurred_at: datetime

    @property
    def type(self) -> EventType:
        """The event's type."""
        return self.payload.type


Handler = Callable[[AsyncSession, Event[E]], Awaitable[None]]
"""Does one piece of work for an event inside the given transaction (the dispatcher commits it)."""


def event_of(row: OutboxEvent) -> Event[DomainEvent]:
    """The event a handler receives for an outbox row; KeyError or ValueError for a payload it cannot read."""
    payload = read_event(EventType(row.event_type), row.payload)
    return Event(row.id, row.booking_id, payload, row.occurred_at)


class BookingEventBus:
    """Which handlers run for which event type; deliveries are keyed by each handler's stable name."""

    def __init__(self) -> None:
        self._handlers: dict[str, dict[str, Handler[Any]]] = {}

    def subscribe(self, event_type: EventType, name: str, handler: Handler[Any]) -> None:
        """Run `handler`, known as `name`, for every event of `event_type`.

        Refused (TypeError) for a type that is not an EventType, which no event would ever have, and for a
        handler whose annotation expects another event class; ValueError for a name taken for the type.
        """
        if not isinstance(event_type, EventType):
            raise TypeError(f"{event_type!r} is not an EventType: no event of it is ever emitted")
        _check_expects(event_type, name, handler)
        named = self._handlers.setdefault(event_type, {})
        if name in named:
            raise ValueError(f"a handler named {name!r} already handles {event_type.value!r}")
        named[name] = handler

    def handlers_for(self, event_type: str) -> dict[str, Handler[Any]]:
        """The handlers of an event type by name (empty when none is subscribed, or for an unknown type)."""
        return dict(self._handlers.get(event_type, {}))

    @staticmethod
    def emit(session: AsyncSession, event: DomainEvent, *, now: datetime) -> OutboxEvent:
        """Append an event to the outbox in the caller's transaction; handlers run after it commits."""
        return append_event(session, event, now=now)


def _check_expects(event_type: EventType, name: str, handler: Handler[Any]) -> None:
    """Refuse a handler annotated `Event[X]` when events of `event_type` are not X (or one of a union)."""
    expected = _expected_classes(handler)
    if expected is not None and not issubclass(EVENT_CLASSES[event_type], expected):
        wanted = ", ".join(cls.__name__ for cls in expected)
        raise TypeError(
            f"handler {name!r} expects {wanted}, but {event_type.value!r} events are "
            f"{EVENT_CLASSES[event_type].__name__}"
        )


def _expected_classes(handler: Callable[..., Any]) -> tuple[type, ...] | None:
    """The event classes the first `Event[...]` parameter of the handler (or what it wraps) names."""
    target = inspect.unwrap(handler)
    try:
        hints = typing.get_type_hints(target)
    except (NameError, TypeError):
        return None  # names only a function's own scope knows: the type checker has the last word there
    for hint in hints.values():
        if typing.get_origin(hint) is Event:
            (argument,) = typing.get_args(hint)
            if typing.get_origin(argument) in (typing.Union, types.UnionType):
                return tuple(typing.get_args(argument))
            return (argument,) if isinstance(argument, type) and argument is not Any else None
    return None
