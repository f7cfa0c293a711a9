"""The OpenAPI document: every status an operation can answer, its errors in the shape they are sent.

Most refusals follow from how an operation is built, so they are derived here rather than written on each
route: a bearer dependency answers 401, a role dependency 403, a path id 404, any body 400 and 413, and every
operation 422 (a URL with NUL is refused before any route). What only an operation's rules know (a 409 from
the lifecycle, a 429 from a throttle, a 403 from the booking's actors) its route declares with `refusals`;
this module then gives every refusal the `Problem` schema under application/problem+json.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from masu.web.deps import get_admin, get_principal, get_professional
from masu.web.middleware import MAX_BODY_BYTES, MAX_JSON_DEPTH
from masu.web.operator_access import require_metrics_access, sees_health_details
from masu.web.problems import PROBLEM_JSON
from masu.web.route_table import flat_routes

Responses = dict[int | str, dict[str, Any]]
BEARER = "HTTPBearer"  # the scheme FastAPI names after fastapi.security.HTTPBearer

_DESCRIPTIONS: dict[int, str] = {
    400: f"The body cannot be read (`malformed_body`) or nests more than {MAX_JSON_DEPTH} deep "
    "(`too_deeply_nested`)",
    401: "No valid bearer token (`http_401`, with `WWW-Authenticate: Bearer`), or credentials refused",
    403: "The user's role, or the booking's rules, refuse this user",
    404: "No such thing, or not yours (`not_found`)",
    409: "The current state refuses it; `code` says why",
    413: f"The body is over {MAX_BODY_BYTES} bytes, declared or streamed (`body_too_large`)",
    422: "A field breaks a rule; `errors` names it (`validation_failed` or the rule's own code)",
    429: "Too many; `Retry-After` says how many seconds to wait",
}
_PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `code` is stable, `errors` comes with a 422.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "description": "https://masu.example/problems/<code>"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
_RETRY_AFTER = {"description": "Seconds to wait", "required": True, "schema": {"type": "integer"}}


BODY_REQUIRED: dict[str, Any] = {"x-masu-body-required": True}
"""`openapi_extra=` for a route that needs its body but reads a missing one itself (to name the field)."""


def refusals(*statuses: int) -> Responses:
    """`responses=` for the refusals only an operation's rules know; the document fills in their shape."""
    return {status: {} for status in statuses}


def install_openapi(app: FastAPI) -> None:
    """Serve the document with every derivable refusal declared and each refusal shaped as a Problem."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, routes=app.routes)
            app.openapi_schema = complete(document, app.routes)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def complete(document: dict[str, Any], routes: list[Any]) -> dict[str, Any]:
    """The document with each operation's refusals and security made whole (changed in place)."""
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = _PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)  # FastAPI's own 422 shape, which this API never sends
    for route in flat_routes(routes):
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        calls = set(_calls(route.dependant))
        for method in route.methods or ():
            operation = document["paths"].get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue  # left out of the document
            responses = operation["responses"]
            for status in _derived_statuses(route, method, calls):
                responses.setdefault(str(status), {})
            _shape_refusals(responses)
            operation["responses"] = dict(sorted(responses.items()))
            if operation.pop("x-masu-body-required", False):
                _require_body(operation["requestBody"])
            if calls & _OPTIONAL_BEARER:
                operation["security"] = [{}, {BEARER: []}]  # anyone may call; a token shows more
    return document


def _derived_statuses(route: APIRoute, method: str, calls: set[Callable[..., Any]]) -> set[int]:
    statuses = {422}
    if get_principal in calls or require_metrics_access in calls:
        statuses.add(401)
    if calls & _ROLE_CHECKS:
        statuses.add(403)
    if route.dependant.path_params:
        statuses.add(404)
    statuses.update((400, 413))  # any request may carry a body (a GET too), read whole before the route runs
    return statuses


def _shape_refusals(responses: dict[str, Any]) -> None:
    for key, response in responses.items():
        if not key.isdigit() or not 400 <= int(key) < 500:
            continue
        status = int(key)
        response["description"] = _DESCRIPTIONS.get(status, response.get("description", "Refused"))
        response["content"] = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        if status == 429:
            response["headers"] = {"Retry-After": _RETRY_AFTER}


def drop_null(schema: dict[str, Any]) -> None:
    """Take `null` out of a schema's choices (in place): a value that may be left out but not sent as null."""
    kept = [option for option in schema.pop("anyOf", []) if option != {"type": "null"}]
    if len(kept) == 1:
        schema.update(kept[0])
    elif kept:
        schema["anyOf"] = kept


def _require_body(body: dict[str, Any]) -> None:
    body["required"] = True
    for media in body["content"].values():
        drop_null(media["schema"])


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


_ROLE_CHECKS: set[Callable[..., Any]] = {get_admin, get_professional}
_OPTIONAL_BEARER: set[Callable[..., Any]] = {sees_health_details, require_metrics_access}
