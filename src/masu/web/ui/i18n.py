"""Languages of the pages: Hebrew (right to left) and English, chosen per request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, TypeGuard

from starlette.requests import Request

Lang = Literal["he", "en"]
LANGUAGES: tuple[Lang, ...] = ("he", "en")
DEFAULT_LANG: Lang = "he"
LANG_COOKIE = "masu_lang"
Texts = Mapping[str, str]

COMMON: dict[Lang, dict[str, str]] = {
    "en": {
        "brand": "Masu",
        "skip": "Skip to content",
        "nav_home": "Treatments",
        "nav_bookings": "My bookings",
        "nav_account": "My account",
        "nav_pro": "Dashboard",
        "nav_admin": "Admin",
        "login": "Log in",
        "logout": "Log out",
        "register": "Sign up",
        "switch_lang": "עברית",
        "switch_lang_label": "Switch to Hebrew",
        "footer": "At-home treatments across Israel",
        "forbidden_title": "Request refused",
        "forbidden": "This form has expired or did not come from this site. Go back, reload and try again.",
        "not_found_title": "Not found",
        "not_found": "There is nothing here.",
        "phone": "Mobile phone",
        "password": "Password",
        "name": "Full name",
        "email": "Email (optional)",
        "language": "Language",
        "login_title": "Log in",
        "register_title": "Create an account",
        "no_account": "No account yet?",
        "have_account": "Already have an account?",
        "wrong_credentials": "Wrong phone number or password.",
        "phone_invalid": "Enter an Israeli mobile number, e.g. 052-1234567.",
        "phone_taken": "This phone number is already registered.",
        "password_short": "The password needs at least 8 characters.",
        "name_invalid": "Enter your name (2 to 100 characters).",
        "email_invalid": "Enter a valid email address or leave it empty.",
        "required": "This field is required.",
        "form_errors": "Please correct the marked fields.",
        "too_many_attempts": "Too many attempts. Try again in {minutes} min.",
        "too_many_signups": "Too many sign-ups from this network. Try again in {minutes} min.",
        "pro_title": "Professional dashboard",
        "admin_title": "Admin panel",
    },
    "he": {
        "brand": "מאסו",
        "skip": "דילוג לתוכן",
        "nav_home": "טיפולים",
        "nav_bookings": "ההזמנות שלי",
        "nav_account": "החשבון שלי",
        "nav_pro": "לוח בקרה",
        "nav_admin": "ניהול",
        "login": "כניסה",
        "logout": "יציאה",
        "register": "הרשמה",
        "switch_lang": "English",
        "switch_lang_label": "Switch to English",
        "footer": "טיפולים עד הבית בכל הארץ",
        "forbidden_title": "הבקשה נדחתה",
        "forbidden": "תוקף הטופס פג או שהוא לא נשלח מהאתר הזה. נא לחזור, לרענן ולנסות שוב.",
        "not_found_title": "לא נמצא",
        "not_found": "אין כאן כלום.",
        "phone": "טלפון נייד",
        "password": "סיסמה",
        "name": "שם מלא",
        "email": "דוא״ל (לא חובה)",
        "language": "שפה",
        "login_title": "כניסה",
        "register_title": "יצירת חשבון",
        "no_account": "עדיין אין לך חשבון?",
        "have_account": "כבר יש לך חשבון?",
        "wrong_credentials": "מספר הטלפון או הסיסמה שגויים.",
        "phone_invalid": "נא להזין מספר נייד ישראלי, למשל 052-1234567.",
        "phone_taken": "מספר הטלפון הזה כבר רשום.",
        "password_short": "הסיסמה צריכה להכיל לפחות 8 תווים.",
        "name_invalid": "נא להזין שם (2 עד 100 תווים).",
        "email_invalid": "נא להזין כתובת דוא״ל תקינה או להשאיר ריק.",
        "required": "שדה חובה.",
        "form_errors": "נא לתקן את השדות המסומנים.",
        "too_many_attempts": "יותר מדי ניסיונות. אפשר לנסות שוב בעוד {minutes} דק׳.",
        "too_many_signups": "יותר מדי הרשמות מהרשת הזו. אפשר לנסות שוב בעוד {minutes} דק׳.",
        "pro_title": "לוח בקרה למטפלים",
        "admin_title": "פאנל ניהול",
    },
}


def is_lang(value: object) -> TypeGuard[Lang]:
    """True for a language the pages are written in."""
    return value in LANGUAGES


def language_of(request: Request, user_language: str | None = None) -> Lang:
    """`?lang=`, else the remembered choice, else the user's own language, else Hebrew."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE), user_language):
        if is_lang(candidate):
            return candidate
    return DEFAULT_LANG


def direction(lang: Lang) -> Literal["rtl", "ltr"]:
    """The writing direction of `lang`."""
    return "rtl" if lang == "he" else "ltr"


def texts_for(lang: Lang, *catalogues: Mapping[Lang, Mapping[str, str]]) -> dict[str, str]:
    """The common texts in `lang`, overlaid with each page catalogue's texts in that language."""
    merged = dict(COMMON[lang])
    for catalogue in catalogues:
        merged.update(catalogue[lang])
    return merged
