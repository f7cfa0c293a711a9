"""Email adapters: SMTP (aiosmtplib), the console (development) and memory (tests, sandboxes).

SMTP has no idempotency of its own, so a message carries what lets a repeat be recognised: an
`Idempotency-Key` header and a Message-ID derived from that key (the same message sent twice has the same
Message-ID, which mail systems use to drop duplicates).
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import aiosmtplib
import structlog

from masu.clock import Clock
from masu.notifications.ports import FailureScript, PermanentProviderError, TransientProviderError

_log = structlog.get_logger(__name__)
IMPLICIT_TLS_PORT = 465


def message_id_for(idempotency_key: str, sender: str) -> str:
    """A Message-ID that is the same for every send of one message: `<hash of key@sender's domain>`."""
    domain = parseaddr(sender)[1].rpartition("@")[2][:60] or "localhost"
    return f"<{hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]}@{domain}>"


def build_message(
    *, sender: str, to: str, subject: str, body: str, idempotency_key: str, clock: Clock
) -> EmailMessage:
    """A UTF-8 text email with Date, Message-ID and the idempotency key as headers."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = message_id_for(idempotency_key, sender)
    message["Idempotency-Key"] = idempotency_key
    if body.isascii():
        message.set_content(body)
    else:  # 8-bit bodies need the server's 8BITMIME; base64 travels through any server
        message.set_content(body, charset="utf-8", cte="base64")
    return message


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where and how to reach the SMTP server."""

    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool
    timeout_seconds: float


class SmtpEmailSender:
    """Email over SMTP; STARTTLS when configured, implicit TLS on port 465."""

    name = "email-smtp"

    def __init__(self, *, server: SmtpSettings, sender: str, clock: Clock) -> None:
        self._server = server
        self._sender = sender
        self._clock = clock

    async def send(self, *, to: str, subject: str, body: str, idempotency_key: str) -> str:
        """Deliver the message to the SMTP server; its Message-ID, or a Transient/PermanentProviderError."""
        message = build_message(
            sender=self._sender,
            to=to,
            subject=subject,
            body=body,
            idempotency_key=idempotency_key,
            clock=self._clock,
        )
        server = self._server
        implicit_tls = server.port == IMPLICIT_TLS_PORT
        try:
            await aiosmtplib.send(
                message,
                hostname=server.host,
                port=server.port,
                username=server.username,
                password=server.password,
                use_tls=implicit_tls,
                start_tls=server.starttls and not implicit_tls,
                timeout=server.timeout_seconds,
            )
        except aiosmtplib.SMTPException as exc:
            raise classify_smtp_error(exc) from exc
        except OSError as exc:
            raise TransientProviderError(f"connection failed: {type(exc).__name__}: {exc}") from exc
        return str(message["Message-ID"])


def classify_smtp_error(exc: aiosmtplib.SMTPException) -> TransientProviderError | PermanentProviderError:
    """A 5xx refusal of the message is permanent; 4xx, lost connections and refused logins are transient."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [refusal.code for refusal in exc.recipients]
        if codes and all(code >= 500 for code in codes):
            return PermanentProviderError(f"recipient refused: {exc}"[:500])
        return TransientProviderError(f"recipient deferred: {exc}"[:500])
    # A refused login is our configuration, not this message: keep the messages until it is fixed.
    if isinstance(exc, aiosmtplib.SMTPResponseException) and not isinstance(
        exc, aiosmtplib.SMTPAuthenticationError
    ):
        kind = PermanentProviderError if exc.code >= 500 else TransientProviderError
        return kind(f"SMTP {exc.code}: {exc.message}"[:500])
    return TransientProviderError(f"{type(exc).__name__}: {exc}"[:500])


class ConsoleEmailSender:
    """Writes each email to the log instead of sending it (development)."""

    name = "email-console"

    def __init__(self) -> None:
        self._ids = itertools.count(1)

    async def send(self, *, to: str, subject: str, body: str, idempotency_key: str) -> str:
        """Log the email; a made-up provider id."""
        message_id = f"console-email-{next(self._ids)}"
        _log.info(
            "email_console",
            to=to,
            subject=subject,
            body=body,
            idempotency_key=idempotency_key,
            provider_id=message_id,
        )
        return message_id


@dataclass(frozen=True, slots=True)
class SentEmail:
    """An email the memory sender accepted."""

    to: str
    subject: str
    body: str
    idempotency_key: str
    provider_id: str


class MemoryEmailSender:
    """An in-memory email provider that fails when told and keeps one copy per idempotency key."""

    name = "email-memory"

    def __init__(self) -> None:
        self.sent: list[SentEmail] = []
        self.calls = 0
        self.failures = FailureScript()
        self._by_key: dict[str, str] = {}

    async def send(self, *, to: str, subject: str, body: str, idempotency_key: str) -> str:
        """Accept the email (once per key), or fail as told."""
        self.calls += 1
        self.failures.check()
        if idempotency_key not in self._by_key:
            self._by_key[idempotency_key] = f"memory-email-{len(self.sent) + 1}"
            self.sent.append(SentEmail(to, subject, body, idempotency_key, self._by_key[idempotency_key]))
        return self._by_key[idempotency_key]
