"""Every error as application/problem+json (RFC 9457); expected failures never become a 5xx."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from masu.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    RateLimited,
    TooEarly,
    ValidationFailed,
)
from masu.observability.metrics import DOMAIN_REFUSALS
from masu.services.account.accounts import InvalidCredentials
from masu.web.route_table import methods_at

PROBLEM_JSON = "application/problem+json"
_log = structlog.get_logger(__name__)

_STATUS_FOR: list[tuple[type[DomainError], int, str]] = [
    (ValidationFailed, 422, "Invalid request"),
    (NotFound, 404, "Not found"),
    (InvalidCredentials, 401, "Not authenticated"),
    (Forbidden, 403, "Forbidden"),
    (RateLimited, 429, "Too many requests"),
    (Conflict, 409, "Conflict"),
]
# What the framework itself refuses, under codes of their own; any other status is `http_<status>`.
_HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("malformed_body", "Bad request"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
}

PageError = Callable[[Request, StarletteHTTPException], Response | None]
"""Renders the framework's refusal of a page request as a page, or returns None to answer with a problem."""


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    code: str,
    errors: list[dict[str, str]] | None = None,
    **extra: Any,
) -> JSONResponse:
    """Build a problem+json response."""
    body: dict[str, Any] = {"type": f"https://masu.example/problems/{code}", "title": title, "status": status}
    body.update(detail=detail, code=code, **extra)
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def domain_problem(exc: DomainError) -> JSONResponse:
    """Map a domain error to its HTTP status and problem body (and count the refusal)."""
    DOMAIN_REFUSALS.labels(exc.code).inc()
    status, title = next(
        ((status, title) for error_type, status, title in _STATUS_FOR if isinstance(exc, error_type)),
        (400, "Bad request"),
    )
    if isinstance(exc, ValidationFailed):
        return problem(
            status, title, exc.message, code=exc.code, errors=[{"field": exc.field, "message": exc.message}]
        )
    if isinstance(exc, TooEarly):
        earliest = exc.earliest_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return problem(status, title, exc.message, code=exc.code, earliestAt=earliest)
    response = problem(status, title, exc.message, code=exc.code)
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(exc.retry_after_seconds)
    if isinstance(exc, InvalidCredentials):
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def field_of(location: tuple[int | str, ...]) -> str:
    """`("body", "address", "street")` → `address.street`; the whole body is `body`."""
    parts = (
        [str(part) for part in location[1:]] if location and location[0] in {"body", "query", "path"} else []
    )
    if location and location[0] == "header":
        return str(location[-1]).title()
    return ".".join(parts) or (str(location[0]) if location else "body")


def http_problem(exc: StarletteHTTPException) -> JSONResponse:
    """The problem for an HTTPException (routing's 404 and 405, the bearer checks' 401 and 403)."""
    code, title = _HTTP_CODES.get(exc.status_code, (f"http_{exc.status_code}", str(exc.detail)))
    response = problem(exc.status_code, title, str(exc.detail), code=code)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


def is_api_request(request: Request) -> bool:
    """Whether the request is for an operation of the API document (or an unknown path under /api)."""
    route = request.scope.get("route")
    if route is not None:
        return bool(getattr(route, "include_in_schema", False))
    path = request.url.path
    return path == "/api" or path.startswith("/api/")


def install_problem_handlers(app: FastAPI, *, page_error: PageError | None = None) -> None:
    """Register the handlers that turn exceptions into problems (pages' 404 and 405 through `page_error`)."""

    async def on_domain_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        return domain_problem(exc)

    async def on_invalid_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if page_error is not None and not is_api_request(request):
            # A page's address or query a person should never have typed: its id names nothing (404), any
            # other part is a bad link (400). A page's form fields are read by the page and named next to
            # the field instead.
            in_path = any(error["loc"][:1] == ("path",) for error in exc.errors())
            page = page_error(request, StarletteHTTPException(404 if in_path else 400))
            if page is not None:
                return page
        errors = [{"field": field_of(tuple(e["loc"])), "message": _message(e)} for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(422, "Invalid request", detail, code="validation_failed", errors=errors)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 405:
            allowed = ", ".join(sorted(methods_at(request.app.routes, request.url.path)))
            exc = StarletteHTTPException(405, exc.detail, headers={**(exc.headers or {}), "Allow": allowed})
        page = None if page_error is None or is_api_request(request) else page_error(request, exc)
        return page if page is not None else http_problem(exc)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        _log.exception("unhandled_error", path=request.url.path, error=repr(exc))
        return problem(500, "Internal error", "something went wrong on our side", code="internal_error")

    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_invalid_request)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)


def _message(error: Any) -> str:
    if error.get("type") == "json_invalid":
        return "the body is not valid JSON"
    if error.get("type") == "missing":
        return "is required"
    return str(error.get("msg", "is invalid")).removeprefix("Value error, ")
