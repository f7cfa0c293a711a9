"""An app on the sandbox gateway, its callbacks reaching the app in-process; helpers to pay as a customer."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import sqlalchemy as sa

from masu.bootstrap import Container, build_container
from masu.clock import SettableClock
from masu.payments import signatures
from masu.payments.sandbox import SIGNATURE_HEADER, TIMESTAMP_HEADER, SandboxGateway
from masu.persistence.models import Booking, OutboxEvent, Payment
from masu.web.app import create_app
from masu.worker.runner import Worker
from tests.conftest import settings_for
from tests.factories import ADMIN, login

GATEWAY_KEY = "sandbox-signing-key-for-tests"
BASE_URL = "http://masu.test"
CALLBACK_PATH = "/api/v1/payments/callback/sandbox"


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes each request on to the app and keeps a copy (the callbacks the gateway sent)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []
        self.responses: list[int] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        response = await self.inner.handle_async_request(request)
        self.responses.append(response.status_code)
        return response


class MerchantDown(httpx.AsyncBaseTransport):
    """The merchant's server answering 503 to everything; keeps what the gateway tried to deliver."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        return httpx.Response(503, request=request)


class Unreachable(httpx.AsyncBaseTransport):
    """A network on which the merchant cannot be reached at all."""

    def __init__(self) -> None:
        self.attempts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.attempts += 1
        raise httpx.ConnectError("connection refused", request=request)


@dataclass
class SandboxApp:
    """The app, a client onto it, its sandbox gateway and the callbacks that gateway sent."""

    container: Container
    client: httpx.AsyncClient
    gateway: SandboxGateway
    callbacks: RecordingTransport
    worker: Worker = field(init=False)

    def __post_init__(self) -> None:
        self.worker = Worker(self.container, self.container.bus)

    async def run_worker(self) -> None:
        """One worker pass as of the clock's now."""
        await self.worker.run_once(self.container.clock.now())


@asynccontextmanager
async def sandbox_app(database_url: str, clock: SettableClock, **overrides: Any) -> AsyncIterator[SandboxApp]:
    """A container and app with PAYMENT_GATEWAY=sandbox, its callbacks routed to the app in-process."""
    settings = settings_for(
        database_url,
        PAYMENT_GATEWAY="sandbox",
        PAYMENT_GATEWAY_KEY=GATEWAY_KEY,
        PUBLIC_BASE_URL=BASE_URL,
        **overrides,
    )
    container = build_container(settings, clock=clock)
    app = create_app(container)
    gateway = container.gateway
    assert isinstance(gateway, SandboxGateway)
    recorder = RecordingTransport(httpx.ASGITransport(app=app))
    gateway.deliver_callbacks_through(recorder)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as client:
            yield SandboxApp(container, client, gateway, recorder)
    finally:
        await container.close()


def form_action(page: str, choice: str) -> str:
    """The action of the hosted page's form for `choice` ("pay" or "fail")."""
    match = re.search(rf'<form method="post" action="([^"]+/{choice})">', page)
    assert match is not None, page
    return match.group(1)


async def open_hosted_page(client: httpx.AsyncClient, booking: dict[str, Any]) -> httpx.Response:
    """Follow the booking's pay URL to the gateway's hosted page, as the customer's browser does."""
    response = await client.get(booking["payment"]["payUrl"], follow_redirects=True)
    assert response.status_code == 200, response.text
    assert "Sandbox payment" in response.text
    return response


async def choose_on_hosted_page(
    client: httpx.AsyncClient, page: httpx.Response, choice: str
) -> httpx.Response:
    """Press Pay or Fail on an open hosted page and follow the browser back to the merchant."""
    response = await client.post(form_action(page.text, choice), follow_redirects=True)
    assert response.status_code == 200, response.text
    return response


async def pay(client: httpx.AsyncClient, booking: dict[str, Any], choice: str = "pay") -> httpx.Response:
    """Open the hosted page and press Pay (or Fail); the answer is the merchant's return page."""
    return await choose_on_hosted_page(client, await open_hosted_page(client, booking), choice)


def signed_callback(
    document: dict[str, Any], *, at: datetime, key: str = GATEWAY_KEY
) -> tuple[bytes, dict[str, str]]:
    """A callback body and headers signed as the gateway signs them, at `at`."""
    return signed_body(json.dumps(document, separators=(",", ":")).encode(), at=at, key=key)


def signed_body(body: bytes, *, at: datetime, key: str = GATEWAY_KEY) -> tuple[bytes, dict[str, str]]:
    """Any body, even one that is not a callback document, with the gateway's signature headers."""
    timestamp = int(at.timestamp())
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signatures.sign(key.encode(), timestamp=timestamp, body=body),
    }
    return body, headers


@dataclass(frozen=True)
class Snapshot:
    """Everything a callback could change about a booking and its payment."""

    status: str
    payment_status: str
    history: list[tuple[str, str]]
    events: list[str]
    payment: tuple[str, int | None, datetime | None] | None


async def snapshot(container: Container, booking_id: str) -> Snapshot:
    """The booking, its history, its events and its payment as stored now."""
    async with container.sessions() as session:
        booking = await session.get(Booking, booking_id)
        assert booking is not None
        history = await session.execute(
            sa.text("SELECT status, action FROM booking_status_history WHERE booking_id = :b ORDER BY id"),
            {"b": booking_id},
        )
        events = await session.execute(
            sa.select(OutboxEvent.event_type)
            .where(OutboxEvent.booking_id == booking_id)
            .order_by(OutboxEvent.id)
        )
        payment = (await session.execute(sa.select(Payment).where(Payment.booking_id == booking_id))).scalar()
        return Snapshot(
            status=booking.status,
            payment_status=booking.payment_status,
            history=[(row[0], row[1]) for row in history.all()],
            events=list(events.scalars()),
            payment=(payment.status, payment.refund_amount, payment.paid_at) if payment else None,
        )


async def payment_row(container: Container, booking_id: str) -> Payment:
    """The booking's payment row."""
    async with container.sessions() as session:
        payment = (await session.execute(sa.select(Payment).where(Payment.booking_id == booking_id))).scalar()
        assert payment is not None
        return payment


async def event_log(client: httpx.AsyncClient, booking_id: str) -> list[dict[str, Any]]:
    """The booking's events as the admin API shows them."""
    admin = await login(client, ADMIN)
    response = await client.get(f"/api/v1/admin/events?bookingId={booking_id}", headers=admin)
    return list(response.json())
