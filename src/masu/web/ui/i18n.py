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
        "method_not_allowed_title": "Not possible here",
        "method_not_allowed": "This address does not take this kind of request. Go back and use the links.",
        "bad_request_title": "This link is broken",
        "bad_request": "Part of this address is not valid. Go back and use the links on the page.",
        "too_large_title": "Too much at once",
        "too_large": "What you sent is larger than this form takes. Go back, shorten it and send it again.",
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
        "name_invalid": "Enter your name: 2 to 50 letters, with spaces, - ' or . (no digits or links).",
        "email_invalid": "Enter a valid email address or leave it empty.",
        "required": "This field is required.",
        "form_errors": "Please correct the marked fields.",
        "too_many_attempts": "Too many attempts. Try again in {minutes} min.",
        "too_many_signups": "Too many sign-ups from this network. Try again in {minutes} min.",
        "pro_title": "Professional dashboard",
        "admin_title": "Admin panel",
        "code_title_verify": "Confirm your phone",
        "code_title_login": "Log in with a code",
        "code_title_reset": "Choose a new password",
        "code_intro_login": "We will text a six-digit code to your mobile phone.",
        "code_intro_reset": "We will text a six-digit code to your mobile phone; then choose a new password.",
        "code_intro_verify": "We will text a six-digit code to your mobile phone.",
        "code_send": "Text me a code",
        "code_sent": "We texted you a new code. It is valid for 10 minutes.",
        "code_sent_to": "Enter the six-digit code we texted to",
        "code": "Code",
        "new_password": "New password (at least 8 characters)",
        "code_submit_verify": "Confirm",
        "code_submit_login": "Log in",
        "code_submit_reset": "Save the new password",
        "code_invalid": "The code is wrong or no longer valid. Check it, or ask for a new one.",
        "code_resend": "Send a new code",
        "code_resend_in": "Send a new code in {seconds} s",
        "code_wait": "A new code can be sent in {seconds} seconds.",
        "login_by_code": "Log in with a code",
        "forgot_password": "Forgot your password?",
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
        "method_not_allowed_title": "לא אפשרי כאן",
        "method_not_allowed": "הכתובת הזאת לא מקבלת בקשה מהסוג הזה. נא לחזור ולהשתמש בקישורים שבדף.",
        "bad_request_title": "הקישור הזה שבור",
        "bad_request": "חלק מהכתובת הזאת אינו תקין. נא לחזור ולהשתמש בקישורים שבדף.",
        "too_large_title": "יותר מדי בבת אחת",
        "too_large": "מה שנשלח גדול ממה שהטופס הזה מקבל. נא לחזור, לקצר ולשלוח שוב.",
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
        "name_invalid": "נא להזין שם: 2 עד 50 אותיות, עם רווחים, - ' או . (ללא ספרות או קישורים).",
        "email_invalid": "נא להזין כתובת דוא״ל תקינה או להשאיר ריק.",
        "required": "שדה חובה.",
        "form_errors": "נא לתקן את השדות המסומנים.",
        "too_many_attempts": "יותר מדי ניסיונות. אפשר לנסות שוב בעוד {minutes} דק׳.",
        "too_many_signups": "יותר מדי הרשמות מהרשת הזו. אפשר לנסות שוב בעוד {minutes} דק׳.",
        "pro_title": "לוח בקרה למטפלים",
        "admin_title": "פאנל ניהול",
        "code_title_verify": "אימות מספר הטלפון",
        "code_title_login": "כניסה עם קוד",
        "code_title_reset": "בחירת סיסמה חדשה",
        "code_intro_login": "נשלח קוד בן שש ספרות בהודעה לטלפון הנייד שלך.",
        "code_intro_reset": "נשלח קוד בן שש ספרות בהודעה לטלפון הנייד שלך, ואז אפשר לבחור סיסמה חדשה.",
        "code_intro_verify": "נשלח קוד בן שש ספרות בהודעה לטלפון הנייד שלך.",
        "code_send": "שליחת קוד",
        "code_sent": "שלחנו קוד חדש בהודעה. הוא בתוקף ל-10 דקות.",
        "code_sent_to": "נא להזין את הקוד בן שש הספרות שנשלח אל",
        "code": "קוד",
        "new_password": "סיסמה חדשה (לפחות 8 תווים)",
        "code_submit_verify": "אישור",
        "code_submit_login": "כניסה",
        "code_submit_reset": "שמירת הסיסמה החדשה",
        "code_invalid": "הקוד שגוי או שפג תוקפו. נא לבדוק אותו או לבקש קוד חדש.",
        "code_resend": "שליחת קוד חדש",
        "code_resend_in": "שליחת קוד חדש בעוד {seconds} שניות",
        "code_wait": "אפשר לשלוח קוד חדש בעוד {seconds} שניות.",
        "login_by_code": "כניסה עם קוד",
        "forgot_password": "שכחת את הסיסמה?",
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
