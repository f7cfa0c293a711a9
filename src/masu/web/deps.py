"""FastAPI dependencies: the container, a unit-of-work session, the acting principal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException

from masu.bootstrap import Container
from masu.domain.access import Principal, Role
from masu.services.account.accounts import principal_for
from masu.services.policy import BookingPolicy
from masu.web.auth import TokenInvalid, claims_of_token

_bearer = HTTPBearer(auto_error=False)
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


async def get_container(request: Request) -> Container:
    """The process's container, set up by create_app."""
    container: Container = request.app.state.container
    return container


async def get_session(container: Annotated[Container, Depends(get_container)]) -> AsyncIterator[AsyncSession]:
    """A session per request; routes that write commit it once, anything else is rolled back."""
    async with container.sessions() as session:
        yield session


async def get_principal(
    container: Annotated[Container, Depends(get_container)],
    session: Annotated[AsyncSession, Depends(get_session)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The authenticated user; 401 without a valid, unexpired, unrevoked bearer token."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "Not authenticated", headers=_CHALLENGE)
    try:
        claims = claims_of_token(
            credentials.credentials, secret=container.settings.SECRET_KEY, now=container.clock.now()
        )
    except TokenInvalid as exc:
        raise HTTPException(401, "Invalid or expired token", headers=_CHALLENGE) from exc
    principal = await principal_for(session, claims.user_id, token_version=claims.token_version)
    if principal is None:
        raise HTTPException(401, "Invalid or expired token", headers=_CHALLENGE)
    return principal


def get_now(container: Annotated[Container, Depends(get_container)]) -> datetime:
    """The request's moment by the process's clock, read once per request."""
    return container.clock.now()


def get_policy(container: Annotated[Container, Depends(get_container)]) -> BookingPolicy:
    """The booking rules the process was configured with."""
    return container.policy


def client_address(request: Request) -> str | None:
    """The address of the client that sent the request, as the server saw it."""
    return request.client.host if request.client else None


async def get_admin(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    """The authenticated user, who must be an admin (403 otherwise)."""
    if not principal.has(Role.ADMIN):
        raise HTTPException(403, "Admins only")
    return principal


async def get_professional(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    """The authenticated user, who must be a professional (403 otherwise)."""
    if not principal.has(Role.PROFESSIONAL):
        raise HTTPException(403, "Professionals only")
    return principal


ContainerDep = Annotated[Container, Depends(get_container)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
AdminDep = Annotated[Principal, Depends(get_admin)]
ProfessionalDep = Annotated[Principal, Depends(get_professional)]
NowDep = Annotated[datetime, Depends(get_now)]
PolicyDep = Annotated[BookingPolicy, Depends(get_policy)]
