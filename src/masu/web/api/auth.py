"""Registration, phone codes (verifying a new account, logging in, resetting a password), login, the user."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Literal

from fastapi import APIRouter, Request, Response
from pydantic import EmailStr, Field

from masu.domain.errors import ValidationFailed
from masu.services.account.accounts import (
    Registration,
    account_view,
    change_password,
    log_in,
    token_version_of,
)
from masu.services.account.browser_sessions import revoke_everywhere
from masu.services.account.phone_codes import (
    CODE_SENT,
    CodePurpose,
    CodeSent,
    redeem_code,
    reset_password,
    send_code,
    sign_up,
)
from masu.services.throttle import ThrottleKind
from masu.web.auth import issue_access_token
from masu.web.client_address import client_address
from masu.web.deps import ContainerDep, NowDep, PrincipalDep, SessionDep
from masu.web.openapi import refusals
from masu.web.schemas.common import ApiInput, ApiModel, PersonName

if TYPE_CHECKING:
    from masu.persistence.models import User

router = APIRouter(prefix="/api/v1", tags=["auth"])
_CODE_MESSAGE = "the code is wrong or no longer valid: ask for a new one"


class RegisterIn(ApiInput):
    name: PersonName
    phone: str = Field(min_length=9, max_length=20)
    password: str = Field(min_length=8, max_length=128)
    email: EmailStr | None = None
    gender: Literal["male", "female"] | None = None
    language: Literal["he", "en", "ru"] = "he"


class LoginIn(ApiInput):
    phone: str = Field(min_length=1, max_length=20)
    password: str = Field(min_length=1, max_length=128)


class CodeRequestIn(ApiInput):
    phone: str = Field(min_length=1, max_length=20)
    purpose: Literal["verify", "login", "reset"]


class CodeIn(ApiInput):
    phone: str = Field(min_length=1, max_length=20)
    code: str = Field(pattern=r"^[0-9]{6}$")


class PasswordResetIn(CodeIn):
    new_password: str = Field(min_length=8, max_length=128)


class PasswordChangeIn(ApiInput):
    current_password: str = Field(min_length=1, max_length=128)
    new_password: str = Field(min_length=8, max_length=128)


class UserOut(ApiModel):
    id: str
    name: str
    phone: str
    phone_verified: bool
    email: str | None
    roles: list[str]
    language: str


class CodeSentOut(ApiModel):
    expires_in_seconds: int
    resend_after_seconds: int


class RegisteredOut(ApiModel):
    user: UserOut
    verification: CodeSentOut


class TokenOut(ApiModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    user: UserOut


@router.post("/auth/register", status_code=201, response_model=RegisteredOut, responses=refusals(409, 429))
async def register(
    body: RegisterIn, request: Request, container: ContainerDep, now: NowDep, session: SessionDep
) -> RegisteredOut:
    """Create a customer account and text a code to its phone; 409 when the phone is taken, 429 past the
    sign-ups of one address."""
    await container.throttle.hit(ThrottleKind.SIGNUP_ADDRESS, client_address(request))
    user = await sign_up(
        session,
        registration=Registration(**body.model_dump()),
        now=now,
        passwords=container.passwords,
        policy=container.phone_codes,
        requested_by=client_address(request),
    )
    await session.commit()
    return RegisteredOut(user=await _user_out(session, user.id), verification=_code_sent(CODE_SENT))


@router.post("/auth/codes", status_code=202, response_model=CodeSentOut, responses=refusals(429))
async def send_phone_code(
    body: CodeRequestIn, request: Request, container: ContainerDep, now: NowDep, session: SessionDep
) -> CodeSentOut:
    """Text a code to the phone's account (the same answer when there is none); 429 when asked too often."""
    sent = await send_code(
        session,
        phone=body.phone,
        purpose=CodePurpose(body.purpose),
        now=now,
        policy=container.phone_codes,
        throttle=container.throttle,
        requested_by=client_address(request),
    )
    await session.commit()
    return _code_sent(sent)


@router.post("/auth/verify-phone", response_model=TokenOut)
async def verify_phone(body: CodeIn, container: ContainerDep, session: SessionDep) -> TokenOut:
    """Prove the phone of a new account with its code and log in; 422 on `code` when it is refused."""
    return await _log_in_by_code(body, CodePurpose.VERIFY, container, session)


@router.post("/auth/login/code", response_model=TokenOut)
async def login_with_code(body: CodeIn, container: ContainerDep, session: SessionDep) -> TokenOut:
    """Log in with a code sent to the phone (purpose `login`); 422 on `code` when it is refused."""
    return await _log_in_by_code(body, CodePurpose.LOGIN, container, session)


@router.post("/auth/password/reset", response_model=TokenOut)
async def reset_forgotten_password(
    body: PasswordResetIn, container: ContainerDep, now: NowDep, session: SessionDep
) -> TokenOut:
    """Choose a new password with a code sent to the phone (purpose `reset`) and log in."""
    user = await reset_password(
        session,
        phone=body.phone,
        code=body.code,
        new_password=body.new_password,
        now=now,
        passwords=container.passwords,
        policy=container.phone_codes,
    )
    await session.commit()  # a wrong code's spent try counts although the request fails
    return await _token_for(_accepted(user), container, session)


@router.post("/auth/login", response_model=TokenOut, responses=refusals(401, 429))
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
    return await _token_for(user, container, session)


@router.get("/me", response_model=UserOut)
async def me(principal: PrincipalDep, session: SessionDep) -> UserOut:
    """The authenticated user."""
    return await _user_out(session, principal.user_id)


async def _log_in_by_code(
    body: CodeIn, purpose: CodePurpose, container: ContainerDep, session: SessionDep
) -> TokenOut:
    user = await redeem_code(
        session,
        phone=body.phone,
        purpose=purpose,
        code=body.code,
        now=container.clock.now(),
        policy=container.phone_codes,
    )
    await session.commit()  # a wrong code's spent try counts although the request fails
    return await _token_for(_accepted(user), container, session)


def _accepted(user: User | None) -> User:
    """The user a code proved; 422 on `code` when it was refused."""
    if user is None:
        raise ValidationFailed("code", _CODE_MESSAGE, code="code_invalid")
    return user


async def _token_for(user: User, container: ContainerDep, session: SessionDep) -> TokenOut:
    version = await token_version_of(session, user.id)
    return await _token_out(container, session, user_id=user.id, token_version=version)


def _code_sent(sent: CodeSent) -> CodeSentOut:
    return CodeSentOut(
        expires_in_seconds=sent.expires_in_seconds, resend_after_seconds=sent.resend_after_seconds
    )


@router.post("/me/password", response_model=TokenOut, responses=refusals(429))
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
    account = await account_view(session, user_id)
    return UserOut(
        id=account.id,
        name=account.name,
        phone=account.phone,
        phone_verified=account.phone_verified,
        email=account.email,
        roles=sorted(account.roles),
        language=account.language,
    )
