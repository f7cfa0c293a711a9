"""Rendering a page in the shared layout: language, direction, texts, the user, the CSRF token, cookies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException

from masu.bootstrap import Container
from masu.web.ui.csrf import CsrfRefused, csrf_token, keep_csrf_cookie
from masu.web.ui.i18n import LANG_COOKIE, Lang, direction, is_lang, language_of, texts_for
from masu.web.ui.session import LoginRequired, PageForbidden
from masu.web.ui.templates import templates

Catalogue = Mapping[Lang, Mapping[str, str]]


def page_language(request: Request) -> Lang:
    """The language of this request's page (see i18n.language_of), with the logged-in user's own."""
    return language_of(request, getattr(request.state, "user_language", None))


def page_texts(request: Request, *catalogues: Catalogue) -> dict[str, str]:
    """The texts of this request's page in its language."""
    return texts_for(page_language(request), *catalogues)


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    catalogues: tuple[Catalogue, ...] = (),
    status_code: int = 200,
) -> Response:
    """The template in the layout; remembers a `?lang=` choice and sets a new CSRF cookie when needed."""
    container: Container = request.app.state.container
    lang = page_language(request)
    other: Lang = "en" if lang == "he" else "he"
    full = {
        "lang": lang,
        "dir": direction(lang),
        "t": texts_for(lang, *catalogues),
        "user": getattr(request.state, "principal", None),
        "csrf_token": csrf_token(request, container),
        "switch_url": _with_lang(request, other),
        "path": request.url.path,
        "portal": None,  # whose brand link and menu the layout shows; None is the customer's
        **context,
    }
    response = templates.TemplateResponse(request, template, full, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    remember_language(request, response)
    keep_csrf_cookie(request, response, container)
    return response


def not_found(request: Request, portal: str | None = None) -> Response:
    """The not-found page (404) in `portal`'s layout (None: the customer's)."""
    return render(request, "ui/not_found.html", {"portal": portal}, status_code=404)


def remember_language(request: Request, response: Response) -> None:
    """Keep an explicit `?lang=` choice in a cookie for the next pages."""
    asked = request.query_params.get("lang")
    if is_lang(asked) and request.cookies.get(LANG_COOKIE) != asked:
        response.set_cookie(LANG_COOKIE, asked, max_age=365 * 24 * 3600, samesite="lax", path="/")


def redirect(request: Request, url: str) -> Response:
    """A 303 to `url`, keeping cookies this request decided to set."""
    response = RedirectResponse(url, status_code=303)
    keep_csrf_cookie(request, response, request.app.state.container)
    return response


def _with_lang(request: Request, lang: Lang) -> str:
    query = request.url.include_query_params(lang=lang).query
    return f"{request.url.path}?{query}"


def page_error(request: Request, exc: HTTPException) -> Response | None:
    """A page for a refused page request (400, 404, 405 with `Allow`, 413); None for anything else."""
    refusal = _REFUSALS.get(exc.status_code)
    if refusal is None:
        return None
    response = render(request, "ui/refused.html", {"refusal": refusal}, status_code=exc.status_code)
    response.headers.update(exc.headers or {})  # a 405's Allow
    return response


_REFUSALS = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}


def install_page_handlers(app: FastAPI) -> None:
    """Answer LoginRequired with a redirect to the login page, and CSRF or role refusals with a 403 page."""

    async def login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        response = RedirectResponse(exc.next_url, status_code=303)
        remember_language(request, response)  # the login page speaks the language asked for
        return response

    async def forbidden(request: Request, exc: Exception) -> Response:
        return render(request, "ui/forbidden.html", {}, status_code=403)

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(CsrfRefused, forbidden)
    app.add_exception_handler(PageForbidden, forbidden)
