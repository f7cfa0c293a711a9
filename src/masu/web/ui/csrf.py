"""CSRF protection of the pages' forms: a token in a hidden field, bound to a nonce cookie and the session.

The nonce cookie holds a random value (HttpOnly, SameSite=Lax); the form carries HMAC(secret, nonce and the
hash of the session cookie). Another site can neither read the cookies nor compute the token, and a token
made for one session is worth nothing with another: planting a nonce cookie with its own valid token beside a
victim's session fails. The JSON API (bearer tokens) and the gateway's callback do not use cookies and are
not covered.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response

from masu.bootstrap import Container
from masu.services.account.browser_sessions import session_key
from masu.web.deps import ContainerDep
from masu.web.ui.cookies import CSRF_COOKIE, SESSION_COOKIE, read_cookie, set_cookie

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"  # what htmx requests send (the layout sets hx-headers)


class CsrfRefused(Exception):
    """A form arrived without a valid CSRF token; answered by a 403 page."""


def _token(nonce: str, session_id: str | None, secret: str) -> str:
    bound_to = session_key(session_id) if session_id else "-"
    return hmac.new(secret.encode(), f"csrf:{nonce}:{bound_to}".encode(), hashlib.sha256).hexdigest()


def _nonce(request: Request, container: Container) -> str:
    """The browser's nonce: the cookie's, or a new one remembered on request.state to be set on the answer."""
    existing = getattr(request.state, "csrf_nonce", None) or read_cookie(request, CSRF_COOKIE, container)
    if existing:
        return str(existing)
    request.state.csrf_nonce = secrets.token_urlsafe(24)
    return str(request.state.csrf_nonce)


def csrf_token(request: Request, container: Container) -> str:
    """The token the forms of this page carry (for this browser's nonce and session)."""
    session_id = read_cookie(request, SESSION_COOKIE, container)
    return _token(_nonce(request, container), session_id, container.settings.SECRET_KEY)


def renew_csrf(request: Request) -> None:
    """Start a new nonce (on login and logout), so a token seen before the change is worth nothing after."""
    request.state.csrf_nonce = secrets.token_urlsafe(24)


def keep_csrf_cookie(request: Request, response: Response, container: Container) -> None:
    """Set the nonce cookie on `response` when this request chose a new one."""
    nonce = getattr(request.state, "csrf_nonce", None)
    if nonce:
        set_cookie(response, CSRF_COOKIE, nonce, container)


async def require_csrf(request: Request, container: ContainerDep) -> None:
    """A dependency for every page POST: CsrfRefused unless the token matches the nonce and the session."""
    nonce = read_cookie(request, CSRF_COOKIE, container)
    sent = request.headers.get(CSRF_HEADER) or (await request.form()).get(CSRF_FIELD)
    if not nonce or not isinstance(sent, str) or not sent.isascii():
        raise CsrfRefused
    session_id = read_cookie(request, SESSION_COOKIE, container)
    if not hmac.compare_digest(sent, _token(nonce, session_id, container.settings.SECRET_KEY)):
        raise CsrfRefused
