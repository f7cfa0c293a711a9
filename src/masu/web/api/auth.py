"""Registration, login and the current user."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import EmailStr, Field

from masu.persistence import user_repository
from masu.services.accounts import Registration, change_password, log_in, register_user
from masu.services.browser_sessions import revoke_everywhere
from masu.services.throttle import ThrottleKind
from masu.web.api.common import ApiInput, ApiModel
from masu.web.auth import issue_access_token
from masu.web.client_address import client_address
from masu.web.deps import ContainerDep, PrincipalDep, SessionDep

router = APIRouter(prefix="/api/v1", tags=["auth"])


class RegisterIn(ApiInput):
    name: str = Field(min_length=2, max_length=100)
    phone: str = Field(min_length=9, max_length=20)
    password: str = Field(min_length=8, max_length=128)
    email: EmailStr | None = None
    gender: Literal["male", "female"] | None = None
    language: Literal["he", "en", "ru"] = "he"


class LoginIn(ApiInput):
    phone: str = Field(min_length=1, max_length=20)
    password: str = Field(min_length=1, max_length=128)


class PasswordChangeIn(ApiInput):
    current_password: str = Field(min_length=1, max_length=128)
    new_password: str = Field(min_length=8, max_length=128)


class UserOut(ApiModel):
    id: str
    name: str
    phone: str
    email: str | None
    roles: list[str]
    language: str


class RegisteredOut(ApiModel):
    user: UserOut


class TokenOut(ApiModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    user: UserOut


@router.post("/auth/register", status_code=201, response_model=RegisteredOut)
async def register(
    body: RegisterIn, request: Request, container: ContainerDep, session: SessionDep
) -> RegisteredOut:
    """Create a customer account; 409 when the phone is taken, 429 past the sign-ups of one address."""
    await container.throttle.hit(ThrottleKind.SIGNUP_ADDRESS, client_address(request))
    registration = Registration(**body.model_dump())
    user = await register_user(
        session, now=container.clock.now(), registration=registration, passwords=container.passwords
    )
    await session.commit()
    return RegisteredOut(user=await _user_out(session, user.id))


@router.post("/auth/login", response_model=TokenOut)
async def login(body: LoginIn, request: Request, container: ContainerDep, session: SessionDep) -> TokenOut:
    """Exchange phone and password for a bearer token; 401 when they do not match, 429 while throttled."""
    user = await log_in(
        session,
        phone=body.phone,
        password=body.password,
        address=client_address(request),
        passwords=container.passwords,
        guard=container.login_guard,
    )
    return await _token_out(container, session, user_id=user.id, token_version=user.token_version)


@router.get("/me", response_model=UserOut)
async def me(principal: PrincipalDep, session: SessionDep) -> UserOut:
    """The authenticated user."""
    return await _user_out(session, principal.user_id)


@router.post("/me/password", response_model=TokenOut)
async def new_password(
    body: PasswordChangeIn,
    principal: PrincipalDep,
    request: Request,
    container: ContainerDep,
    session: SessionDep,
) -> TokenOut:
    """Change the password (the current one proves it is you); every earlier token and page session ends,
    and a fresh token is returned. 422 on a wrong current password, 429 while the phone is locked."""
    version = await change_password(
        session,
        user_id=principal.user_id,
        current_password=body.current_password,
        new_password=body.new_password,
        address=client_address(request),
        passwords=container.passwords,
        guard=container.login_guard,
    )
    await session.commit()
    return await _token_out(container, session, user_id=principal.user_id, token_version=version)


@router.post("/me/logout-everywhere", status_code=204)
async def logout_everywhere(principal: PrincipalDep, session: SessionDep) -> Response:
    """End every page session and revoke every bearer token of the user, this one included."""
    await revoke_everywhere(session, user_id=principal.user_id)
    await session.commit()
    return Response(status_code=204)


async def _token_out(
    container: ContainerDep, session: SessionDep, *, user_id: str, token_version: int
) -> TokenOut:
    ttl = timedelta(minutes=container.settings.ACCESS_TOKEN_TTL_MINUTES)
    token = issue_access_token(
        user_id=user_id,
        token_version=token_version,
        secret=container.settings.SECRET_KEY,
        now=container.clock.now(),
        ttl=ttl,
    )
    return TokenOut(
        access_token=token, expires_in=int(ttl.total_seconds()), user=await _user_out(session, user_id)
    )


async def _user_out(session: SessionDep, user_id: str) -> UserOut:
    found = await user_repository.user_with_roles(session, user_id)
    assert found is not None
    user, roles = found
    return UserOut(
        id=user.id,
        name=user.name,
        phone=user.phone,
        email=user.email,
        roles=sorted(roles),
        language=user.language,
    )
