"""Browser sessions: a cookie naming a session the server keeps, and the page dependencies that read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from masu.bootstrap import Container
from masu.domain.access import Principal, Role
from masu.services.account.accounts import principal_for
from masu.services.account.browser_sessions import end_browser_session, live_session, start_browser_session
from masu.web.deps import ContainerDep, SessionDep
from masu.web.ui.cookies import SESSION_COOKIE, delete_cookie, read_cookie, set_cookie


@dataclass(frozen=True, slots=True)
class BrowserSession:
    """Who is logged in in this browser, and the language they read in."""

    user_id: str
    language: str


class LoginRequired(Exception):
    """The page needs a logged-in user (with a role); answered by a redirect to /login?next=…."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class PageForbidden(Exception):
    """The logged-in user lacks the role the page needs; answered by a 403 page."""


async def start_session(response: Response, container: Container, db: AsyncSession, *, user_id: str) -> None:
    """Store a new session for the user and set its cookie (ACCESS_TOKEN_TTL_MINUTES); the caller commits."""
    ttl = timedelta(minutes=container.settings.ACCESS_TOKEN_TTL_MINUTES)
    session_id = await start_browser_session(db, user_id=user_id, now=container.clock.now(), ttl=ttl)
    set_cookie(response, SESSION_COOKIE, session_id, container, max_age=int(ttl.total_seconds()))


async def end_session(request: Request, response: Response, container: Container, db: AsyncSession) -> None:
    """Delete this browser's session (the caller commits) and its cookie."""
    session_id = read_cookie(request, SESSION_COOKIE, container)
    if session_id:
        await end_browser_session(db, session_id=session_id)
    delete_cookie(response, SESSION_COOKIE, container)


async def browser_session(request: Request, container: Container, db: AsyncSession) -> BrowserSession | None:
    """The live session this request's cookie names, if any (ended and expired ones are none)."""
    session_id = read_cookie(request, SESSION_COOKIE, container)
    found = await live_session(db, session_id=session_id, now=container.clock.now()) if session_id else None
    return BrowserSession(found.user_id, found.language) if found else None


async def optional_principal(
    request: Request, container: ContainerDep, session: SessionDep
) -> Principal | None:
    """The logged-in user (stored on request.state for the layout), or None."""
    found = await browser_session(request, container, session)
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
