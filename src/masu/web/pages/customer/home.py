"""The customer's home page: the treatments with their prices and a way to book each."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from masu.services.catalogue.catalogue import treatments_with_durations
from masu.web.deps import SessionDep
from masu.web.pages.customer.texts import TEXTS
from masu.web.schemas.common import shekels_number
from masu.web.ui.render import render
from masu.web.ui.session import MaybeUserDep

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, session: SessionDep, user: MaybeUserDep) -> Response:
    """Active treatments, each with its durations and prices in shekels."""
    offers = await treatments_with_durations(session, active_only=True)
    treatments = [
        {
            "id": offer.treatment.id,
            "name": offer.treatment.name,
            "description": offer.treatment.description or "",
            "prices": [(d.minutes, shekels_number(d.price)) for d in offer.durations]
            or [(offer.treatment.default_duration_minutes, shekels_number(offer.treatment.fixed_price or 0))],
        }
        for offer in offers
    ]
    return render(request, "customer/home.html", {"treatments": treatments}, catalogues=(TEXTS,))
