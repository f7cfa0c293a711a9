"""CSRF protection of the pages' forms: a signed token in a hidden field, bound to a per-browser cookie.

The cookie holds a random nonce (HttpOnly, SameSite=Lax); the form carries HMAC(secret, nonce). Another site
can neither read the cookie nor compute the token, so it cannot post a form in the user's name. The JSON API
(bearer tokens) and the gateway's callback do not use cookies and are not covered.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response

from masu.bootstrap import Container
from masu.web.deps import ContainerDep

CSRF_COOKIE = "masu_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"  # what htmx requests send (the layout sets hx-headers)


class CsrfRefused(Exception):
    """A form arrived without a valid CSRF token; answered by a 403 page."""


def _token(nonce: str, secret: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{nonce}".encode(), hashlib.sha256).hexdigest()


def _nonce(request: Request) -> str:
    """The browser's nonce: the cookie's, or a new one remembered on request.state to be set on the answer."""
    existing = getattr(request.state, "csrf_nonce", None) or request.cookies.get(CSRF_COOKIE)
    if existing:
        return str(existing)
    request.state.csrf_nonce = secrets.token_urlsafe(24)
    return str(request.state.csrf_nonce)


def csrf_token(request: Request, secret: str) -> str:
    """The token the forms of this page carry."""
    return _token(_nonce(request), secret)


def renew_csrf(request: Request) -> None:
    """Start a new nonce (on login and logout), so a token seen before the change is worth nothing after."""
    request.state.csrf_nonce = secrets.token_urlsafe(24)


def keep_csrf_cookie(request: Request, response: Response, container: Container) -> None:
    """Set the nonce cookie on `response` when this request chose a new one."""
    nonce = getattr(request.state, "csrf_nonce", None)
    if nonce:
        response.set_cookie(
            CSRF_COOKIE,
            nonce,
            httponly=True,
            samesite="lax",
            secure=container.settings.is_production,
            path="/",
        )


async def require_csrf(request: Request, container: ContainerDep) -> None:
    """A dependency for every page POST: CsrfRefused unless the form's token matches the cookie."""
    nonce = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER) or (await request.form()).get(CSRF_FIELD)
    if not nonce or not isinstance(sent, str):
        raise CsrfRefused
    if not hmac.compare_digest(sent, _token(nonce, container.settings.SECRET_KEY)):
        raise CsrfRefused
