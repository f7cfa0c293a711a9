"""Email through a real SMTP server on a local port: what arrives, and how refusals are told apart."""

from __future__ import annotations

import email
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from masu.clock import SettableClock
from masu.notifications.email import message_id_for
from masu.notifications.ports import PermanentProviderError, TransientProviderError
from masu.notifications.providers import EMAIL, Providers, build_providers
from tests.conftest import NOW
from tests.notifications.sms_provider import provider_settings
from tests.workers import free_port

SENDER = "Masu <no-reply@masu.example>"
SUBJECT = "ההזמנה שלך אושרה"
BODY = "שלום דנה,\nהמטפלת בדרך אלייך. נתראה ב-12:00.\n— מאסו"


class Mailbox:
    """An SMTP server's handler that keeps what it received; refuses recipients it is told to."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.refuse: dict[str, str] = {}
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: Any, session: Session, envelope: Envelope, mechanism: str, auth: Any
    ) -> Any:
        assert isinstance(auth, LoginPassword)
        self.logins.append((auth.login, auth.password))
        return AuthResult(success=auth.password == b"smtp-secret", handled=False)

    def received(self) -> EmailMessage:
        [envelope] = self.envelopes
        assert isinstance(envelope.content, bytes)
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        return message


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        authenticator=box.authenticate,
        auth_require_tls=False,
        auth_required=False,
    )
    controller.start()
    yield box, port
    controller.stop()


def _providers(port: int, clock: SettableClock, **overrides: object) -> Providers:
    settings = provider_settings(
        EMAIL_BACKEND="smtp",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_STARTTLS=False,
        EMAIL_FROM=SENDER,
        EMAIL_TIMEOUT_SECONDS=5,
        PROVIDER_RETRY_ATTEMPTS=1,
        **overrides,
    )
    return build_providers(settings, clock=clock, redis=None)


async def _send(providers: Providers, to: str = "dana@example.com") -> str:
    return await providers.send(
        channel=EMAIL, to=to, subject=SUBJECT, body=BODY, idempotency_key="booking-1/he"
    )


async def test_a_hebrew_email_arrives_with_its_headers(
    mailbox: tuple[Mailbox, int], clock: SettableClock
) -> None:
    box, port = mailbox
    provider_id = await _send(_providers(port, clock))

    message = box.received()
    assert box.envelopes[0].rcpt_tos == ["dana@example.com"]
    assert message["From"] == SENDER
    assert message["To"] == "dana@example.com"
    assert message["Subject"] == SUBJECT
    raw_subject = box.envelopes[0].content.split(b"\r\nSubject: ")[1].split(b"\r\n")[0]  # type: ignore[union-attr]
    assert raw_subject.isascii()  # encoded for 7-bit transport
    assert raw_subject.startswith(b"=?utf-8?")
    assert message["Message-ID"] == provider_id == message_id_for("booking-1/he", SENDER)
    assert provider_id.endswith("@masu.example>")
    assert message["Idempotency-Key"] == "booking-1/he"
    assert parsedate_to_datetime(message["Date"]) == NOW
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message.get_content().strip() == BODY


async def test_the_api_key_is_the_password_when_no_password_is_set(
    mailbox: tuple[Mailbox, int], clock: SettableClock
) -> None:
    box, port = mailbox
    await _send(_providers(port, clock, EMAIL_USERNAME="masu", EMAIL_API_KEY="smtp-secret"))

    assert box.logins == [(b"masu", b"smtp-secret")]
    assert len(box.envelopes) == 1


async def test_a_refused_login_is_transient(mailbox: tuple[Mailbox, int], clock: SettableClock) -> None:
    _box, port = mailbox
    with pytest.raises(TransientProviderError, match="SMTPAuthenticationError"):
        await _send(_providers(port, clock, EMAIL_USERNAME="masu", EMAIL_PASSWORD="wrong"))


async def test_a_refused_address_is_permanent_and_a_deferred_one_transient(
    mailbox: tuple[Mailbox, int], clock: SettableClock
) -> None:
    box, port = mailbox
    box.refuse = {"gone@example.com": "550 No such user", "full@example.com": "452 Mailbox full, try later"}
    providers = _providers(port, clock)

    with pytest.raises(PermanentProviderError, match="550"):
        await _send(providers, "gone@example.com")
    with pytest.raises(TransientProviderError, match="452"):
        await _send(providers, "full@example.com")
    assert box.envelopes == []


async def test_no_server_is_transient(clock: SettableClock) -> None:
    with pytest.raises(TransientProviderError):
        await _send(_providers(free_port(), clock))
