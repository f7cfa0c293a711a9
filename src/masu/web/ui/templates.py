"""The one template environment of every page: the three portals, the token pages and the sandbox gateway.

A name a template uses that its context lacks is an error (StrictUndefined), not an empty string: a page
that forgot a value fails its test instead of showing a blank. A template that means "absent" says so with
`is defined` or gets the value passed explicitly. Every template is HTML, so everything is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request, Response
from fastapi.templating import Jinja2Templates

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
    )


templates = Jinja2Templates(env=_environment())


def token_page(
    request: Request, template: str, context: Mapping[str, Any], *, status_code: int = 200
) -> Response:
    """A page opened by a secret link (offer, review, payment): never cached, its URL never sent elsewhere."""
    response = templates.TemplateResponse(request, template, dict(context), status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the link's secret must not leak to other sites
    return response
