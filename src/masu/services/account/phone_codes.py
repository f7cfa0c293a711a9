"""Proving a phone is someone's: six-digit codes sent by SMS, for signing up, logging in and resetting.

A code is valid for CODE_TTL and MAX_TRIES tries; only the newest code of a phone and purpose counts. It is
stored as an HMAC under SECRET_KEY (six digits hash in microseconds, so a plain hash would not hide them from
someone who reads the table) and compared in constant time. A try is counted by one conditional update, so
concurrent guesses never get more than MAX_TRIES between them. A new code for the same phone may be asked for
RESEND_AFTER the last one, and at most `max_per_day` a day.

A request for a code to a phone with no account (or, to log in or reset, an inactive one) sends nothing and
answers exactly as if it had, limits included (it is kept as a code that can never be redeemed): the answer
never tells whether a phone has an account.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.booking_rules import retry_after_seconds
from masu.domain.errors import DomainError, NotFound, RateLimited
from masu.domain.phones import normalize_israeli_mobile
from masu.notifications.catalogue import language_for, render
from masu.persistence.models import PhoneCode, User
from masu.persistence.repositories import notification as notification_repository
from masu.persistence.repositories import phone_code as phone_code_repository
from masu.persistence.repositories import user as user_repository
from masu.services.account.accounts import Passwords, Registration, register_user
from masu.services.account.browser_sessions import revoke_everywhere
from masu.services.throttle import Throttle, ThrottleKind

PHONE_CODE_MESSAGE = "phone-code"
CODE_TTL = timedelta(minutes=10)
MAX_TRIES = 5
RESEND_AFTER = timedelta(seconds=60)
_DAY = timedelta(days=1)


class CodePurpose(StrEnum):
    """What a code proves the phone for; a code of one purpose opens nothing else."""

    VERIFY = "verify"  # the phone of a new (or not yet verified) account
    LOGIN = "login"  # logging in without the password
    RESET = "reset"  # choosing a new password


@dataclass(frozen=True, slots=True)
class PhoneCodePolicy:
    """The key codes are hashed under and how many codes one phone may be sent a day."""

    secret_key: str
    max_per_day: int = 5


@dataclass(frozen=True, slots=True)
class CodeSent:
    """What a client is told after asking for a code: for how long it holds and when to ask again."""

    expires_in_seconds: int
    resend_after_seconds: int


CODE_SENT = CodeSent(
    expires_in_seconds=int(CODE_TTL.total_seconds()), resend_after_seconds=int(RESEND_AFTER.total_seconds())
)
"""The answer to every request for a code, sent or not (it never tells whether the phone has an account)."""


async def send_code(
    session: AsyncSession,
    *,
    phone: str,
    purpose: CodePurpose,
    now: datetime,
    policy: PhoneCodePolicy,
    throttle: Throttle,
    requested_by: str | None = None,
) -> CodeSent:
    """Queue a new code by SMS to the account with `phone` (flushed); RateLimited when asked too often.

    ValidationFailed on `phone` when it is no Israeli mobile. Nothing is sent to a phone without a suitable
    account, and the answer is the same.
    """
    normalized = normalize_israeli_mobile(phone, field="phone")
    # Counted whether or not the phone has an account, so the throttle tells nothing either.
    address_hit = [(ThrottleKind.CODE_SEND_ADDRESS, requested_by)] if requested_by else []
    await throttle.hit_all((ThrottleKind.CODE_SEND_PHONE, normalized), *address_hit)
    user = await user_repository.get_user_by_phone(session, normalized)
    if user is not None:
        await user_repository.lock_user(session, user.id)  # one phone's asks one at a time: the limits hold
    # The minute and day limits hold for every phone, so a second ask cannot tell an account from none.
    await _enforce_send_limits(session, phone=normalized, now=now, policy=policy)
    if user is None or not _may_receive(user, purpose):
        _record_unsent(session, phone=normalized, purpose=purpose, now=now, requested_by=requested_by)
        return CODE_SENT
    await queue_code(session, user=user, purpose=purpose, now=now, policy=policy, requested_by=requested_by)
    return CODE_SENT


def _record_unsent(
    session: AsyncSession, *, phone: str, purpose: CodePurpose, now: datetime, requested_by: str | None
) -> None:
    """Count a request that sent nothing as a code would count, with no code that could ever be redeemed."""
    phone_code_repository.add(
        session,
        PhoneCode(
            phone=phone,
            purpose=purpose.value,
            code_hash=secrets.token_hex(32),  # no six digits hash to a random value: it opens nothing
            attempts=MAX_TRIES,
            requested_by=requested_by[:64] if requested_by else None,
            created_at=now,
            expires_at=now,  # and it is never open
        ),
    )


async def queue_code(
    session: AsyncSession,
    *,
    user: User,
    purpose: CodePurpose,
    now: datetime,
    policy: PhoneCodePolicy,
    requested_by: str | None = None,
) -> None:
    """Store a fresh code for the user's phone and queue its SMS (the signup's first code; no limits)."""
    code = f"{secrets.randbelow(10**6):06d}"
    row = PhoneCode(
        phone=user.phone,
        purpose=purpose.value,
        code_hash=_digest(policy.secret_key, user.phone, purpose, code),
        attempts=0,
        requested_by=requested_by[:64] if requested_by else None,
        created_at=now,
        expires_at=now + CODE_TTL,
    )
    phone_code_repository.add(session, row)
    await session.flush()
    language = language_for(user.language)
    rendered = render(PHONE_CODE_MESSAGE, channel="sms", language=language, context={"code": code})
    await notification_repository.add(
        session,
        booking_id=None,
        event_id=None,
        user_id=user.id,
        channel="sms",
        recipient=user.phone,
        template=PHONE_CODE_MESSAGE,
        language=language,
        subject=None,
        body=rendered.body,
        context=None,  # the code is in the body only, which delivery blanks once sent; no email stand-in
        urgent=True,
        send_before=row.expires_at,
        status=notification_repository.QUEUED,
        attempts=0,
        idempotency_key=f"phone-code/{row.id}",
        created_at=now,
        next_attempt_at=now,
    )


async def redeem_code(
    session: AsyncSession,
    *,
    phone: str,
    purpose: CodePurpose,
    code: str,
    now: datetime,
    policy: PhoneCodePolicy,
) -> User | None:
    """The account whose phone the right code proves, now verified; None when the code is refused.

    Writes either way (a try is spent, or the code used and the phone verified): the caller commits before
    answering, so a wrong guess counts even though the request fails.
    """
    try:
        normalized = normalize_israeli_mobile(phone, field="phone")
    except DomainError:
        return None
    row = await phone_code_repository.newest_open(session, phone=normalized, purpose=purpose.value, now=now)
    if row is None or not await phone_code_repository.spend_try(session, code_id=row.id, max_tries=MAX_TRIES):
        return None
    expected = _digest(policy.secret_key, normalized, purpose, code.strip())
    if not hmac.compare_digest(row.code_hash, expected):
        return None
    user = await user_repository.get_user_by_phone(session, normalized)
    if user is None or not user.is_active:
        return None
    if not await phone_code_repository.mark_used(session, code_id=row.id, now=now):
        return None
    if user.phone_verified_at is None:
        user.phone_verified_at = now
    await session.flush()
    return user


async def sign_up(
    session: AsyncSession,
    *,
    registration: Registration,
    now: datetime,
    passwords: Passwords,
    policy: PhoneCodePolicy,
    requested_by: str | None = None,
) -> User:
    """Create a customer whose phone is not yet verified and queue the first code to it (flushed)."""
    user = await register_user(session, now=now, registration=registration, passwords=passwords)
    await queue_code(
        session, user=user, purpose=CodePurpose.VERIFY, now=now, policy=policy, requested_by=requested_by
    )
    return user


async def reset_password(
    session: AsyncSession,
    *,
    phone: str,
    code: str,
    new_password: str,
    now: datetime,
    passwords: Passwords,
    policy: PhoneCodePolicy,
) -> User | None:
    """Set a new password for the account a reset code proves, ending its sessions and tokens; None if not."""
    user = await redeem_code(
        session, phone=phone, purpose=CodePurpose.RESET, code=code, now=now, policy=policy
    )
    if user is not None:
        user.password_hash = await passwords.hash(new_password)
        await session.flush()
        await revoke_everywhere(session, user_id=user.id)  # whoever knew the old password is logged out
    return user


async def mark_phone_verified(session: AsyncSession, *, phone: str, now: datetime) -> User:
    """Record an operator's word that the phone is its account's (flushed); NotFound without such account."""
    user = await user_repository.get_user_by_phone(session, normalize_israeli_mobile(phone, field="phone"))
    if user is None:
        raise NotFound("no account has this phone number")
    if user.phone_verified_at is None:
        user.phone_verified_at = now
        await session.flush()
    return user


def _may_receive(user: User, purpose: CodePurpose) -> bool:
    """Whether a code of this purpose may go to this account at all."""
    if not user.is_active:
        return False
    return purpose is not CodePurpose.VERIFY or not user.phone_verified


async def _enforce_send_limits(
    session: AsyncSession, *, phone: str, now: datetime, policy: PhoneCodePolicy
) -> None:
    """RateLimited when the last code went less than RESEND_AFTER ago or the day's codes are used up."""
    sent = await phone_code_repository.sent_since(session, phone=phone, since=now - _DAY)
    if sent and sent[0] > now - RESEND_AFTER:
        raise RateLimited(
            "a new code can be sent a minute after the last one",
            retry_after_seconds=retry_after_seconds(sent[0], now=now, window=RESEND_AFTER),
        )
    if len(sent) >= policy.max_per_day:
        raise RateLimited(
            f"at most {policy.max_per_day} codes a day to one phone",
            retry_after_seconds=retry_after_seconds(sent[policy.max_per_day - 1], now=now, window=_DAY),
        )


def _digest(secret: str, phone: str, purpose: CodePurpose, code: str) -> str:
    message = f"phone-code:{purpose.value}:{phone}:{code}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
