"""Logging in and out (one form for every role) and customers signing up, with browser sessions."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse

from masu.domain.errors import Conflict, RateLimited, ValidationFailed
from masu.domain.phones import normalize_israeli_mobile
from masu.services.account.accounts import (
    InvalidCredentials,
    Registration,
    log_in,
    principal_for,
)
from masu.services.account.phone_codes import CodePurpose, send_code, sign_up
from masu.services.account.settings import email_is_valid, name_is_valid
from masu.services.throttle import ThrottleKind
from masu.web.client_address import client_address
from masu.web.deps import ContainerDep, NowDep, SessionDep
from masu.web.pages.phone_codes import verify_url
from masu.web.ui.csrf import renew_csrf, require_csrf
from masu.web.ui.i18n import is_lang
from masu.web.ui.render import page_language, page_texts, redirect, render
from masu.web.ui.session import MaybeUserDep, end_session, home_of, safe_next, start_session

router = APIRouter(tags=["pages"], include_in_schema=False)
Csrf = Annotated[None, Depends(require_csrf)]


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, user: MaybeUserDep) -> Response:
    """The login form; a logged-in user goes straight on to their page."""
    if user is not None:
        return redirect(request, safe_next(request.query_params.get("next")) or home_of(user))
    return _login_form(request, phone="", errors={}, next_url=safe_next(request.query_params.get("next")))


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, _csrf: Csrf, container: ContainerDep, session: SessionDep) -> Response:
    """Check phone and password; on success start a session and go to `next` or the user's home."""
    form = await request.form()
    phone, password = str(form.get("phone", "")).strip(), str(form.get("password", ""))
    next_url = safe_next(str(form.get("next", "")))
    errors = {name: "required" for name, value in (("phone", phone), ("password", password)) if not value}
    if errors:
        return _login_form(request, phone=phone, errors=errors, next_url=next_url, status_code=422)
    try:
        user = await log_in(
            session,
            phone=phone,
            password=password,
            address=client_address(request),
            passwords=container.passwords,
            guard=container.login_guard,
        )
    except InvalidCredentials:
        wrong = {"password": "wrong_credentials"}
        return _login_form(request, phone=phone, errors=wrong, next_url=next_url, status_code=401)
    except RateLimited as held_back:
        return _login_form(request, phone=phone, errors={}, next_url=next_url, held_back=held_back)
    if not user.phone_verified:  # a session only for a proved phone: text a code and ask for it
        return await _ask_for_code(request, container, session, phone=user.phone, next_url=next_url)
    principal = await principal_for(session, user.id)
    assert principal is not None  # authenticate only returns active users
    target = next_url or home_of(principal)
    renew_csrf(request)  # a token seen before logging in is worth nothing after
    response = redirect(request, target)
    await start_session(response, container, session, user_id=user.id)
    await session.commit()
    return response


@router.post("/logout", response_class=HTMLResponse)
async def logout(request: Request, _csrf: Csrf, container: ContainerDep, session: SessionDep) -> Response:
    """End the session (its cookie opens nothing any more) and go to the login page."""
    renew_csrf(request)
    response = redirect(request, "/login")
    await end_session(request, response, container, session)
    await session.commit()
    return response


@router.get("/register", response_class=HTMLResponse)
async def register_page(request: Request, _user: MaybeUserDep) -> Response:
    """The sign-up form for customers."""
    return _register_form(
        request, values={"next": safe_next(request.query_params.get("next")) or ""}, errors={}
    )


@router.post("/register", response_class=HTMLResponse)
async def register(
    request: Request, _csrf: Csrf, container: ContainerDep, now: NowDep, session: SessionDep
) -> Response:
    """Create a customer account and text a code to its phone; the form again with messages at the fields."""
    form = await request.form()
    values = {key: str(form.get(key, "")).strip() for key in ("name", "phone", "email", "language", "next")}
    password = str(form.get("password", ""))
    errors = _registration_errors(values, password)
    if errors:
        return _register_form(request, values=values, errors=errors, status_code=422)
    try:
        await container.throttle.hit(ThrottleKind.SIGNUP_ADDRESS, client_address(request))
    except RateLimited as held_back:
        return _register_form(request, values=values, errors={}, held_back=held_back)
    language = values["language"] if is_lang(values["language"]) else page_language(request)
    registration = Registration(
        values["name"], values["phone"], password, email=values["email"] or None, language=language
    )
    try:
        user = await sign_up(
            session,
            registration=registration,
            now=now,
            passwords=container.passwords,
            policy=container.phone_codes,
            requested_by=client_address(request),
        )
        await session.commit()
    except Conflict:
        await session.rollback()
        return _register_form(request, values=values, errors={"phone": "phone_taken"}, status_code=409)
    return redirect(request, verify_url(user.phone, safe_next(values["next"])))


async def _ask_for_code(
    request: Request, container: ContainerDep, session: SessionDep, *, phone: str, next_url: str | None
) -> Response:
    """Text a code to an account's unproved phone (unless one went out a moment ago) and go to its form."""
    try:
        await send_code(
            session,
            phone=phone,
            purpose=CodePurpose.VERIFY,
            now=container.clock.now(),
            policy=container.phone_codes,
            throttle=container.throttle,
            requested_by=client_address(request),
        )
        await session.commit()
    except RateLimited:
        await session.rollback()  # the code sent a moment ago is still good
    return redirect(request, verify_url(phone, next_url))


def _registration_errors(values: dict[str, str], password: str) -> dict[str, str]:
    """Each wrong field with the key of its message."""
    errors: dict[str, str] = {}
    if not name_is_valid(values["name"]):
        errors["name"] = "name_invalid"
    try:
        normalize_israeli_mobile(values["phone"], field="phone")
    except ValidationFailed:
        errors["phone"] = "phone_invalid"
    if values["email"] and not email_is_valid(values["email"]):
        errors["email"] = "email_invalid"
    if not 8 <= len(password) <= 128:
        errors["password"] = "password_short"
    return errors


def _login_form(
    request: Request,
    *,
    phone: str,
    errors: dict[str, str],
    next_url: str | None,
    status_code: int = 200,
    held_back: RateLimited | None = None,
) -> Response:
    context = {
        "phone": phone,
        "errors": errors,
        "next": next_url or "",
        "held_back": _held_back_message(request, "too_many_attempts", held_back),
    }
    return _answer(render(request, "account/login.html", context, status_code=status_code), held_back)


def _register_form(
    request: Request,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
    held_back: RateLimited | None = None,
) -> Response:
    context = {
        "values": values,
        "errors": errors,
        "held_back": _held_back_message(request, "too_many_signups", held_back),
    }
    return _answer(render(request, "account/register.html", context, status_code=status_code), held_back)


def _held_back_message(request: Request, key: str, held_back: RateLimited | None) -> str | None:
    """The page's sentence for a throttled form, with the wait in whole minutes."""
    if held_back is None:
        return None
    return page_texts(request)[key].format(minutes=math.ceil(held_back.retry_after_seconds / 60))


def _answer(response: Response, held_back: RateLimited | None) -> Response:
    """A throttled form is a 429 saying when to come back."""
    if held_back is not None:
        response.status_code = 429
        response.headers["Retry-After"] = str(held_back.retry_after_seconds)
    return response
