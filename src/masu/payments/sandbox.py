"""The sandbox gateway: a stand-in for a real card gateway, with a hosted page served by the app.

It behaves like the real thing where the system can tell: payment sessions are opened server to server and
are idempotent per key; the payer chooses pay or fail on the hosted page; the outcome is reported to the
merchant's callback URL over HTTP with an HMAC-SHA256 signature over a timestamp and the raw body (with a
few retries); refunds are idempotent per key and refused beyond the captured amount; and `available = False`
makes every server-to-server call fail as an outage would.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from masu.clock import Clock
from masu.payments import signatures
from masu.payments.gateway import (
    CallbackNotice,
    CallbackRejected,
    GatewayRefused,
    GatewayUnavailable,
    HostedPayment,
    PaymentOutcome,
    PaymentRequest,
    RefundReceipt,
    RefundRequest,
)
from masu.persistence.models import SandboxPayment, SandboxRefund
from masu.persistence.repositories import sandbox_gateway as books

SIGNATURE_HEADER = "X-Sandbox-Signature"
TIMESTAMP_HEADER = "X-Sandbox-Timestamp"
HOSTED_PAGE_PATH = "/sandbox-gateway/pay"
_EVENT_TYPES: dict[str, PaymentOutcome] = {"payment.succeeded": "paid", "payment.failed": "failed"}
_STATUS_FOR: dict[PaymentOutcome, str] = {"paid": "paid", "failed": "declined"}
_log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class SandboxCheckout:
    """What the hosted page shows and where it sends the payer back to."""

    reference: str
    order_id: str
    description: str
    amount: int
    currency: str
    status: str  # open, paid, declined
    return_url: str


class _NotAcknowledged(Exception):
    """The merchant's callback endpoint did not answer 2xx."""


class SandboxGateway:
    """The `sandbox` adapter; its books are tables of its own, reached through its own transactions."""

    name = "sandbox"

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        key: bytes,
        base_url: str,
        transport: httpx.AsyncBaseTransport | None = None,
        callback_attempts: int = 3,
        tolerance: timedelta = signatures.DEFAULT_TOLERANCE,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._key = key
        self._base_url = base_url.rstrip("/")
        self._transport = transport
        self._callback_attempts = callback_attempts
        self._tolerance = tolerance
        self.available = True  # False simulates an outage of the gateway's API

    def deliver_callbacks_through(self, transport: httpx.AsyncBaseTransport | None) -> None:
        """Send callbacks through `transport` (tests: an ASGI transport onto the app), not the network."""
        self._transport = transport

    async def create_payment(self, request: PaymentRequest) -> HostedPayment:
        """Open a hosted payment, or return the one opened before with the same idempotency key."""
        self._check_available()
        async with self._sessions() as session:
            row = await books.payment_by_key(session, request.idempotency_key)
            if row is None:
                row = _new_payment(request, now=self._clock.now())
                books.add(session, row)
                await session.commit()
            elif (row.amount, row.currency) != (request.amount, request.currency):
                raise GatewayRefused("idempotency key reused with a different amount")
        return HostedPayment(reference=row.reference, url=self.hosted_page_url(row.reference))

    async def refund(self, request: RefundRequest) -> RefundReceipt:
        """Refund up to what was captured; the same idempotency key answers with the same refund."""
        self._check_available()
        async with self._sessions() as session:
            earlier = await books.refund_by_key(session, request.idempotency_key)
            if earlier is not None:
                if (earlier.payment_reference, earlier.amount) != (request.reference, request.amount):
                    raise GatewayRefused("idempotency key reused with a different refund")
                return RefundReceipt(reference=earlier.reference, amount=earlier.amount)
            payment = await books.get_payment(session, request.reference, for_update=True)
            _check_refundable(payment, request.amount)
            assert payment is not None
            refund = SandboxRefund(
                reference=f"sbr_{secrets.token_urlsafe(18)}",
                payment_reference=payment.reference,
                idempotency_key=request.idempotency_key,
                amount=request.amount,
                created_at=self._clock.now(),
            )
            payment.refunded_amount += request.amount
            books.add(session, refund)
            await session.commit()
        return RefundReceipt(reference=refund.reference, amount=refund.amount)

    def read_callback(self, *, body: bytes, headers: Mapping[str, str], now: datetime) -> CallbackNotice:
        """Verify the signature and its freshness, then parse; CallbackRejected for anything else."""
        try:
            signatures.verify(
                self._key,
                timestamp=headers.get(TIMESTAMP_HEADER),
                signature=headers.get(SIGNATURE_HEADER),
                body=body,
                now=now,
                tolerance=self._tolerance,
            )
        except signatures.SignatureExpired as exc:
            raise CallbackRejected(str(exc), code="signature_expired", status=401) from exc
        except signatures.SignatureInvalid as exc:
            raise CallbackRejected(str(exc), code="signature_invalid", status=401) from exc
        return _parse_notice(body)

    def hosted_page_url(self, reference: str) -> str:
        """Where the payer pays (served by the app's sandbox router)."""
        return f"{self._base_url}{HOSTED_PAGE_PATH}/{reference}"

    async def checkout(self, reference: str) -> SandboxCheckout | None:
        """The hosted payment behind a reference, for its page; None when there is none."""
        async with self._sessions() as session:
            row = await books.get_payment(session, reference)
        return _checkout_of(row) if row is not None else None

    async def complete(self, reference: str, outcome: PaymentOutcome) -> SandboxCheckout | None:
        """The payer's choice: record it once, report it to the merchant, answer the page's new state."""
        async with self._sessions() as session:
            closed = await books.complete_if_open(
                session,
                reference,
                status=_STATUS_FOR[outcome],
                event_id=f"evt_{secrets.token_urlsafe(18)}",
                now=self._clock.now(),
            )
            await session.commit()
        if closed:
            await self.redeliver_callback(reference)
        return await self.checkout(reference)

    async def redeliver_callback(self, reference: str) -> bool:
        """(Re)send a closed payment's outcome with its first event id (gateways retry); True if acked."""
        async with self._sessions() as session:
            row = await books.get_payment(session, reference)
        if row is None or row.callback_event_id is None:
            return False
        attempts, delivered = await self._deliver(row)
        async with self._sessions() as session:
            await books.record_delivery(
                session, reference, attempts=attempts, delivered_at=self._clock.now() if delivered else None
            )
            await session.commit()
        return delivered

    async def refunds_of(self, reference: str) -> list[RefundReceipt]:
        """The refunds the gateway made on a payment, oldest first."""
        async with self._sessions() as session:
            rows = await books.refunds_of(session, reference)
        return [RefundReceipt(reference=r.reference, amount=r.amount) for r in rows]

    async def _deliver(self, row: SandboxPayment) -> tuple[int, bool]:
        """POST the signed outcome to the merchant, retrying failures briefly; (attempts, acknowledged)."""
        body = _notice_body(row, occurred_at=row.completed_at or self._clock.now())
        attempts, acknowledged = 0, False
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self._callback_attempts),
                wait=wait_exponential(multiplier=0.05, max=0.5),
                retry=retry_if_exception_type((httpx.HTTPError, _NotAcknowledged)),
                reraise=True,
            ):
                with attempt:
                    attempts += 1
                    acknowledged = await self._post(row.callback_url, body)
        except Exception as exc:  # an unreachable merchant is the merchant's problem; the payment stands
            _log.warning("sandbox_callback_failed", reference=row.reference, error=repr(exc))
        return attempts, acknowledged

    async def _post(self, url: str, body: bytes) -> bool:
        """One signed delivery: True when acknowledged (2xx), False when refused (4xx); raises to retry."""
        timestamp = int(self._clock.now().timestamp())
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: signatures.sign(self._key, timestamp=timestamp, body=body),
        }
        async with httpx.AsyncClient(transport=self._transport, timeout=10.0) as http:
            response = await http.post(url, content=body, headers=headers)
        if response.status_code >= 500:
            raise _NotAcknowledged(f"merchant answered {response.status_code}")
        if not response.is_success:
            # A 4xx is the merchant refusing this notice; sending it again would get the same answer.
            _log.warning("sandbox_callback_refused", url=url, status=response.status_code)
        return response.is_success

    def _check_available(self) -> None:
        if not self.available:
            raise GatewayUnavailable("the sandbox gateway is unavailable")


def _new_payment(request: PaymentRequest, *, now: datetime) -> SandboxPayment:
    if request.amount <= 0:
        raise GatewayRefused("the amount must be positive")
    return SandboxPayment(
        # 144 random bits: the reference is the only secret guarding the hosted page and its buttons.
        reference=f"sbp_{secrets.token_urlsafe(18)}",
        idempotency_key=request.idempotency_key,
        merchant_order=request.order_id[:40],
        description=request.description[:200],
        amount=request.amount,
        currency=request.currency,
        return_url=request.return_url,
        callback_url=request.callback_url,
        status=books.OPEN,
        refunded_amount=0,
        created_at=now,
        callback_attempts=0,
    )


def _check_refundable(payment: SandboxPayment | None, amount: int) -> None:
    if payment is None:
        raise GatewayRefused("no such payment")
    if payment.status != "paid":
        raise GatewayRefused("the payment was not captured")
    if amount <= 0 or payment.refunded_amount + amount > payment.amount:
        raise GatewayRefused("the refund exceeds what is left of the payment")


def _checkout_of(row: SandboxPayment) -> SandboxCheckout:
    return SandboxCheckout(
        reference=row.reference,
        order_id=row.merchant_order,
        description=row.description,
        amount=row.amount,
        currency=row.currency,
        status=row.status,
        return_url=row.return_url,
    )


def _notice_body(row: SandboxPayment, *, occurred_at: datetime) -> bytes:
    event_type = "payment.succeeded" if row.status == "paid" else "payment.failed"
    document = {
        "eventId": row.callback_event_id,
        "type": event_type,
        "reference": row.reference,
        "amount": row.amount,
        "currency": row.currency,
        "occurredAt": occurred_at.isoformat(),
    }
    return json.dumps(document, separators=(",", ":")).encode()


def _parse_notice(body: bytes) -> CallbackNotice:
    try:
        document: Any = json.loads(body)
    except ValueError as exc:
        raise CallbackRejected("the body is not JSON", code="malformed_callback") from exc
    if not isinstance(document, dict):
        raise CallbackRejected("the body is not an object", code="malformed_callback")
    event_id, reference = document.get("eventId"), document.get("reference")
    amount, currency = document.get("amount"), document.get("currency")
    outcome = _EVENT_TYPES.get(str(document.get("type")))
    texts_ok = all(isinstance(v, str) and 0 < len(v) <= 100 for v in (event_id, reference, currency))
    if outcome is None or not texts_ok or not isinstance(amount, int) or isinstance(amount, bool):
        raise CallbackRejected("the callback is missing or has malformed fields", code="malformed_callback")
    return CallbackNotice(
        event_id=str(event_id),
        reference=str(reference),
        outcome=outcome,
        amount=amount,
        currency=str(currency),
    )
