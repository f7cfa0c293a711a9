"""What the system announces: every event type, each with a frozen class that writes and reads its payload.

A payload is stored as JSON with camelCase keys in the outbox, where rows outlive the code that wrote them, so
`to_payload` writes exactly the keys the outbox has always held and `from_payload` reads every row any version
wrote: keys added after a type was first emitted, or written only sometimes, are optional (absent reads as
None), and keys a type does not know are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from masu.domain.events.base import DomainEvent, EventType
from masu.domain.events.booking import (
    BOOKING_EVENT_FOR_ACTION,
    BookingBonusAdded,
    BookingCancelled,
    BookingConfirmed,
    BookingCreated,
    BookingDispatchExhausted,
    BookingOnWay,
    BookingPaid,
    BookingPaymentFailed,
    BookingRefunded,
    BookingReviewed,
    BookingReviewWindowClosed,
    BookingStatusChanged,
    BookingTreatmentCompleted,
    BookingTreatmentStarted,
    BookingUnassigned,
    BookingWithdrawn,
)
from masu.domain.events.offer import (
    OfferAccepted,
    OfferCreated,
    OfferDeclined,
    OfferEvent,
    OfferExpired,
    OfferWithdrawn,
)
from masu.domain.events.payment import (
    PaymentRefunded,
    PaymentRefundFailed,
    PaymentRefundRequested,
)
from masu.domain.events.review import (
    ReviewEvent,
    ReviewHidden,
    ReviewReplied,
    ReviewRequested,
    ReviewUnhidden,
)

__all__ = [
    "BOOKING_EVENT_FOR_ACTION",
    "EVENT_CLASSES",
    "BookingBonusAdded",
    "BookingCancelled",
    "BookingConfirmed",
    "BookingCreated",
    "BookingDispatchExhausted",
    "BookingOnWay",
    "BookingPaid",
    "BookingPaymentFailed",
    "BookingRefunded",
    "BookingReviewWindowClosed",
    "BookingReviewed",
    "BookingStatusChanged",
    "BookingTreatmentCompleted",
    "BookingTreatmentStarted",
    "BookingUnassigned",
    "BookingWithdrawn",
    "DomainEvent",
    "EventType",
    "OfferAccepted",
    "OfferCreated",
    "OfferDeclined",
    "OfferEvent",
    "OfferExpired",
    "OfferWithdrawn",
    "PaymentRefundFailed",
    "PaymentRefundRequested",
    "PaymentRefunded",
    "ReviewEvent",
    "ReviewHidden",
    "ReviewReplied",
    "ReviewRequested",
    "ReviewUnhidden",
    "read_event",
]

_CLASSES: tuple[type[DomainEvent], ...] = (
    *dict.fromkeys(BOOKING_EVENT_FOR_ACTION.values()),
    BookingDispatchExhausted,
    BookingBonusAdded,
    OfferCreated,
    OfferAccepted,
    OfferDeclined,
    OfferExpired,
    OfferWithdrawn,
    PaymentRefundRequested,
    PaymentRefunded,
    PaymentRefundFailed,
    ReviewRequested,
    ReviewReplied,
    ReviewHidden,
    ReviewUnhidden,
)
EVENT_CLASSES: dict[EventType, type[DomainEvent]] = {cls.type: cls for cls in _CLASSES}
"""The class of each event type: what a handler of that type receives."""

if missing := set(EventType) - set(EVENT_CLASSES):  # a type nobody can read would fail only once emitted
    raise RuntimeError(f"event types without a class: {sorted(missing)}")


def read_event(event_type: EventType, payload: Mapping[str, Any]) -> DomainEvent:
    """The typed event of a stored type and payload; KeyError or ValueError for a payload it cannot read."""
    return EVENT_CLASSES[event_type].from_payload(payload)
