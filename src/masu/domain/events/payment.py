"""Events of refunds: asked for in the cancelling transaction, then made or refused by the gateway."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from masu.domain.events.base import DomainEvent, EventType


@dataclass(frozen=True, slots=True)
class PaymentRefundRequested(DomainEvent):
    """A payment's full amount is to go back through its gateway (`reason`: cancelled or late_payment)."""

    type: ClassVar[EventType] = EventType.PAYMENT_REFUND_REQUESTED
    payment_id: str
    booking_id: str
    gateway: str
    reference: str | None
    refund_amount: int
    currency: str
    reason: str

    def to_payload(self) -> dict[str, Any]:
        """The refund to make as stored."""
        return {
            "paymentId": self.payment_id,
            "bookingId": self.booking_id,
            "gateway": self.gateway,
            "reference": self.reference,
            "refundAmount": self.refund_amount,
            "currency": self.currency,
            "reason": self.reason,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        """The refund a stored payload asks for."""
        return cls(
            payment_id=payload["paymentId"],
            booking_id=payload["bookingId"],
            gateway=payload["gateway"],
            reference=payload.get("reference"),
            refund_amount=int(payload["refundAmount"]),
            currency=payload["currency"],
            reason=payload["reason"],
        )


def _refund_fields(payload: Mapping[str, Any]) -> dict[str, Any]:
    refunded = payload.get("refundAmount")
    return {
        "payment_id": payload["paymentId"],
        "booking_id": payload["bookingId"],
        "booking_number": payload["bookingNumber"],
        "refund_amount": int(refunded) if refunded is not None else None,
        "reason": payload.get("reason"),
    }


@dataclass(frozen=True, slots=True)
class PaymentRefunded(DomainEvent):
    """The gateway gave `refund_amount` agorot back (its own reference: `refund_reference`)."""

    type: ClassVar[EventType] = EventType.PAYMENT_REFUNDED
    payment_id: str
    booking_id: str
    booking_number: str
    refund_amount: int | None
    reason: str | None
    refund_reference: str

    def to_payload(self) -> dict[str, Any]:
        """The refund made as stored."""
        return {
            "paymentId": self.payment_id,
            "bookingId": self.booking_id,
            "bookingNumber": self.booking_number,
            "refundAmount": self.refund_amount,
            "reason": self.reason,
            "refundReference": self.refund_reference,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        """The refund a stored payload reports."""
        return cls(**_refund_fields(payload), refund_reference=payload["refundReference"])


@dataclass(frozen=True, slots=True)
class PaymentRefundFailed(DomainEvent):
    """The gateway refused the refund (`error`); an admin has to return the money by other means."""

    type: ClassVar[EventType] = EventType.PAYMENT_REFUND_FAILED
    payment_id: str
    booking_id: str
    booking_number: str
    refund_amount: int | None
    reason: str | None
    error: str

    def to_payload(self) -> dict[str, Any]:
        """The refused refund as stored."""
        return {
            "paymentId": self.payment_id,
            "bookingId": self.booking_id,
            "bookingNumber": self.booking_number,
            "refundAmount": self.refund_amount,
            "reason": self.reason,
            "error": self.error,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        """The refusal a stored payload reports."""
        return cls(**_refund_fields(payload), error=payload["error"])
