"""Events of reviews: the cycle's requests and reminders, replies, hiding and showing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Self

from masu.domain.events.base import DomainEvent, EventType
from masu.domain.reviews import ReviewStep


def _optional_time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True, slots=True)
class ReviewRequested(DomainEvent):
    """A step of the review cycle asks for the review; moot after `send_before`; `resent_by` an admin."""

    type: ClassVar[EventType] = EventType.REVIEW_REQUESTED
    booking_id: str
    step: ReviewStep
    send_before: datetime | None = None
    resent_by: str | None = None

    def to_payload(self) -> dict[str, Any]:
        """The request as stored; `sendBefore` and `resentBy` only when there is one."""
        payload: dict[str, Any] = {"bookingId": self.booking_id, "step": self.step.value}
        if self.send_before is not None:
            payload["sendBefore"] = self.send_before.isoformat()
        if self.resent_by is not None:
            payload["resentBy"] = self.resent_by
        return payload

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        """The request a stored payload describes (a missing step is the first request)."""
        return cls(
            booking_id=payload["bookingId"],
            step=ReviewStep(payload.get("step") or ReviewStep.REQUEST),
            send_before=_optional_time(payload.get("sendBefore")),
            resent_by=payload.get("resentBy"),
        )


@dataclass(frozen=True, slots=True)
class ReviewEvent(DomainEvent):
    """Something was done to a booking's review, by `actor_id`."""

    review_id: str
    booking_id: str
    professional_id: str
    actor_id: str

    def to_payload(self) -> dict[str, Any]:
        """The review and who acted as stored."""
        return {
            "reviewId": self.review_id,
            "bookingId": self.booking_id,
            "professionalId": self.professional_id,
            "actorId": self.actor_id,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        """The review a stored payload names."""
        return cls(
            review_id=payload["reviewId"],
            booking_id=payload["bookingId"],
            professional_id=payload["professionalId"],
            actor_id=payload["actorId"],
        )


@dataclass(frozen=True, slots=True)
class ReviewReplied(ReviewEvent):
    """The professional replied to the review."""

    type: ClassVar[EventType] = EventType.REVIEW_REPLIED


@dataclass(frozen=True, slots=True)
class ReviewHidden(ReviewEvent):
    """An admin hid the review (it no longer counts towards the rating)."""

    type: ClassVar[EventType] = EventType.REVIEW_HIDDEN


@dataclass(frozen=True, slots=True)
class ReviewUnhidden(ReviewEvent):
    """An admin showed a hidden review again."""

    type: ClassVar[EventType] = EventType.REVIEW_UNHIDDEN
