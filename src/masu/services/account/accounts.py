"""Registering users, checking passwords, and loading who is acting."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.access import Principal, Role
from masu.domain.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from masu.domain.names import person_name
from masu.domain.phones import normalize_israeli_mobile
from masu.persistence.models import User
from masu.persistence.repositories import user as user_repository
from masu.services.account.browser_sessions import revoke_everywhere
from masu.services.account.login_throttle import LoginGuard


class Passwords:
    """Argon2id hashing with configurable cost; work runs off the event loop."""

    def __init__(self, *, time_cost: int = 3, memory_kib: int = 65536) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
        # Verifying against this keeps a login for an unknown phone as slow as one for a known phone.
        self._dummy_hash = self._hasher.hash("not-a-real-password")

    async def hash(self, password: str) -> str:
        """The Argon2id hash of `password`."""
        return await asyncio.to_thread(self._hasher.hash, password)

    async def matches(self, password_hash: str | None, password: str) -> bool:
        """True when `password` matches the hash (a missing hash is checked against a dummy and fails)."""
        try:
            verified = await asyncio.to_thread(
                self._hasher.verify, password_hash or self._dummy_hash, password
            )
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return verified and password_hash is not None


# Roles only an operator or an admin hands out: whoever creates such an account vouches for its phone.
_VOUCHED_ROLES = {Role.ADMIN, Role.PROFESSIONAL}


class InvalidCredentials(DomainError):
    """The phone or password is wrong (never says which)."""

    code = "invalid_credentials"


class PhoneNotVerified(Forbidden):
    """The account has not yet proved its phone with a code, so it may not book (nor be sent anything)."""

    code = "phone_unverified"


def require_verified_phone(user: User) -> None:
    """PhoneNotVerified unless the user has proved the phone is theirs."""
    if not user.phone_verified:
        raise PhoneNotVerified("confirm your phone number with the code we sent by SMS first")


@dataclass(frozen=True, slots=True)
class Registration:
    """A new user's details; shapes already checked."""

    name: str
    phone: str
    password: str
    email: str | None = None
    gender: str | None = None
    language: str = "he"


async def register_user(
    session: AsyncSession,
    *,
    now: datetime,
    registration: Registration,
    roles: set[Role] | None = None,
    passwords: Passwords,
    phone_verified: bool = False,
) -> User:
    """Create a user with the given roles (customer by default); Conflict when the phone is taken.

    A customer signing up proves the phone later (phone_codes); an account an operator or admin creates
    (a professional, an admin) or `phone_verified` counts as verified at once.
    """
    name = person_name(registration.name, field="name")
    phone = normalize_israeli_mobile(registration.phone, field="phone")
    if await user_repository.get_user_by_phone(session, phone) is not None:
        raise Conflict("this phone number is already registered", code="phone_taken")
    user = User(
        name=name,
        phone=phone,
        email=registration.email,
        password_hash=await passwords.hash(registration.password),
        gender=registration.gender,
        language=registration.language,
        created_at=now,
        phone_verified_at=now if phone_verified or (roles or set()) & _VOUCHED_ROLES else None,
    )
    session.add(user)
    await session.flush()
    for role in roles or {Role.CUSTOMER}:
        await user_repository.add_role(session, user.id, role.value)
    return user


async def authenticate(session: AsyncSession, *, phone: str, password: str, passwords: Passwords) -> User:
    """The active user with this phone and password; InvalidCredentials otherwise."""
    normalized = phone_key(phone)
    user = await user_repository.get_user_by_phone(session, normalized) if normalized else None
    if not await passwords.matches(user.password_hash if user else None, password) or user is None:
        raise InvalidCredentials("wrong phone number or password")
    if not user.is_active:
        raise InvalidCredentials("wrong phone number or password")
    return user


async def log_in(
    session: AsyncSession, *, phone: str, password: str, address: str, passwords: Passwords, guard: LoginGuard
) -> User:
    """`authenticate` under the log-in throttle; RateLimited when the phone or address is held back."""
    attempt = await guard.begin(phone=phone_key(phone), address=address)
    try:
        user = await authenticate(session, phone=phone, password=password, passwords=passwords)
    except InvalidCredentials:
        await attempt.failed()
        raise
    await attempt.succeeded()
    return user


async def change_password(
    session: AsyncSession,
    *,
    user_id: str,
    current_password: str,
    new_password: str,
    address: str,
    passwords: Passwords,
    guard: LoginGuard,
) -> int:
    """Replace the password once the current one is proven (a log-in attempt for the throttle).

    Ends every browser session and revokes every bearer token of the user; returns the new token version.
    ValidationFailed on `currentPassword` or `newPassword`; RateLimited while the phone is locked.
    """
    if not 8 <= len(new_password) <= 128:
        raise ValidationFailed("newPassword", "the password needs 8 to 128 characters", code="password_short")
    user = await user_repository.get_user(session, user_id)
    if user is None:
        raise InvalidCredentials("wrong phone number or password")
    attempt = await guard.begin(phone=user.phone, address=address)
    if not await passwords.matches(user.password_hash, current_password):
        await attempt.failed()
        raise ValidationFailed("currentPassword", "the current password is wrong", code="wrong_password")
    await attempt.succeeded()
    await user_repository.set_password_hash(session, user_id, await passwords.hash(new_password))
    return await revoke_everywhere(session, user_id=user_id)


def phone_key(phone: str) -> str | None:
    """The E.164 form a phone is counted by, or None when it is no Israeli mobile number."""
    try:
        return normalize_israeli_mobile(phone, field="phone")
    except DomainError:
        return None


async def principal_for(
    session: AsyncSession, user_id: str, *, token_version: int | None = None
) -> Principal | None:
    """Who an authenticated request acts as; None if the user is gone, deactivated, or (given a bearer
    token's `token_version`) has revoked that token."""
    found = await user_repository.user_with_roles(session, user_id)
    if found is None or not found[0].is_active:
        return None
    if token_version is not None and found[0].token_version != token_version:
        return None
    user, roles = found
    return Principal(user_id=user.id, name=user.name, roles=frozenset(Role(role) for role in roles))


@dataclass(frozen=True, slots=True)
class AccountView:
    """What a user sees of their own account."""

    id: str
    name: str
    phone: str
    phone_verified: bool
    email: str | None
    roles: frozenset[str]
    language: str


async def account_view(session: AsyncSession, user_id: str) -> AccountView:
    """The user's account with their roles; NotFound when the user is gone."""
    found = await user_repository.user_with_roles(session, user_id)
    if found is None:
        raise NotFound("no such user")
    user, roles = found
    return AccountView(
        id=user.id,
        name=user.name,
        phone=user.phone,
        phone_verified=user.phone_verified,
        email=user.email,
        roles=frozenset(roles),
        language=user.language,
    )


async def token_version_of(session: AsyncSession, user_id: str) -> int:
    """The version a new token of this user carries (raised when every token is revoked)."""
    return await user_repository.token_version(session, user_id)
