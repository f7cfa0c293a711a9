"""Browser sessions: a signed, expiring cookie naming the user, and the page dependencies that read it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request, Response

from masu.bootstrap import Container
from masu.domain.access import Principal, Role
from masu.services.accounts import principal_for
from masu.web.deps import ContainerDep, SessionDep

SESSION_COOKIE = "masu_session"


@dataclass(frozen=True, slots=True)
class BrowserSession:
    """Who is logged in, in which language, until when."""

    user_id: str
    language: str
    expires_at: int


class LoginRequired(Exception):
    """The page needs a logged-in user (with a role); answered by a redirect to /login?next=…."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class PageForbidden(Exception):
    """The logged-in user lacks the role the page needs; answered by a 403 page."""


def _sign(payload: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"session:{payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def encode_session(session: BrowserSession, secret: str) -> str:
    """The cookie value: the session as base64 JSON and its HMAC."""
    body = {"u": session.user_id, "l": session.language, "e": session.expires_at}
    encoded = base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode())
    payload = encoded.decode().rstrip("=")  # no "=" so the cookie value needs no quoting
    return f"{payload}.{_sign(payload, secret)}"


def decode_session(value: str, *, secret: str, now: datetime) -> BrowserSession | None:
    """The session a cookie holds; None when it is forged, malformed or expired."""
    payload, _, signature = value.partition(".")
    if not payload or not hmac.compare_digest(signature, _sign(payload, secret)):
        return None
    try:
        body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        session = BrowserSession(str(body["u"]), str(body["l"]), int(body["e"]))
    except (ValueError, KeyError, TypeError):
        return None
    return session if session.expires_at > now.timestamp() else None


def start_session(response: Response, container: Container, *, user_id: str, language: str) -> None:
    """Set the session cookie (HttpOnly, SameSite=Lax, Secure in production) for ACCESS_TOKEN_TTL_MINUTES."""
    ttl = timedelta(minutes=container.settings.ACCESS_TOKEN_TTL_MINUTES)
    expires_at = int((container.clock.now() + ttl).timestamp())
    value = encode_session(BrowserSession(user_id, language, expires_at), container.settings.SECRET_KEY)
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=int(ttl.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=container.settings.is_production,
        path="/",
    )


def end_session(response: Response, container: Container) -> None:
    """Remove the session cookie."""
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=container.settings.is_production
    )


def browser_session(request: Request, container: Container) -> BrowserSession | None:
    """The valid session of this request, if any."""
    value = request.cookies.get(SESSION_COOKIE)
    if not value:
        return None
    return decode_session(value, secret=container.settings.SECRET_KEY, now=container.clock.now())


async def optional_principal(
    request: Request, container: ContainerDep, session: SessionDep
) -> Principal | None:
    """The logged-in user (stored on request.state for the layout), or None."""
    found = browser_session(request, container)
    principal = await principal_for(session, found.user_id) if found else None
    request.state.principal = principal
    request.state.user_language = found.language if found and principal else None
    return principal


async def required_principal(
    request: Request, principal: Annotated[Principal | None, Depends(optional_principal)]
) -> Principal:
    """The logged-in user; LoginRequired (a redirect to the login page) otherwise."""
    if principal is None:
        raise LoginRequired(login_url(request))
    return principal


def login_url(request: Request) -> str:
    """The login page, asked to come back to this request's page afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/login?next={quote(here, safe='')}"


async def professional_principal(principal: Annotated[Principal, Depends(required_principal)]) -> Principal:
    """The logged-in professional (or admin); PageForbidden otherwise."""
    if not (principal.has(Role.PROFESSIONAL) or principal.is_admin):
        raise PageForbidden
    return principal


async def admin_principal(principal: Annotated[Principal, Depends(required_principal)]) -> Principal:
    """The logged-in admin; PageForbidden otherwise."""
    if not principal.is_admin:
        raise PageForbidden
    return principal


def home_of(principal: Principal) -> str:
    """Where a user lands after logging in: their portal's home."""
    if principal.is_admin:
        return "/admin"
    if principal.has(Role.PROFESSIONAL) and not principal.has(Role.CUSTOMER):
        return "/pro"
    return "/"


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site; None for anything that could lead elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


UserDep = Annotated[Principal, Depends(required_principal)]
MaybeUserDep = Annotated[Principal | None, Depends(optional_principal)]
ProfessionalDep = Annotated[Principal, Depends(professional_principal)]
AdminUserDep = Annotated[Principal, Depends(admin_principal)]
