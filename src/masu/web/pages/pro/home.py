"""The professional dashboard's home (a first page; offers and bookings come next)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from masu.web.ui.render import render
from masu.web.ui.session import ProfessionalDep

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/pro", response_class=HTMLResponse)
async def dashboard(request: Request, user: ProfessionalDep) -> Response:
    """The dashboard of the logged-in professional."""
    return render(request, "pro/home.html", {"portal": "pro"})
