"""SMS adapters: a Twilio-style HTTP API, the console (development) and memory (tests, sandboxes).

HttpSmsSender POSTs a form (`To`, `From`, `Body`) to SMS_API_URL with the message's idempotency key in an
`Idempotency-Key` header, so the provider drops a repeat of a message it already accepted. SMS_API_KEY of the
form `account:secret` is sent as HTTP basic auth (Twilio's account SID and auth token); any other key is sent
as a bearer token. The provider's id of the message is read from the JSON answer (`sid`, else `id`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import httpx
import structlog

from masu.notifications.ports import FailureScript, PermanentProviderError, TransientProviderError

_log = structlog.get_logger(__name__)

# 429 and 5xx are the provider's momentary trouble; 408/409/425 mean "not now" (409: the provider is still
# working on a request with the same idempotency key). 401/403 mean the provider refuses *us* (a revoked or
# wrong key), not this message: retrying, and opening the breaker, keeps the messages until it is fixed.
_TRANSIENT_STATUSES = frozenset({401, 403, 408, 409, 425, 429})


def is_transient_status(status: int) -> bool:
    """True for an HTTP status worth retrying; other 4xx mean the message itself was refused."""
    return status in _TRANSIENT_STATUSES or status >= 500


class HttpSmsSender:
    """SMS over a Twilio-style REST API with httpx."""

    name = "sms-http"

    def __init__(
        self,
        *,
        url: str,
        api_key: str | None,
        sender: str,
        timeout_seconds: float,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._url = url
        self._sender = sender
        self._client = client or _client(api_key, timeout_seconds)
        self._owns_client = client is None

    async def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        """POST the message; the provider's message id, or a Transient/PermanentProviderError."""
        try:
            response = await self._client.post(
                self._url,
                data={"To": to, "From": self._sender, "Body": body},
                headers={"Idempotency-Key": idempotency_key, "Accept": "application/json"},
            )
        except httpx.TimeoutException as exc:
            raise TransientProviderError(f"timed out: {type(exc).__name__}") from exc
        except httpx.HTTPError as exc:
            raise TransientProviderError(f"connection failed: {type(exc).__name__}: {exc}") from exc
        if response.is_success:
            return _message_id(response)
        detail = f"HTTP {response.status_code}: {response.text[:300]}"
        if is_transient_status(response.status_code):
            raise TransientProviderError(detail)
        raise PermanentProviderError(detail)

    async def aclose(self) -> None:
        """Close the connection pool (when this sender opened it)."""
        if self._owns_client:
            await self._client.aclose()


def _client(api_key: str | None, timeout_seconds: float) -> httpx.AsyncClient:
    if not api_key:
        return httpx.AsyncClient(timeout=timeout_seconds)
    account, colon, secret = api_key.partition(":")
    if colon:
        return httpx.AsyncClient(timeout=timeout_seconds, auth=httpx.BasicAuth(account, secret))
    return httpx.AsyncClient(timeout=timeout_seconds, headers={"Authorization": f"Bearer {api_key}"})


def _message_id(response: httpx.Response) -> str:
    # The provider accepted the message: an answer without a readable id must not turn into a resend.
    try:
        payload = response.json()
    except ValueError:
        return ""
    if not isinstance(payload, dict):
        return ""
    return str(payload.get("sid") or payload.get("id") or "")


class ConsoleSmsSender:
    """Writes each message to the log instead of sending it (development)."""

    name = "sms-console"

    def __init__(self) -> None:
        self._ids = itertools.count(1)

    async def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        """Log the message; a made-up provider id."""
        message_id = f"console-sms-{next(self._ids)}"
        _log.info("sms_console", to=to, body=body, idempotency_key=idempotency_key, provider_id=message_id)
        return message_id


@dataclass(frozen=True, slots=True)
class SentSms:
    """A message the memory sender accepted."""

    to: str
    body: str
    idempotency_key: str
    provider_id: str


class MemorySmsSender:
    """An in-memory provider that behaves like the real one: it fails when told, and deduplicates by key.

    `failures.fail_next(n)` makes the next n calls fail, `failures.down = True` fails every call until it is
    set back. A repeated idempotency key returns the first answer without a second message, as an idempotent
    provider does; `sent` holds each accepted message once and `calls` counts every call.
    """

    name = "sms-memory"

    def __init__(self) -> None:
        self.sent: list[SentSms] = []
        self.calls = 0
        self.failures = FailureScript()
        self._by_key: dict[str, str] = {}

    async def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        """Accept the message (once per key), or fail as told."""
        self.calls += 1
        self.failures.check()
        if idempotency_key not in self._by_key:
            self._by_key[idempotency_key] = f"memory-sms-{len(self.sent) + 1}"
            self.sent.append(SentSms(to, body, idempotency_key, self._by_key[idempotency_key]))
        return self._by_key[idempotency_key]
