"""The framework's own refusals: problems with stable codes for the API, pages for the pages."""

from __future__ import annotations

import httpx
import pytest

from masu.web.problems import PROBLEM_JSON


@pytest.mark.parametrize("path", ["/api/v1/nowhere", "/api/v1", "/api", "/api/v1/bookings/x/nowhere"])
async def test_an_unknown_api_path_is_a_404_problem(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/api/v1/treatments", "GET"),
        ("PUT", "/api/v1/auth/login", "POST"),
        ("POST", "/health", "GET"),
        ("OPTIONS", "/api/v1/admin/cities", "GET, POST"),  # two routes share the path: both count
        ("DELETE", "/api/v1/admin/cities/c1", "PATCH"),
    ],
)
async def test_a_wrong_method_on_the_api_is_a_405_problem_naming_the_allowed_ones(
    client: httpx.AsyncClient, method: str, path: str, allowed: str
) -> None:
    response = await client.request(method, path)
    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["allow"] == allowed
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize("path", ["/nowhere", "/bookings/x/nowhere", "/static/nowhere.css"])
async def test_an_unknown_page_is_a_404_page(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("DELETE", "/login", "GET, POST"), ("PUT", "/", "GET"), ("PATCH", "/book", "GET, POST")],
)
async def test_a_wrong_method_on_a_page_is_a_405_page(
    client: httpx.AsyncClient, method: str, path: str, allowed: str
) -> None:
    response = await client.request(method, path)
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["allow"] == allowed
    assert "<html" in response.text


async def test_a_body_that_is_not_text_is_a_400_malformed_body(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/login", content=b"\x7fHN\xcfI*\xdb", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["code"] == "malformed_body"


@pytest.mark.parametrize("path", ["/pay/not%20an%20id", "/pay/" + "x" * 300 + "/return"])
async def test_a_page_address_its_route_refuses_is_a_404_page_not_json(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path + "?lang=en")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "There is nothing here." in response.text
