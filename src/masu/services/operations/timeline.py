"""One booking's timeline: status history, outbox events, offers, answers and messages, in time order."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.models import BookingStatusChange, Notification, Offer, OutboxEvent
from masu.persistence.queries import event as event_queries
from masu.persistence.repositories import booking as booking_repository
from masu.persistence.repositories import notification as notification_repository
from masu.persistence.repositories import offer as offer_repository

MAX_MESSAGES = 500
# At one instant a status change comes before the event it emitted, then the offers and messages it caused.
KIND_ORDER = {"status": 0, "event": 1, "offer": 2, "answer": 3, "message": 4}


@dataclass(frozen=True, slots=True)
class Entry:
    """One thing that happened to the booking, with what the page shows of it."""

    at: datetime
    kind: str
    data: dict[str, Any] = field(default_factory=dict)


async def booking_timeline(session: AsyncSession, booking_id: str) -> list[Entry]:
    """Everything recorded about the booking, oldest first."""
    history = await booking_repository.status_history(session, booking_id)
    events = await event_queries.events_of(session, booking_id=booking_id)
    offers = await offer_repository.offers_of_booking(session, booking_id)
    messages = await notification_repository.list_for_admin(
        session, booking_id=booking_id, recipient=None, limit=MAX_MESSAGES
    )
    return merge(history, events, offers, messages)


def merge(
    history: list[BookingStatusChange],
    events: list[OutboxEvent],
    offers: list[tuple[Offer, str]],
    messages: list[Notification],
) -> list[Entry]:
    """The entries of all four sources sorted by time (stable, so each source keeps its own order)."""
    entries = [_status(h) for h in history] + [_event(e) for e in events]
    for offer, name in offers:
        entries.append(_offer(offer, name))
        if offer.response_at is not None:
            entries.append(
                Entry(offer.response_at, "answer", {"name": name, "response": offer.response_status})
            )
    entries += [_message(m) for m in messages]
    return sorted(entries, key=lambda entry: (entry.at, KIND_ORDER[entry.kind]))


def _status(change: BookingStatusChange) -> Entry:
    data = {"status": change.status, "by": change.triggered_by, "reason": change.reason}
    return Entry(change.occurred_at, "status", data)


def _event(event: OutboxEvent) -> Entry:
    data = {"type": event.event_type, "status": event.status, "attempts": event.attempts}
    return Entry(event.occurred_at, "event", data)


def _offer(offer: Offer, name: str) -> Entry:
    data = {
        "name": name,
        "wave": offer.wave,
        "score": round(offer.match_score, 3),
        "response": offer.response_status,
        "channel": offer.channel,
    }
    return Entry(offer.notified_at or offer.created_at, "offer", data)


def _message(message: Notification) -> Entry:
    data = {
        "channel": message.channel,
        "recipient": message.recipient,
        "template": message.template,
        "status": message.status,
    }
    return Entry(message.created_at, "message", data)
