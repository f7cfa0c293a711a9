"""Pages that prove a phone with a texted code: after signing up, logging in by code, a forgotten password.

Each is two steps on one template: the phone (when it is not known yet), then the code. A new code can be
asked for a minute after the last; sooner, the page says how long to wait. Only a proved phone gets a session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse

from masu.domain.errors import RateLimited, ValidationFailed
from masu.services.account.phone_codes import CODE_SENT, CodePurpose, redeem_code, reset_password, send_code
from masu.web.deps import ContainerDep, NowDep, SessionDep, client_address
from masu.web.ui.csrf import renew_csrf, require_csrf
from masu.web.ui.render import redirect, render
from masu.web.ui.session import end_session, safe_next, start_session

if TYPE_CHECKING:
    from masu.persistence.models import User

router = APIRouter(tags=["pages"], include_in_schema=False)
Csrf = Annotated[None, Depends(require_csrf)]
# The page of each purpose, where its code form posts.
ACTIONS = {
    CodePurpose.VERIFY: "/verify-phone",
    CodePurpose.LOGIN: "/login/code",
    CodePurpose.RESET: "/password/reset",
}


def verify_url(phone: str, next_url: str | None) -> str:
    """The code step of a new account's phone, coming back to `next_url` afterwards."""
    query = {"phone": phone, **({"next": next_url} if next_url else {})}
    return f"/verify-phone?{urlencode(query)}"


@router.get("/verify-phone", response_class=HTMLResponse)
async def verify_page(request: Request) -> Response:
    """The code form for the phone just signed up with (the code is on its way)."""
    phone, next_url = request.query_params.get("phone", ""), request.query_params.get("next")
    return _code_form(request, CodePurpose.VERIFY, phone=phone, next_url=safe_next(next_url))


@router.get("/login/code", response_class=HTMLResponse)
async def login_code_page(request: Request) -> Response:
    """Log in with a code instead of the password: first the phone."""
    return _phone_form(request, CodePurpose.LOGIN, next_url=safe_next(request.query_params.get("next")))


@router.get("/password/forgot", response_class=HTMLResponse)
async def forgot_page(request: Request) -> Response:
    """A forgotten password: first the phone, to text a code to."""
    return _phone_form(request, CodePurpose.RESET, next_url=safe_next(request.query_params.get("next")))


@router.post("/codes/send", response_class=HTMLResponse)
async def send(
    request: Request, _csrf: Csrf, container: ContainerDep, now: NowDep, session: SessionDep
) -> Response:
    """Text a code for the form's purpose (the same page whether the phone has an account or not)."""
    form = await request.form()
    purpose = _purpose(str(form.get("purpose", "")))
    phone, next_url = str(form.get("phone", "")).strip(), safe_next(str(form.get("next", "")))
    try:
        await send_code(
            session,
            phone=phone,
            purpose=purpose,
            now=now,
            policy=container.phone_codes,
            throttle=container.throttle,
            requested_by=client_address(request),
        )
        await session.commit()
    except ValidationFailed:
        await session.rollback()
        return _phone_form(request, purpose, next_url=next_url, phone=phone, error="phone_invalid")
    except RateLimited as refused:
        await session.rollback()
        return _code_form(request, purpose, phone=phone, next_url=next_url, wait=refused.retry_after_seconds)
    return _code_form(request, purpose, phone=phone, next_url=next_url, notice="code_sent")


@router.post("/verify-phone", response_class=HTMLResponse)
async def verify(request: Request, _csrf: Csrf, container: ContainerDep, session: SessionDep) -> Response:
    """Check a new account's code; the right one proves the phone and logs in."""
    return await _redeem(request, CodePurpose.VERIFY, container, session)


@router.post("/login/code", response_class=HTMLResponse)
async def login_with_code(
    request: Request, _csrf: Csrf, container: ContainerDep, session: SessionDep
) -> Response:
    """Check a log-in code; the right one logs in."""
    return await _redeem(request, CodePurpose.LOGIN, container, session)


@router.post("/password/reset", response_class=HTMLResponse)
async def reset(request: Request, _csrf: Csrf, container: ContainerDep, session: SessionDep) -> Response:
    """Check a reset code and set the new password; then log in."""
    return await _redeem(request, CodePurpose.RESET, container, session)


async def _redeem(
    request: Request, purpose: CodePurpose, container: ContainerDep, session: SessionDep
) -> Response:
    form = await request.form()
    phone, code = str(form.get("phone", "")).strip(), str(form.get("code", "")).strip()
    password, next_url = str(form.get("password", "")), safe_next(str(form.get("next", "")))
    if purpose is CodePurpose.RESET and not 8 <= len(password) <= 128:
        return _code_form(
            request, purpose, phone=phone, next_url=next_url, error=("password", "password_short")
        )
    now, policy = container.clock.now(), container.phone_codes
    user: User | None
    if purpose is CodePurpose.RESET:
        user = await reset_password(
            session,
            phone=phone,
            code=code,
            new_password=password,
            now=now,
            passwords=container.passwords,
            policy=policy,
        )
    else:
        user = await redeem_code(session, phone=phone, purpose=purpose, code=code, now=now, policy=policy)
    if user is None:
        await session.commit()  # a wrong code's spent try counts although the page refuses it
        return _code_form(request, purpose, phone=phone, next_url=next_url, error=("code", "code_invalid"))
    renew_csrf(request)
    response = redirect(request, next_url or "/")
    await end_session(request, response, container, session)
    await start_session(response, container, session, user_id=user.id)
    await session.commit()
    return response


def _purpose(raw: str) -> CodePurpose:
    try:
        return CodePurpose(raw)
    except ValueError:
        return CodePurpose.LOGIN


def _phone_form(
    request: Request, purpose: CodePurpose, *, next_url: str | None, phone: str = "", error: str | None = None
) -> Response:
    context = {
        "purpose": purpose.value,
        "step": "phone",
        "phone": phone,
        "next": next_url or "",
        "errors": {"phone": error} if error else {},
    }
    return render(request, "account/code.html", context, status_code=422 if error else 200)


def _code_form(
    request: Request,
    purpose: CodePurpose,
    *,
    phone: str,
    next_url: str | None,
    notice: str | None = None,
    wait: int | None = None,
    error: tuple[str, str] | None = None,
) -> Response:
    context = {
        "purpose": purpose.value,
        "step": "code",
        "action": ACTIONS[purpose],
        "phone": phone,
        "next": next_url or "",
        "notice": notice,
        "wait": wait,
        "resend_after": wait or CODE_SENT.resend_after_seconds,
        "errors": dict([error]) if error else {},
    }
    status = 429 if wait else 422 if error else 200
    response = render(request, "account/code.html", context, status_code=status)
    if wait:
        response.headers["Retry-After"] = str(wait)
    return response
