"""The ports every message provider implements, and the two ways a provider call can fail."""

from __future__ import annotations

from typing import Any, Protocol


class ProviderError(Exception):
    """A provider did not accept a message."""


class TransientProviderError(ProviderError):
    """Worth retrying: a timeout, a lost connection, throttling (429) or a server error (5xx)."""


class PermanentProviderError(ProviderError):
    """Retrying cannot help: the provider refused this message (a bad number or address, a 4xx)."""


class SmsSender(Protocol):
    """Sends one text message; the idempotency key makes a repeated send of one message harmless."""

    name: str

    async def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        """Hand the message to the provider and return the provider's id for it; raises a ProviderError."""
        ...


class EmailSender(Protocol):
    """Sends one email; the idempotency key travels with the message so a repeat can be recognised."""

    name: str

    async def send(self, *, to: str, subject: str, body: str, idempotency_key: str) -> str:
        """Hand the message to the provider and return its message id; raises a ProviderError."""
        ...


class RenderedMessage(Protocol):
    """A message rendered for one channel and language."""

    @property
    def subject(self) -> str | None: ...

    @property
    def body(self) -> str: ...


class Renderer(Protocol):
    """Renders a catalogue message (the catalogue's `render`)."""

    def __call__(
        self, name: str, *, channel: str, language: str, context: dict[str, Any]
    ) -> RenderedMessage: ...


class FailureScript:
    """How a sandbox provider misbehaves on request: the next n calls fail, or every call while `down`."""

    def __init__(self) -> None:
        self.down = False
        self._queue: list[type[ProviderError]] = []

    def fail_next(self, count: int, *, permanent: bool = False) -> None:
        """Make the next `count` calls fail, transiently (a 503) or permanently (a refusal)."""
        self._queue.extend([PermanentProviderError if permanent else TransientProviderError] * count)

    def check(self) -> None:
        """Raise the failure this call is due to have, if any."""
        if self.down:
            raise TransientProviderError("503: the provider is down")
        if self._queue:
            kind = self._queue.pop(0)
            raise kind("refused: invalid recipient" if kind is PermanentProviderError else "503: unavailable")
