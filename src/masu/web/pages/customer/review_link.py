"""The page behind the review link: rate a treated booking without logging in, once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from masu.domain.errors import DomainError, ValidationFailed
from masu.domain.lifecycle import BookingStatus
from masu.domain.pricing import BUSINESS_TZ
from masu.domain.reviews import MAX_COMMENT_LENGTH, booking_id_from_review_token
from masu.services.review.reviews import review_link_facts, submit_review_by_link
from masu.web.deps import ContainerDep, NowDep, SessionDep
from masu.web.ui.templates import token_page

if TYPE_CHECKING:
    from masu.persistence.queries.review import ReviewLinkFacts

router = APIRouter(tags=["pages"], include_in_schema=False)
Token = Annotated[str, "the review link token"]
FORM_COOKIE = "masu_review_form"
NOT_FOUND = "<h1>404</h1><p>This link is not valid.</p>"

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "How was your treatment?",
        "treatment": "Treatment",
        "when": "When",
        "professional": "Professional",
        "rating": "Your rating",
        "stars": "out of 5",
        "comment": "Comment (optional)",
        "send": "Send review",
        "thanks": "Thank you for your review!",
        "reviewed": "This booking has already been reviewed. Thank you!",
        "closed": "This booking is no longer open for a review.",
        "stale_form": "This form has expired. Please send it again.",
        "rating_invalid": "Choose a rating from 1 to 5.",
        "comment_invalid": f"The comment may be at most {MAX_COMMENT_LENGTH} characters long.",
    },
    "he": {
        "title": "איך היה הטיפול?",
        "treatment": "טיפול",
        "when": "מתי",
        "professional": "מטפל/ת",
        "rating": "הדירוג שלך",
        "stars": "מתוך 5",
        "comment": "הערה (לא חובה)",
        "send": "שליחת חוות דעת",
        "thanks": "תודה על חוות הדעת!",
        "reviewed": "כבר התקבלה חוות דעת על ההזמנה הזו. תודה!",
        "closed": "ההזמנה הזו כבר אינה פתוחה לחוות דעת.",
        "stale_form": "תוקף הטופס פג. נא לשלוח שוב.",
        "rating_invalid": "נא לבחור דירוג בין 1 ל-5.",
        "comment_invalid": f"ההערה יכולה להכיל עד {MAX_COMMENT_LENGTH} תווים.",
    },
}


@dataclass(frozen=True, slots=True)
class Draft:
    """What the customer typed, kept when the form comes back with a message."""

    rating: str = ""
    comment: str = ""


@router.get("/review/{token}", response_class=HTMLResponse)
async def review_page(
    token: Token, request: Request, container: ContainerDep, session: SessionDep
) -> Response:
    """The review form while the booking waits for its review; otherwise what became of it."""
    facts = await _facts(token, container.settings.SECRET_KEY, session)
    if facts is None:
        return HTMLResponse(NOT_FOUND, status_code=404)
    lang = _lang(request, facts)
    message = TEXTS[lang]["thanks"] if request.query_params.get("done") and facts.reviewed else None
    return _render(request, token, facts, container.settings.SECRET_KEY, message=message)


@router.post("/review/{token}", response_class=HTMLResponse)
async def send_review(
    token: Token, request: Request, container: ContainerDep, now: NowDep, session: SessionDep
) -> Response:
    """Submit the form: a review of the booking from its owner; the form again with the reason if refused."""
    secret = container.settings.SECRET_KEY
    facts = await _facts(token, secret, session)
    if facts is None:
        return HTMLResponse(NOT_FOUND, status_code=404)
    form = await request.form()
    draft = Draft(rating=str(form.get("rating", "")), comment=str(form.get("comment", "")))
    texts = TEXTS[_lang(request, facts)]
    if not _form_token_holds(request, token, secret, str(form.get("form_token", ""))):
        # Another site cannot read our cookie, so it cannot post in the customer's name.
        return _render(
            request, token, facts, secret, message=texts["stale_form"], draft=draft, status_code=403
        )
    try:
        rating = _rating(draft.rating)
        await submit_review_by_link(
            session,
            now=now,
            booking_id=facts.booking_id,
            rating=rating,
            comment=draft.comment,
        )
        await session.commit()
    except DomainError as refused:
        await session.rollback()
        fresh = await review_link_facts(session, facts.booking_id)
        assert fresh is not None
        if isinstance(refused, ValidationFailed):
            message, status = texts.get(f"{refused.field}_invalid", refused.message), 422
        else:
            message, status = texts["reviewed" if fresh.reviewed else "closed"], 409
        return _render(request, token, fresh, secret, message=message, draft=draft, status_code=status)
    return RedirectResponse(f"/review/{token}?done=1&lang={_lang(request, facts)}", status_code=303)


async def _facts(token: str, secret: str, session: SessionDep) -> ReviewLinkFacts | None:
    booking_id = booking_id_from_review_token(token, secret)
    return await review_link_facts(session, booking_id) if booking_id else None


def _rating(text: str) -> int:
    if not text.strip().isdigit():
        raise ValidationFailed("rating", "choose a rating from 1 to 5")
    return int(text)


def _lang(request: Request, facts: ReviewLinkFacts) -> str:
    asked = request.query_params.get("lang")
    if asked in TEXTS:
        return str(asked)
    return facts.customer_language if facts.customer_language in TEXTS else "he"


def _form_token(token: str, nonce: str, secret: str) -> str:
    """The form's token: bound to this review link and to the browser's cookie."""
    message = f"review-form:{token}:{nonce}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _form_token_holds(request: Request, token: str, secret: str, sent: str) -> bool:
    nonce = request.cookies.get(FORM_COOKIE)
    return bool(nonce) and hmac.compare_digest(sent, _form_token(token, str(nonce), secret))


def _render(
    request: Request,
    token: str,
    facts: ReviewLinkFacts,
    secret: str,
    *,
    message: str | None = None,
    draft: Draft | None = None,
    status_code: int = 200,
) -> Response:
    lang = _lang(request, facts)
    nonce = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(16)
    reviewed = facts.reviewed
    context = {
        "lang": lang,
        "t": TEXTS[lang],
        "facts": facts,
        "token": token,
        "when": facts.booking_date_time.astimezone(BUSINESS_TZ).strftime("%d/%m/%Y %H:%M"),
        "professional": (facts.professional_name or "").split(" ")[0],
        "open": facts.status == BookingStatus.PENDING_REVIEW and not reviewed,
        "state": "reviewed" if reviewed else "closed",
        "form_token": _form_token(token, nonce, secret),
        "max_comment": MAX_COMMENT_LENGTH,
        "message": message,
        "error": status_code >= 400,
        "draft": draft or Draft(),
    }
    response = token_page(request, "customer/review_link.html", context, status_code=status_code)
    secure = request.url.scheme == "https"
    response.set_cookie(FORM_COOKIE, nonce, path="/review/", httponly=True, samesite="lax", secure=secure)
    return response
