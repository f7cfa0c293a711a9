"""The admin panel's home (a first page; bookings, professionals and the catalogue come next)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from masu.web.ui.render import render
from masu.web.ui.session import AdminUserDep

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/admin", response_class=HTMLResponse)
async def panel(request: Request, user: AdminUserDep) -> Response:
    """The panel of the logged-in admin."""
    return render(request, "admin/home.html", {"portal": "admin"})
