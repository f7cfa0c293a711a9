"""The logged-in user's settings page: name, email, language and the channels messages come on; changing the
password and logging out everywhere."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse

from masu.domain.errors import RateLimited, ValidationFailed
from masu.services.account.accounts import change_password
from masu.services.account.browser_sessions import revoke_everywhere
from masu.services.account.settings import (
    MESSAGE_LANGUAGES,
    InvalidPreferences,
    Preferences,
    current_user,
    update_preferences,
)
from masu.web.client_address import client_address
from masu.web.deps import ContainerDep, SessionDep
from masu.web.ui.csrf import renew_csrf, require_csrf
from masu.web.ui.i18n import LANG_COOKIE, Lang, is_lang
from masu.web.ui.render import page_language, page_texts, redirect, render
from masu.web.ui.session import UserDep, end_session, start_session

router = APIRouter(tags=["pages"], include_in_schema=False)
Csrf = Annotated[None, Depends(require_csrf)]
LANGUAGE_NAMES = {"he": "עברית", "en": "English", "ru": "Русский"}
YEAR_SECONDS = 365 * 24 * 3600

TEXTS: dict[Lang, dict[str, str]] = {
    "en": {
        "account_title": "Account settings",
        "email_field": "Email address",
        "email_hint": "Needed for messages by email.",
        "message_language": "Language of pages and messages",
        "language_hint": "Pages are in Hebrew or English; messages can also be in Russian.",
        "channels": "Send me messages by",
        "by_sms": "SMS",
        "by_email": "Email",
        "save": "Save",
        "saved": "Your settings were saved.",
        "email_needed": "Enter an email address to get messages by email.",
        "language_invalid": "Choose one of the languages listed.",
        "security": "Password and sign-ins",
        "current_password": "Current password",
        "new_password": "New password",
        "change_password": "Change password",
        "password_changed": "Your password was changed. Every other browser and app was logged out.",
        "wrong_password": "The current password is wrong.",
        "password_locked": "Too many wrong passwords. Try again in {minutes} min.",
        "everywhere_hint": "Lost a phone, or used a shared computer? Log out of every browser and app.",
        "logout_everywhere": "Log out everywhere",
    },
    "he": {
        "account_title": "הגדרות חשבון",
        "email_field": "כתובת דוא״ל",
        "email_hint": "נדרש לקבלת הודעות בדוא״ל.",
        "message_language": "שפת האתר וההודעות",
        "language_hint": "האתר בעברית או באנגלית; הודעות אפשר לקבל גם ברוסית.",
        "channels": "לשלוח לי הודעות ב־",
        "by_sms": "SMS",
        "by_email": "דוא״ל",
        "save": "שמירה",
        "saved": "ההגדרות נשמרו.",
        "email_needed": "נא להזין כתובת דוא״ל כדי לקבל הודעות בדוא״ל.",
        "language_invalid": "נא לבחור אחת מהשפות ברשימה.",
        "security": "סיסמה וכניסות",
        "current_password": "הסיסמה הנוכחית",
        "new_password": "סיסמה חדשה",
        "change_password": "החלפת סיסמה",
        "password_changed": "הסיסמה הוחלפה. כל שאר הדפדפנים והאפליקציות נותקו.",
        "wrong_password": "הסיסמה הנוכחית שגויה.",
        "password_locked": "יותר מדי סיסמאות שגויות. אפשר לנסות שוב בעוד {minutes} דק׳.",
        "everywhere_hint": "טלפון אבד, או שהשתמשת במחשב משותף? אפשר לצאת מכל הדפדפנים והאפליקציות בבת אחת.",
        "logout_everywhere": "יציאה מכל המכשירים",
    },
}


@router.get("/account", response_class=HTMLResponse)
async def account_page(request: Request, user: UserDep, session: SessionDep) -> Response:
    """The settings form filled with what is stored; `?saved=1` confirms a change."""
    values = await _stored_values(session, user.user_id)
    saved = request.query_params.get("saved") == "1"
    changed = request.query_params.get("password_changed") == "1"
    return _form(request, values=values, errors={}, saved=saved, password_changed=changed)


@router.post("/account", response_class=HTMLResponse)
async def save_account(request: Request, _csrf: Csrf, user: UserDep, session: SessionDep) -> Response:
    """Store the settings and come back confirmed, in the saved language; the form with messages if wrong."""
    form = await request.form()
    preferences = Preferences(
        name=str(form.get("name", "")),
        email=str(form.get("email", "")),
        language=str(form.get("language", "")),
        notify_by_sms=form.get("notify_by_sms") == "1",
        notify_by_email=form.get("notify_by_email") == "1",
    )
    try:
        saved = await update_preferences(session, user_id=user.user_id, preferences=preferences)
        await session.commit()
    except InvalidPreferences as refused:
        await session.rollback()
        return _form(request, values=_values(preferences), errors=refused.errors, status_code=422)
    response = redirect(request, "/account?saved=1")
    # The remembered page language would outrank the user's own, so it follows the choice (Russian
    # readers keep the page language they were reading in: the pages are not written in Russian).
    page_lang = saved.language if is_lang(saved.language) else page_language(request)
    response.set_cookie(LANG_COOKIE, page_lang, max_age=YEAR_SECONDS, samesite="lax", path="/")
    return response


@router.post("/account/password", response_class=HTMLResponse)
async def new_password(
    request: Request, _csrf: Csrf, user: UserDep, container: ContainerDep, session: SessionDep
) -> Response:
    """Change the password: every session and token of the user ends, this browser gets a fresh session."""
    form = await request.form()
    try:
        await change_password(
            session,
            user_id=user.user_id,
            current_password=str(form.get("current_password", "")),
            new_password=str(form.get("new_password", "")),
            address=client_address(request),
            passwords=container.passwords,
            guard=container.login_guard,
        )
    except (ValidationFailed, RateLimited) as refused:
        await session.rollback()
        return await _password_refused(request, user.user_id, session, refused)
    renew_csrf(request)
    response = redirect(request, "/account?password_changed=1")
    await start_session(response, container, session, user_id=user.user_id)
    await session.commit()
    return response


@router.post("/account/logout-everywhere", response_class=HTMLResponse)
async def logout_everywhere(
    request: Request, _csrf: Csrf, user: UserDep, container: ContainerDep, session: SessionDep
) -> Response:
    """End every session of the user, this one too, and revoke their bearer tokens; on to the login page."""
    await revoke_everywhere(session, user_id=user.user_id)
    renew_csrf(request)
    response = redirect(request, "/login")
    await end_session(request, response, container, session)
    await session.commit()
    return response


async def _password_refused(
    request: Request, user_id: str, session: SessionDep, refused: ValidationFailed | RateLimited
) -> Response:
    """The account page again, the password form saying why (the wait in minutes when locked)."""
    values = await _stored_values(session, user_id)
    if isinstance(refused, RateLimited):
        minutes = math.ceil(refused.retry_after_seconds / 60)
        message = page_texts(request, TEXTS)["password_locked"].format(minutes=minutes)
        response = _form(request, values=values, errors={}, password_error=message, status_code=429)
        response.headers["Retry-After"] = str(refused.retry_after_seconds)
        return response
    key = "wrong_password" if refused.field == "currentPassword" else "password_short"
    field = "current_password" if refused.field == "currentPassword" else "new_password"
    return _form(request, values=values, errors={field: key}, status_code=422)


async def _stored_values(session: SessionDep, user_id: str) -> dict[str, object]:
    """The settings form's values as stored."""
    stored = await current_user(session, user_id)
    preferences = Preferences(
        name=stored.name,
        email=stored.email or "",
        language=stored.language,
        notify_by_sms=stored.notify_by_sms,
        # Without an address no email goes out whatever the flag says, so the box shows what really happens.
        notify_by_email=stored.notify_by_email and bool(stored.email),
    )
    return _values(preferences)


def _values(preferences: Preferences) -> dict[str, object]:
    """The preferences as the form's values (text trimmed as it would be stored)."""
    return {
        "name": preferences.name.strip(),
        "email": preferences.email.strip(),
        "language": preferences.language,
        "notify_by_sms": preferences.notify_by_sms,
        "notify_by_email": preferences.notify_by_email,
    }


def _form(
    request: Request,
    *,
    values: dict[str, object],
    errors: dict[str, str],
    saved: bool = False,
    password_changed: bool = False,
    password_error: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "values": values,
        "errors": errors,
        "saved": saved,
        "password_changed": password_changed,
        "password_error": password_error,
        "languages": [(code, LANGUAGE_NAMES[code]) for code in MESSAGE_LANGUAGES],
    }
    return render(request, "account/settings.html", context, catalogues=(TEXTS,), status_code=status_code)
