"""Every error as application/problem+json (RFC 9457); expected failures never become a 5xx."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import structlog
from fastapi import FastAPI, Request
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
from masu.services.accounts import InvalidCredentials

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


def install_problem_handlers(app: FastAPI) -> None:
    """Register the handlers that turn exceptions into problem responses."""

    async def on_domain_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        return domain_problem(exc)

    async def on_invalid_request(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [{"field": field_of(tuple(e["loc"])), "message": _message(e)} for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(422, "Invalid request", detail, code="validation_failed", errors=errors)

    async def on_http_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        response = problem(exc.status_code, str(exc.detail), str(exc.detail), code=f"http_{exc.status_code}")
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

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
