"""The message providers of a process, chosen in config, each behind its retries and breaker."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from tenacity.wait import WaitBaseT

from masu.clock import Clock
from masu.config import Settings
from masu.notifications.email import (
    ConsoleEmailSender,
    MemoryEmailSender,
    SmtpEmailSender,
    SmtpSettings,
)
from masu.notifications.ports import EmailSender, SmsSender
from masu.notifications.resilience import (
    DEFAULT_RETRY_WAIT,
    BreakerStore,
    CircuitBreaker,
    GuardedProvider,
    MemoryBreakerStore,
    RedisBreakerStore,
)
from masu.notifications.sms import ConsoleSmsSender, HttpSmsSender, MemorySmsSender
from masu.persistence.cache import key_prefix_for

SMS, EMAIL = "sms", "email"


class ProviderMisconfigured(RuntimeError):
    """A backend was chosen without the settings it needs."""


@dataclass
class Providers:
    """The SMS and email senders and, per channel, the guard (retries + breaker) every call goes through."""

    sms: SmsSender
    email: EmailSender
    guards: dict[str, GuardedProvider]

    async def send(
        self, *, channel: str, to: str, subject: str | None, body: str, idempotency_key: str
    ) -> str:
        """Send through the channel's guard; the provider's id, ProviderUnavailable or a ProviderError."""
        if channel == SMS:
            sms = self.sms
            return await self.guards[SMS].call(
                lambda: sms.send(to=to, body=body, idempotency_key=idempotency_key)
            )
        email = self.email
        return await self.guards[EMAIL].call(
            lambda: email.send(to=to, subject=subject or "", body=body, idempotency_key=idempotency_key)
        )

    def breaker(self, channel: str) -> CircuitBreaker:
        """The breaker of the channel's provider."""
        return self.guards[channel].breaker

    async def breaker_states(self) -> list[dict[str, Any]]:
        """Each provider's breaker as JSON-friendly data; `unknown` where its state cannot be read."""
        states = []
        for channel, guard in self.guards.items():
            try:
                state = (await guard.breaker.state()).as_dict()
            except Exception as exc:  # a health report shows a broken store, it does not fail on it
                state = {"provider": guard.breaker.name, "state": "unknown", "error": type(exc).__name__}
            states.append({"channel": channel, **state})
        return states

    async def aclose(self) -> None:
        """Release the senders' connections."""
        for sender in (self.sms, self.email):
            close = getattr(sender, "aclose", None)
            if close is not None:
                await close()


def build_providers(
    settings: Settings,
    *,
    clock: Clock,
    redis: Redis | None,
    retry_wait: WaitBaseT = DEFAULT_RETRY_WAIT,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Providers:
    """Senders from SMS_BACKEND / EMAIL_BACKEND, breakers shared through Redis when there is one."""
    # Under the deployment's namespace: another deployment on the same Redis keeps its own breakers.
    prefix = key_prefix_for(settings.DATABASE_URL) + "breaker:"
    store: BreakerStore = RedisBreakerStore(redis, prefix) if redis is not None else MemoryBreakerStore()
    sms, email = sms_sender(settings), email_sender(settings, clock)

    def guard(name: str) -> GuardedProvider:
        breaker = CircuitBreaker(
            name,
            store=store,
            clock=clock,
            failure_threshold=settings.BREAKER_FAILURE_THRESHOLD,
            reset_seconds=settings.BREAKER_RESET_SECONDS,
        )
        return GuardedProvider(
            breaker, attempts=settings.PROVIDER_RETRY_ATTEMPTS, wait=retry_wait, sleep=sleep
        )

    return Providers(sms=sms, email=email, guards={SMS: guard(sms.name), EMAIL: guard(email.name)})


def sms_sender(settings: Settings) -> SmsSender:
    """The SMS adapter SMS_BACKEND names."""
    if settings.SMS_BACKEND == "memory":
        return MemorySmsSender()
    if settings.SMS_BACKEND == "console":
        return ConsoleSmsSender()
    if not settings.SMS_API_URL:
        raise ProviderMisconfigured("SMS_BACKEND=http needs SMS_API_URL")
    return HttpSmsSender(
        url=settings.SMS_API_URL,
        api_key=settings.SMS_API_KEY,
        sender=settings.SMS_SENDER,
        timeout_seconds=settings.SMS_TIMEOUT_SECONDS,
    )


def email_sender(settings: Settings, clock: Clock) -> EmailSender:
    """The email adapter EMAIL_BACKEND names (EMAIL_API_KEY is the password when EMAIL_PASSWORD is unset)."""
    if settings.EMAIL_BACKEND == "memory":
        return MemoryEmailSender()
    if settings.EMAIL_BACKEND == "console":
        return ConsoleEmailSender()
    server = SmtpSettings(
        host=settings.EMAIL_HOST,
        port=settings.EMAIL_PORT,
        username=settings.EMAIL_USERNAME,
        password=settings.EMAIL_PASSWORD or settings.EMAIL_API_KEY,
        starttls=settings.EMAIL_STARTTLS,
        timeout_seconds=settings.EMAIL_TIMEOUT_SECONDS,
    )
    return SmtpEmailSender(server=server, sender=settings.EMAIL_FROM, clock=clock)
