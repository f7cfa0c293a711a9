"""Who may read the operations endpoints: the metrics token (compared in constant time) or an admin."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from masu.domain.access import Role
from masu.web.deps import ContainerDep, get_principal

_bearer = HTTPBearer(auto_error=False)
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _is_metrics_token(expected: str | None, credentials: HTTPAuthorizationCredentials | None) -> bool:
    if expected is None or credentials is None:
        return False
    return hmac.compare_digest(credentials.credentials.encode(), expected.encode())


async def require_metrics_access(container: ContainerDep, credentials: BearerDep) -> None:
    """Let the request through when METRICS_TOKEN is unset or sent as the bearer token; 401 otherwise."""
    expected = container.settings.METRICS_TOKEN
    if expected is not None and not _is_metrics_token(expected, credentials):
        raise HTTPException(401, "The metrics token is required", headers={"WWW-Authenticate": "Bearer"})


async def sees_health_details(container: ContainerDep, credentials: BearerDep) -> bool:
    """True for the metrics token or an admin's bearer token; anyone else sees the status only."""
    if credentials is None:
        return False
    if _is_metrics_token(container.settings.METRICS_TOKEN, credentials):
        return True
    async with container.sessions() as session:
        try:
            principal = await get_principal(container, session, credentials)
        except HTTPException:
            return False
    return principal.has(Role.ADMIN)


HealthDetailsDep = Annotated[bool, Depends(sees_health_details)]
