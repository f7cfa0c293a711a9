"""Browser sessions kept by the server, and revoking everything a user is logged in with.

The cookie carries a random id; only its SHA-256 is stored, so a leaked table opens no browser. A session
ends when its row is deleted: at log-out, at a password change and at "log out everywhere", which also raise
the user's token version so their bearer tokens stop working too. Expired rows are deleted at the user's next
log-in and by the worker's purge, so the table holds live sessions only.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.repositories import user as user_repository


@dataclass(frozen=True, slots=True)
class LiveSession:
    """Who a browser session belongs to, and the language they read in."""

    user_id: str
    language: str


def session_key(session_id: str) -> str:
    """What is stored for a cookie's session id: its SHA-256, in hex."""
    return hashlib.sha256(session_id.encode()).hexdigest()


async def start_browser_session(session: AsyncSession, *, user_id: str, now: datetime, ttl: timedelta) -> str:
    """Store a new session for the user (and drop their expired ones); the id for the cookie."""
    session_id = secrets.token_urlsafe(32)
    await user_repository.delete_browser_sessions(session, user_id, expired_before=now)
    await user_repository.add_browser_session(
        session, key=session_key(session_id), user_id=user_id, now=now, expires_at=now + ttl
    )
    return session_id


async def live_session(session: AsyncSession, *, session_id: str, now: datetime) -> LiveSession | None:
    """The unexpired session a cookie names, if it still exists."""
    found = await user_repository.live_session_user(session, key=session_key(session_id), now=now)
    return LiveSession(user_id=found[0], language=found[1]) if found else None


async def end_browser_session(session: AsyncSession, *, session_id: str) -> None:
    """Delete the session a cookie names (log-out)."""
    await user_repository.delete_browser_session(session, session_key(session_id))


async def purge_expired_sessions(session: AsyncSession, *, now: datetime, limit: int) -> int:
    """Delete up to `limit` sessions expired by `now` (of users who never came back); how many."""
    return await user_repository.delete_expired_browser_sessions(session, now=now, limit=limit)


async def revoke_everywhere(session: AsyncSession, *, user_id: str) -> int:
    """End every browser session of the user and revoke their bearer tokens; the new token version."""
    await user_repository.delete_browser_sessions(session, user_id, expired_before=None)
    return await user_repository.raise_token_version(session, user_id)
