"""Appending events to the outbox inside the caller's business transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.events import DomainEvent
from masu.persistence.models import OutboxEvent


def append_event(session: AsyncSession, event: DomainEvent, *, now: datetime) -> OutboxEvent:
    """Add an event (its type and payload) to the outbox; it is published only if the transaction commits."""
    row = OutboxEvent(
        event_type=event.type.value,
        booking_id=event.booking_id,
        payload=event.to_payload(),
        occurred_at=now,
        next_attempt_at=now,
        status="pending",
        attempts=0,
    )
    session.add(row)
    return row
