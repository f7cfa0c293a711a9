"""Events of a booking: its status changed (one type per lifecycle action), its dispatch ran out, a bonus."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from masu.domain.events.base import DomainEvent, EventType
from masu.domain.lifecycle import Action, Actor, BookingStatus


@dataclass(frozen=True, slots=True)
class BookingStatusChanged(DomainEvent):
    """A lifecycle move: from which status to which, by whom and why, and who is (and was) assigned.

    `professionalId` and `previousProfessionalId` are missing from rows written before they were added.
    """

    booking_id: str
    booking_number: str
    action: Action
    from_status: BookingStatus | None
    to_status: BookingStatus
    triggered_by: Actor
    actor_id: str | None = None
    reason: str | None = None
    professional_id: str | None = None
    previous_professional_id: str | None = None

    def to_payload(self) -> dict[str, Any]:
        """The move as stored (camelCase keys, enum values as strings)."""
        return {
            "bookingId": self.booking_id,
            "bookingNumber": self.booking_number,
            "professionalId": self.professional_id,
            "previousProfessionalId": self.previous_professional_id,
            "action": self.action.value,
            "from": self.from_status.value if self.from_status else None,
            "to": self.to_status.value,
            "triggeredBy": self.triggered_by.value,
            "actorId": self.actor_id,
            "reason": self.reason,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        """The move a stored payload describes."""
        return cls(
            booking_id=payload["bookingId"],
            booking_number=payload["bookingNumber"],
            action=Action(payload["action"]),
            from_status=BookingStatus(payload["from"]) if payload.get("from") else None,
            to_status=BookingStatus(payload["to"]),
            triggered_by=Actor(payload["triggeredBy"]),
            actor_id=payload.get("actorId"),
            reason=payload.get("reason"),
            professional_id=payload.get("professionalId"),
            previous_professional_id=payload.get("previousProfessionalId"),
        )


@dataclass(frozen=True, slots=True)
class BookingCreated(BookingStatusChanged):
    """A booking was made (pending_payment, or pending_professional when nothing is due at a gateway)."""

    type: ClassVar[EventType] = EventType.BOOKING_CREATED


@dataclass(frozen=True, slots=True)
class BookingPaid(BookingStatusChanged):
    """The gateway took the money."""

    type: ClassVar[EventType] = EventType.BOOKING_PAID


@dataclass(frozen=True, slots=True)
class BookingPaymentFailed(BookingStatusChanged):
    """The gateway refused the payment: the booking is cancelled."""

    type: ClassVar[EventType] = EventType.BOOKING_PAYMENT_FAILED


@dataclass(frozen=True, slots=True)
class BookingConfirmed(BookingStatusChanged):
    """A professional took the booking (an accepted offer, or an admin's assignment)."""

    type: ClassVar[EventType] = EventType.BOOKING_CONFIRMED


@dataclass(frozen=True, slots=True)
class BookingUnassigned(BookingStatusChanged):
    """An admin took the booking back from its professional."""

    type: ClassVar[EventType] = EventType.BOOKING_UNASSIGNED


@dataclass(frozen=True, slots=True)
class BookingWithdrawn(BookingStatusChanged):
    """The assigned professional gave the booking back."""

    type: ClassVar[EventType] = EventType.BOOKING_WITHDRAWN


@dataclass(frozen=True, slots=True)
class BookingOnWay(BookingStatusChanged):
    """The professional set out."""

    type: ClassVar[EventType] = EventType.BOOKING_ON_WAY


@dataclass(frozen=True, slots=True)
class BookingTreatmentStarted(BookingStatusChanged):
    """The treatment began."""

    type: ClassVar[EventType] = EventType.BOOKING_TREATMENT_STARTED


@dataclass(frozen=True, slots=True)
class BookingTreatmentCompleted(BookingStatusChanged):
    """The treatment ended (pending_review, or completed when reviews are off)."""

    type: ClassVar[EventType] = EventType.BOOKING_TREATMENT_COMPLETED


@dataclass(frozen=True, slots=True)
class BookingReviewed(BookingStatusChanged):
    """The customer reviewed the visit: the booking is completed."""

    type: ClassVar[EventType] = EventType.BOOKING_REVIEWED


@dataclass(frozen=True, slots=True)
class BookingReviewWindowClosed(BookingStatusChanged):
    """Nobody reviewed in time: the system completed the booking."""

    type: ClassVar[EventType] = EventType.BOOKING_REVIEW_WINDOW_CLOSED


@dataclass(frozen=True, slots=True)
class BookingCancelled(BookingStatusChanged):
    """The booking was called off (`reason` says why when the system did it)."""

    type: ClassVar[EventType] = EventType.BOOKING_CANCELLED


@dataclass(frozen=True, slots=True)
class BookingRefunded(BookingStatusChanged):
    """The gateway gave a cancelled booking's money back."""

    type: ClassVar[EventType] = EventType.BOOKING_REFUNDED


BOOKING_EVENT_FOR_ACTION: dict[Action, type[BookingStatusChanged]] = {
    Action.CREATE: BookingCreated,
    Action.PAYMENT_SUCCEEDED: BookingPaid,
    Action.PAYMENT_FAILED: BookingPaymentFailed,
    Action.ACCEPT_OFFER: BookingConfirmed,
    Action.ASSIGN: BookingConfirmed,
    Action.UNASSIGN: BookingUnassigned,
    Action.WITHDRAW: BookingWithdrawn,
    Action.DEPART: BookingOnWay,
    Action.START: BookingTreatmentStarted,
    Action.COMPLETE: BookingTreatmentCompleted,
    Action.REVIEW: BookingReviewed,
    Action.CLOSE_REVIEW_WINDOW: BookingReviewWindowClosed,
    Action.CANCEL: BookingCancelled,
    Action.REFUND: BookingRefunded,
}
"""The event each lifecycle action publishes."""


@dataclass(frozen=True, slots=True)
class BookingDispatchExhausted(DomainEvent):
    """Nobody is left to offer the booking to: it is flagged for an admin."""

    type: ClassVar[EventType] = EventType.BOOKING_DISPATCH_EXHAUSTED
    booking_id: str
    booking_number: str

    def to_payload(self) -> dict[str, Any]:
        """The booking as stored."""
        return {"bookingId": self.booking_id, "bookingNumber": self.booking_number}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        """The booking a stored payload names."""
        return cls(booking_id=payload["bookingId"], booking_number=payload["bookingNumber"])


@dataclass(frozen=True, slots=True)
class BookingBonusAdded(DomainEvent):
    """An admin raised the professional pay by `amount` agorot (the booking is offered again)."""

    type: ClassVar[EventType] = EventType.BOOKING_BONUS_ADDED
    booking_id: str
    amount: int
    admin_id: str

    def to_payload(self) -> dict[str, Any]:
        """The bonus as stored."""
        return {"bookingId": self.booking_id, "amount": self.amount, "adminId": self.admin_id}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        """The bonus a stored payload describes."""
        return cls(
            booking_id=payload["bookingId"], amount=int(payload["amount"]), admin_id=payload["adminId"]
        )
