"""The event types and what every event class can do: write its payload and read it back."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, ClassVar, Self


class EventType(StrEnum):
    """Every event the system emits; the value is the type stored with the event."""

    BOOKING_CREATED = "booking.created"
    BOOKING_PAID = "booking.paid"
    BOOKING_PAYMENT_FAILED = "booking.payment_failed"
    BOOKING_CONFIRMED = "booking.confirmed"
    BOOKING_UNASSIGNED = "booking.unassigned"
    BOOKING_WITHDRAWN = "booking.withdrawn"
    BOOKING_ON_WAY = "booking.on_way"
    BOOKING_TREATMENT_STARTED = "booking.treatment_started"
    BOOKING_TREATMENT_COMPLETED = "booking.treatment_completed"
    BOOKING_REVIEWED = "booking.reviewed"
    BOOKING_REVIEW_WINDOW_CLOSED = "booking.review_window_closed"
    BOOKING_CANCELLED = "booking.cancelled"
    BOOKING_REFUNDED = "booking.refunded"
    BOOKING_DISPATCH_EXHAUSTED = "booking.dispatch_exhausted"
    BOOKING_BONUS_ADDED = "booking.bonus_added"
    OFFER_CREATED = "offer.created"
    OFFER_ACCEPTED = "offer.accepted"
    OFFER_DECLINED = "offer.declined"
    OFFER_EXPIRED = "offer.expired"
    OFFER_WITHDRAWN = "offer.withdrawn"
    PAYMENT_REFUND_REQUESTED = "payment.refund_requested"
    PAYMENT_REFUNDED = "payment.refunded"
    PAYMENT_REFUND_FAILED = "payment.refund_failed"
    REVIEW_REQUESTED = "review.requested"
    REVIEW_REPLIED = "review.replied"
    REVIEW_HIDDEN = "review.hidden"
    REVIEW_UNHIDDEN = "review.unhidden"


class DomainEvent(ABC):
    """Something that happened to a booking, as the outbox stores it: a type and a payload."""

    __slots__ = ()
    type: ClassVar[EventType]
    booking_id: str

    @abstractmethod
    def to_payload(self) -> dict[str, Any]:
        """The JSON document stored with the event (camelCase keys)."""

    @classmethod
    @abstractmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        """The event a stored payload describes; KeyError or ValueError when it lacks or garbles a key."""
