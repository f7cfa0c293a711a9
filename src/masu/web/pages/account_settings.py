"""The logged-in user's settings page: name, email, language and the channels messages come on."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse

from masu.services.account_settings import (
    MESSAGE_LANGUAGES,
    InvalidPreferences,
    Preferences,
    current_user,
    update_preferences,
)
from masu.web.deps import ContainerDep, SessionDep
from masu.web.ui.csrf import require_csrf
from masu.web.ui.i18n import LANG_COOKIE, Lang, is_lang
from masu.web.ui.render import page_language, redirect, render
from masu.web.ui.session import UserDep, start_session

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
    },
}


@router.get("/account", response_class=HTMLResponse)
async def account_page(request: Request, user: UserDep, session: SessionDep) -> Response:
    """The settings form filled with what is stored; `?saved=1` confirms a change."""
    stored = await current_user(session, user.user_id)
    preferences = Preferences(
        name=stored.name,
        email=stored.email or "",
        language=stored.language,
        notify_by_sms=stored.notify_by_sms,
        # Without an address no email goes out whatever the flag says, so the box shows what really happens.
        notify_by_email=stored.notify_by_email and bool(stored.email),
    )
    saved = request.query_params.get("saved") == "1"
    return _form(request, values=_values(preferences), errors={}, saved=saved)


@router.post("/account", response_class=HTMLResponse)
async def save_account(
    request: Request, _csrf: Csrf, user: UserDep, container: ContainerDep, session: SessionDep
) -> Response:
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
    start_session(response, container, user_id=saved.id, language=saved.language)
    # The remembered page language would outrank the user's own, so it follows the choice (Russian
    # readers keep the page language they were reading in: the pages are not written in Russian).
    page_lang = saved.language if is_lang(saved.language) else page_language(request)
    response.set_cookie(LANG_COOKIE, page_lang, max_age=YEAR_SECONDS, samesite="lax", path="/")
    return response


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
    status_code: int = 200,
) -> Response:
    context = {
        "values": values,
        "errors": errors,
        "saved": saved,
        "languages": [(code, LANGUAGE_NAMES[code]) for code in MESSAGE_LANGUAGES],
    }
    return render(request, "account/settings.html", context, catalogues=(TEXTS,), status_code=status_code)
