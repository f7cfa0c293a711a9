"""A user's own settings: their name, email, language and the channels they accept messages on."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.errors import NotFound, ValidationFailed
from masu.domain.names import clean_person_name
from masu.persistence.models import User
from masu.persistence.repositories import user as user_repository

# The languages messages are written in (notifications/templates); the pages speak only he and en.
MESSAGE_LANGUAGES: tuple[str, ...] = ("he", "en", "ru")
MAX_EMAIL = 254
# The same shape the sign-up form accepts: something@somewhere.tld, no spaces.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True, slots=True)
class Preferences:
    """What a user may change about themselves; strings as typed (trimmed here)."""

    name: str
    email: str
    language: str
    notify_by_sms: bool
    notify_by_email: bool


class InvalidPreferences(ValidationFailed):
    """One or more settings break a rule; `errors` maps each field to the key of its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        field, code = next(iter(errors.items()))
        super().__init__(field, f"invalid {field}", code=code)
        self.errors = errors


def name_is_valid(name: str) -> bool:
    """A person's name by the one name rule (domain.names), at sign-up and in the settings."""
    return clean_person_name(name) is not None


def email_is_valid(email: str) -> bool:
    """An email address as the pages accept it, at sign-up and in the settings (something@somewhere.tld)."""
    return len(email) <= MAX_EMAIL and _EMAIL.fullmatch(email) is not None


def preference_errors(preferences: Preferences) -> dict[str, str]:
    """Each wrong field with the key of its message (the rules of registration, plus the email channel)."""
    errors: dict[str, str] = {}
    name, email = preferences.name.strip(), preferences.email.strip()
    if not name_is_valid(name):
        errors["name"] = "name_invalid"
    if email and not email_is_valid(email):
        errors["email"] = "email_invalid"
    elif preferences.notify_by_email and not email:
        errors["email"] = "email_needed"
    if preferences.language not in MESSAGE_LANGUAGES:
        errors["language"] = "language_invalid"
    return errors


async def update_preferences(session: AsyncSession, *, user_id: str, preferences: Preferences) -> User:
    """Check and store the user's settings (flushed, not committed); InvalidPreferences names wrong fields."""
    errors = preference_errors(preferences)
    if errors:
        raise InvalidPreferences(errors)
    user = await user_repository.get_user(session, user_id)
    if user is None:
        raise NotFound("no such user")
    user.name = clean_person_name(preferences.name) or user.name  # checked valid above
    user.email = preferences.email.strip() or None
    user.language = preferences.language
    user.notify_by_sms = preferences.notify_by_sms
    user.notify_by_email = preferences.notify_by_email
    await session.flush()
    return user


async def current_user(session: AsyncSession, user_id: str) -> User:
    """The user's stored row; NotFound when there is none."""
    user = await user_repository.get_user(session, user_id)
    if user is None:
        raise NotFound("no such user")
    return user
