"""Events of a professional's offer of a booking."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Self

from masu.domain.events.base import DomainEvent, EventType


@dataclass(frozen=True, slots=True)
class OfferEvent(DomainEvent):
    """Something happened to one professional's offer of a booking."""

    offer_id: str
    booking_id: str
    professional_id: str
    wave: int

    def to_payload(self) -> dict[str, Any]:
        """The offer as stored."""
        return {
            "offerId": self.offer_id,
            "bookingId": self.booking_id,
            "professionalId": self.professional_id,
            "wave": self.wave,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        """The offer a stored payload names."""
        return cls(
            offer_id=payload["offerId"],
            booking_id=payload["bookingId"],
            professional_id=payload["professionalId"],
            wave=int(payload["wave"]),
        )


@dataclass(frozen=True, slots=True)
class OfferCreated(OfferEvent):
    """A professional was offered the booking, to answer by `expires_at`."""

    type: ClassVar[EventType] = EventType.OFFER_CREATED
    expires_at: datetime

    def to_payload(self) -> dict[str, Any]:
        """The offer and its deadline as stored."""
        # Named, not super(): a slotted dataclass is a new class, which zero-argument super() does not know.
        return {**OfferEvent.to_payload(self), "expiresAt": self.expires_at.isoformat()}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        """The offer a stored payload describes."""
        return cls(
            offer_id=payload["offerId"],
            booking_id=payload["bookingId"],
            professional_id=payload["professionalId"],
            wave=int(payload["wave"]),
            expires_at=datetime.fromisoformat(payload["expiresAt"]),
        )


@dataclass(frozen=True, slots=True)
class OfferAccepted(OfferEvent):
    """The professional took the offer (and with it the booking)."""

    type: ClassVar[EventType] = EventType.OFFER_ACCEPTED


@dataclass(frozen=True, slots=True)
class OfferDeclined(OfferEvent):
    """The professional said no; they are never offered this booking again."""

    type: ClassVar[EventType] = EventType.OFFER_DECLINED


@dataclass(frozen=True, slots=True)
class OfferExpired(OfferEvent):
    """Nobody answered the offer in time."""

    type: ClassVar[EventType] = EventType.OFFER_EXPIRED


@dataclass(frozen=True, slots=True)
class OfferWithdrawn(OfferEvent):
    """Someone else took the booking: the offer is off."""

    type: ClassVar[EventType] = EventType.OFFER_WITHDRAWN
