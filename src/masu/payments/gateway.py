"""The payment gateway port: open a hosted payment, refund it, and read the gateway's signed callbacks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

CURRENCY = "ILS"

PaymentOutcome = Literal["paid", "failed"]


class GatewayError(Exception):
    """The gateway did not do what was asked."""


class GatewayUnavailable(GatewayError):
    """The gateway was unreachable or answered with a server error: the same request may succeed later."""


class GatewayRefused(GatewayError):
    """The gateway understood and said no (unknown payment, nothing to refund...): retrying will not help."""


class CallbackRejected(Exception):
    """A callback that must change nothing: bad signature, stale timestamp, malformed body."""

    def __init__(self, message: str, *, code: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    """What the gateway needs to take a payment on its hosted page. Amounts are agorot."""

    amount: int
    currency: str
    order_id: str  # the merchant's reference shown to the payer (the booking number)
    description: str
    idempotency_key: str  # the same key always answers with the same hosted payment
    return_url: str  # where the payer's browser is sent afterwards (never trusted for the outcome)
    callback_url: str  # where the gateway reports the outcome, server to server, signed


@dataclass(frozen=True, slots=True)
class HostedPayment:
    """A payment session at the gateway: its reference and the page the payer is sent to."""

    reference: str
    url: str


@dataclass(frozen=True, slots=True)
class RefundRequest:
    """Give back `amount` agorot of the payment `reference`; the key makes a retried request harmless."""

    reference: str
    amount: int
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class RefundReceipt:
    """The gateway's record of a refund."""

    reference: str
    amount: int


@dataclass(frozen=True, slots=True)
class CallbackNotice:
    """A verified callback: the gateway's event id, which payment, what happened, and for how much."""

    event_id: str
    reference: str
    outcome: PaymentOutcome
    amount: int
    currency: str


class PaymentGateway(Protocol):
    """A payment provider as the services see it."""

    @property
    def name(self) -> str:
        """The PAYMENT_GATEWAY value this adapter serves."""
        ...

    async def create_payment(self, request: PaymentRequest) -> HostedPayment:
        """Open (or, for a known idempotency key, return) a hosted payment; GatewayError on failure."""
        ...

    async def refund(self, request: RefundRequest) -> RefundReceipt:
        """Give money back; GatewayUnavailable to retry, GatewayRefused when it can never succeed."""
        ...

    def read_callback(self, *, body: bytes, headers: Mapping[str, str], now: datetime) -> CallbackNotice:
        """Verify a callback's signature and freshness and parse it; CallbackRejected otherwise."""
        ...


class NoGateway:
    """PAYMENT_GATEWAY=none: bookings are paid later, outside the system; nothing is charged or refunded."""

    name = "none"

    async def create_payment(self, request: PaymentRequest) -> HostedPayment:
        """Refuse: there is no gateway to pay at."""
        raise GatewayRefused("no payment gateway is configured")

    async def refund(self, request: RefundRequest) -> RefundReceipt:
        """Refuse: there is no gateway to refund through."""
        raise GatewayRefused("no payment gateway is configured")

    def read_callback(self, *, body: bytes, headers: Mapping[str, str], now: datetime) -> CallbackNotice:
        """Refuse every callback: none can be genuine."""
        raise CallbackRejected("no payment gateway is configured", code="no_gateway", status=404)
