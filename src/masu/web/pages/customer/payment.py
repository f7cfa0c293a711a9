"""The booking's pay link: opens the gateway's hosted page, and shows the outcome when the payer comes back.

The outcome shown is always the one the gateway reported server to server; what the browser brings back
on the return URL is never taken as proof of payment.
"""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import APIRouter, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse

from masu.bootstrap import Container
from masu.payments.gateway import GatewayError
from masu.services.payment.payments import Checkout, attach_checkout, checkout_for, payment_request
from masu.web.deps import ContainerDep
from masu.web.schemas.common import ID_PATTERN, shekels_number
from masu.web.ui.i18n import language_of
from masu.web.ui.templates import token_page

router = APIRouter(tags=["pages"], include_in_schema=False)
CheckoutId = Annotated[str, PathParam(alias="checkoutId", pattern=ID_PATTERN)]
NOT_FOUND = "<h1>404</h1><p>This link is not valid.</p>"
_log = structlog.get_logger(__name__)

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Payment",
        "booking": "Booking",
        "amount": "Amount",
        "pay": "Pay now",
        "pending": "We are waiting for the payment provider to confirm your payment. Reload in a moment.",
        "paid": "Payment received. We are now finding a professional for you.",
        "failed": "The payment did not go through, so the booking was cancelled. You may book again.",
        "cancelled": "This booking was cancelled before it was paid.",
        "refund_pending": "This booking was cancelled; your payment is being refunded.",
        "refunded": "This booking was cancelled and your payment was refunded.",
        "refund_failed": "This booking was cancelled; our team will return your payment to you.",
        "unavailable": "The payment service is not available right now. Please try again in a few minutes.",
        "to_booking": "See your booking",
    },
    "he": {
        "title": "תשלום",
        "booking": "הזמנה",
        "amount": "סכום",
        "pay": "לתשלום",
        "pending": "אנחנו ממתינים לאישור התשלום מחברת הסליקה. נא לרענן את הדף בעוד רגע.",
        "paid": "התשלום התקבל. אנחנו מחפשים עבורך מטפל/ת.",
        "failed": "התשלום לא עבר ולכן ההזמנה בוטלה. אפשר להזמין שוב.",
        "cancelled": "ההזמנה בוטלה לפני שהתקבל תשלום.",
        "refund_pending": "ההזמנה בוטלה; התשלום שלך מוחזר.",
        "refunded": "ההזמנה בוטלה והתשלום הוחזר.",
        "refund_failed": "ההזמנה בוטלה; הצוות שלנו יחזיר לך את התשלום.",
        "unavailable": "שירות התשלום אינו זמין כרגע. נא לנסות שוב בעוד כמה דקות.",
        "to_booking": "לצפייה בהזמנה",
    },
}


@router.get("/pay/{checkoutId}", response_class=HTMLResponse)
async def pay(checkout_id: CheckoutId, request: Request, container: ContainerDep) -> Response:
    """Send the payer to the gateway's hosted page (opened on first use); the outcome once there is one."""
    checkout = await _checkout(container, checkout_id)
    if checkout is None:
        return HTMLResponse(NOT_FOUND, status_code=404)
    if not checkout.payable:
        return _render(request, checkout)
    url = checkout.checkout_url or await _open_at_gateway(container, checkout)
    if url is None:
        return _render(request, checkout, message_key="unavailable", status_code=503)
    return RedirectResponse(url, status_code=303)


@router.get("/pay/{checkoutId}/return", response_class=HTMLResponse)
async def returned(checkout_id: CheckoutId, request: Request, container: ContainerDep) -> Response:
    """Where the gateway sends the payer back: shows what the gateway reported, whatever the URL says."""
    checkout = await _checkout(container, checkout_id)
    if checkout is None:
        return HTMLResponse(NOT_FOUND, status_code=404)
    return _render(request, checkout)


async def _checkout(container: Container, checkout_id: str) -> Checkout | None:
    # A short read of its own: no transaction may stay open while the gateway is called.
    async with container.sessions() as session:
        return await checkout_for(session, payment_id=checkout_id)


async def _open_at_gateway(container: Container, checkout: Checkout) -> str | None:
    """Open the hosted payment (idempotent per payment) and keep it; None when the gateway cannot."""
    if checkout.gateway != container.gateway.name:
        return None  # the payment belongs to a gateway that is no longer configured
    base = container.settings.PUBLIC_BASE_URL.rstrip("/")
    request = payment_request(
        checkout,
        return_url=f"{base}/pay/{checkout.payment_id}/return",
        callback_url=f"{base}/api/v1/payments/callback/{checkout.gateway}",
    )
    try:
        hosted = await container.gateway.create_payment(request)
    except GatewayError as exc:
        _log.warning("checkout_open_failed", payment_id=checkout.payment_id, error=str(exc))
        return None
    async with container.sessions() as session:
        url = await attach_checkout(
            session, payment_id=checkout.payment_id, hosted=hosted, now=container.clock.now()
        )
        await session.commit()
    return url


def _render(
    request: Request, checkout: Checkout, *, message_key: str | None = None, status_code: int = 200
) -> Response:
    # The language chosen in this browser, else the booker's own: the payer is usually the booker.
    lang = language_of(request, checkout.language)
    texts = TEXTS[lang]
    context = {
        "lang": lang,
        "t": texts,
        "booking_number": checkout.booking_number,
        "amount": shekels_number(checkout.amount),
        "message": texts[message_key or checkout.payment.status],
        "pay_url": f"/pay/{checkout.payment_id}" if checkout.payable and message_key is None else None,
        "booking_url": f"/bookings/{checkout.booking_id}",
    }
    return token_page(request, "customer/payment.html", context, status_code=status_code)
