"""Appending events to the outbox inside the caller's business transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.models import OutboxEvent


def append_event(
    session: AsyncSession, *, event_type: str, booking_id: str | None, payload: dict[str, Any], now: datetime
) -> OutboxEvent:
    """Add an event to the outbox; it is published only if the caller's transaction commits."""
    event = OutboxEvent(
        event_type=event_type,
        booking_id=booking_id,
        payload=payload,
        occurred_at=now,
        next_attempt_at=now,
        status="pending",
        attempts=0,
    )
    session.add(event)
    return event
