"""The page behind the offer link sent by SMS: accept or decline one offer without logging in."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from masu.domain.dispatch import offer_id_from_token
from masu.domain.errors import DomainError
from masu.domain.pricing import BUSINESS_TZ
from masu.services.dispatch.offer_views import OfferLinkView, offer_for_link
from masu.services.dispatch.waves import accept_offer, decline_offer
from masu.web.deps import ContainerDep, NowDep, PolicyDep, SessionDep
from masu.web.schemas.common import shekels_number
from masu.web.ui.templates import token_page

router = APIRouter(tags=["pages"], include_in_schema=False)
Token = Annotated[str, "the offer link token"]

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "New booking offer",
        "treatment": "Treatment",
        "minutes": "min",
        "when": "When",
        "city": "City",
        "address": "Address",
        "pay": "You earn",
        "status": "Status",
        "answer_by": "Answer by",
        "accept": "Accept",
        "decline": "Decline",
        "pending": "Waiting for your answer",
        "accepted": "Accepted — the booking is yours",
        "declined": "Declined",
        "expired": "Expired",
        "withdrawn": "Taken by another professional",
        "done_accept": "The booking is yours.",
        "done_decline": "Declined. Thank you for answering.",
    },
    "he": {
        "title": "הצעת הזמנה חדשה",
        "treatment": "טיפול",
        "minutes": "דקות",
        "when": "מתי",
        "city": "עיר",
        "address": "כתובת",
        "pay": "התשלום שלך",
        "status": "סטטוס",
        "answer_by": "יש לענות עד",
        "accept": "קבלה",
        "decline": "דחייה",
        "pending": "ממתין לתשובתך",
        "accepted": "התקבלה — ההזמנה שלך",
        "declined": "נדחתה",
        "expired": "פג תוקף",
        "withdrawn": "נלקחה על ידי מטפל/ת אחר/ת",
        "done_accept": "ההזמנה שלך.",
        "done_decline": "נדחתה. תודה על התשובה.",
    },
}


@router.get("/o/{token}", response_class=HTMLResponse)
async def offer_page(
    token: Token, request: Request, container: ContainerDep, now: NowDep, session: SessionDep
) -> Response:
    """The offer with accept and decline buttons while it is open; its outcome afterwards."""
    view = await _view(token, container.settings.SECRET_KEY, session)
    if view is None:
        return HTMLResponse("<h1>404</h1><p>This link is not valid.</p>", status_code=404)
    done = request.query_params.get("done")
    message = TEXTS[_lang(view)].get(f"done_{done}") if done in {"accept", "decline"} else None
    return _render(request, token, view, now, message=message)


@router.post("/o/{token}/{answer}", response_class=HTMLResponse)
async def answer_offer(
    token: Token,
    answer: str,
    request: Request,
    container: ContainerDep,
    now: NowDep,
    policy: PolicyDep,
    session: SessionDep,
) -> Response:
    """Accept or decline through the link; a late or losing answer shows why (409) instead of acting."""
    view = await _view(token, container.settings.SECRET_KEY, session)
    if view is None or answer not in {"accept", "decline"}:
        return HTMLResponse("<h1>404</h1><p>This link is not valid.</p>", status_code=404)
    try:
        if answer == "accept":
            await accept_offer(
                session,
                offer_id=view.offer.id,
                professional_id=view.professional_id,
                now=now,
                policy=policy,
            )
        else:
            await decline_offer(
                session, offer_id=view.offer.id, professional_id=view.professional_id, now=now
            )
        await session.commit()
    except DomainError as refused:
        await session.rollback()
        fresh = await _view(token, container.settings.SECRET_KEY, session)
        assert fresh is not None
        return _render(request, token, fresh, now, message=refused.message, error=True, status_code=409)
    return RedirectResponse(f"/o/{token}?done={answer}", status_code=303)


async def _view(token: str, secret: str, session: SessionDep) -> OfferLinkView | None:
    offer_id = offer_id_from_token(token, secret)
    return await offer_for_link(session, offer_id) if offer_id else None


def _lang(view: OfferLinkView) -> str:
    return view.language if view.language in TEXTS else "he"


def _render(
    request: Request,
    token: str,
    view: OfferLinkView,
    now: Any,
    *,
    message: str | None = None,
    error: bool = False,
    status_code: int = 200,
) -> Response:
    offer = view.offer
    local = offer.booking_date_time.astimezone(BUSINESS_TZ)
    context = {
        "lang": _lang(view),
        "t": TEXTS[_lang(view)],
        "offer": offer,
        "token": token,
        "address": view.address,
        "when": local.strftime("%d/%m/%Y %H:%M"),
        "pay": shekels_number(offer.expected_payment),
        "answer_by": offer.expires_at.astimezone(BUSINESS_TZ).strftime("%H:%M"),
        "open": offer.response_status == "pending" and offer.expires_at > now,
        "message": message,
        "error": error,
    }
    return token_page(request, "pro/offer_link.html", context, status_code=status_code)
