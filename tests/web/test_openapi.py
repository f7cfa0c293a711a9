"""The OpenAPI document declares what each operation can answer, its refusals shaped as problems."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from masu.web.problems import PROBLEM_JSON

PROBLEM = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op) for path, item in document["paths"].items() for method, op in item.items()
    ]


def _statuses(document: dict[str, Any], method: str, path: str) -> set[int]:
    return {int(status) for status in document["paths"][path][method.lower()]["responses"]}


async def test_every_refusal_is_a_problem(document: dict[str, Any]) -> None:
    assert "Problem" in document["components"]["schemas"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for method, path, operation in _operations(document):
        assert "422" in operation["responses"], (method, path)
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                assert response["content"] == {PROBLEM_JSON: {"schema": PROBLEM}}, (method, path, status)


async def test_what_an_operation_is_built_from_shows_in_its_statuses(document: dict[str, Any]) -> None:
    for method, path, operation in _operations(document):
        statuses = _statuses(document, method, path)
        if operation.get("security") == [{"HTTPBearer": []}]:
            assert 401 in statuses, (method, path)
        if path.startswith("/api/v1/admin/"):
            assert 403 in statuses, (method, path)
        if "{" in path:
            assert 404 in statuses, (method, path)
        assert {400, 413} <= statuses, (method, path)  # any request's body is read whole first


@pytest.mark.parametrize(
    ("method", "path", "declared"),
    [
        ("POST", "/api/v1/bookings", {201, 400, 401, 403, 409, 413, 422, 429}),
        ("POST", "/api/v1/auth/login", {200, 400, 401, 413, 422, 429}),
        ("POST", "/api/v1/offers/{offerId}/accept", {200, 400, 401, 403, 404, 409, 413, 422}),
        ("GET", "/api/v1/professional/offers", {200, 400, 401, 403, 413, 422}),
        ("GET", "/health", {200, 400, 413, 422, 503}),
        ("GET", "/metrics", {200, 400, 401, 413, 422}),
        ("GET", "/api/v1/treatments", {200, 400, 413, 422}),
    ],
)
async def test_an_operations_rules_add_their_own_refusals(
    document: dict[str, Any], method: str, path: str, declared: set[int]
) -> None:
    assert _statuses(document, method, path) == declared


async def test_throttled_answers_declare_retry_after_and_open_operations_take_a_token_or_none(
    document: dict[str, Any],
) -> None:
    limited = document["paths"]["/api/v1/auth/login"]["post"]["responses"]["429"]
    assert limited["headers"]["Retry-After"]["required"] is True
    for path in ("/health", "/metrics"):
        assert document["paths"][path]["get"]["security"] == [{}, {"HTTPBearer": []}]
