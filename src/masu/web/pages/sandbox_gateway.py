"""The sandbox gateway's hosted payment page (mounted only with PAYMENT_GATEWAY=sandbox).

It plays the part of the gateway's own site: the payer presses Pay or Fail, the gateway records the outcome,
reports it to the merchant's callback server to server, then sends the browser to the return URL. The
forms carry no token of their own: the reference in their URL is an unguessable secret, so another site
cannot build a request that completes somebody's payment.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse

from masu.payments.gateway import PaymentOutcome
from masu.payments.sandbox import HOSTED_PAGE_PATH, SandboxCheckout, SandboxGateway
from masu.web.deps import ContainerDep
from masu.web.schemas.common import ID_PATTERN, shekels_number
from masu.web.ui.templates import token_page

router = APIRouter(prefix=HOSTED_PAGE_PATH, tags=["sandbox gateway"], include_in_schema=False)
Reference = Annotated[str, PathParam(pattern=ID_PATTERN)]
NOT_FOUND = "<h1>404</h1><p>No such payment.</p>"
CHOICES: dict[str, PaymentOutcome] = {"pay": "paid", "fail": "failed"}


@router.get("/{reference}", response_class=HTMLResponse)
async def hosted_page(reference: Reference, request: Request, container: ContainerDep) -> Response:
    """The payment with Pay and Fail buttons while open; its outcome and a way back afterwards."""
    gateway = container.gateway
    checkout = await gateway.checkout(reference) if isinstance(gateway, SandboxGateway) else None
    if checkout is None:
        return HTMLResponse(NOT_FOUND, status_code=404)
    return _render(request, checkout)


@router.post("/{reference}/{choice}", response_class=HTMLResponse)
async def choose(reference: Reference, choice: str, container: ContainerDep) -> Response:
    """Record the payer's choice (once), notify the merchant, and send the browser back to the merchant."""
    gateway = container.gateway
    if not isinstance(gateway, SandboxGateway) or choice not in CHOICES:
        return HTMLResponse(NOT_FOUND, status_code=404)
    checkout = await gateway.complete(reference, CHOICES[choice])
    if checkout is None:
        return HTMLResponse(NOT_FOUND, status_code=404)
    return RedirectResponse(checkout.return_url, status_code=303)


def _render(request: Request, checkout: SandboxCheckout) -> Response:
    context = {
        "checkout": checkout,
        "amount": shekels_number(checkout.amount),
        "open": checkout.status == "open",
        "action": f"{HOSTED_PAGE_PATH}/{checkout.reference}",
    }
    response = token_page(request, "sandbox_gateway/pay.html", context)
    response.headers["X-Frame-Options"] = "DENY"  # no clickjacking of the Pay button
    return response
