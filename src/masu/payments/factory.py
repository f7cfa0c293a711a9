"""Choosing the gateway adapter from PAYMENT_GATEWAY."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from masu.clock import Clock
from masu.config import InsecureConfiguration, Settings
from masu.payments.gateway import NoGateway, PaymentGateway
from masu.payments.sandbox import SandboxGateway


def build_gateway(
    settings: Settings, *, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> PaymentGateway:
    """The configured adapter; refuses the sandbox in production and a sandbox without a signing key."""
    if settings.PAYMENT_GATEWAY == "none":
        return NoGateway()
    if settings.is_production:
        # Its hosted page lets anyone press "Pay": never let it take bookings for real.
        raise InsecureConfiguration("PAYMENT_GATEWAY=sandbox is a test gateway and cannot run in production")
    if not settings.PAYMENT_GATEWAY_KEY:
        raise InsecureConfiguration("PAYMENT_GATEWAY=sandbox needs PAYMENT_GATEWAY_KEY to sign its callbacks")
    return SandboxGateway(
        sessions=sessions,
        clock=clock,
        key=settings.PAYMENT_GATEWAY_KEY.encode(),
        base_url=settings.PUBLIC_BASE_URL,
    )
