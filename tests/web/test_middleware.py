"""The checks before anything parses a request: body size (declared or streamed) and JSON nesting depth."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from masu.web.middleware import MAX_BODY_BYTES, MAX_JSON_DEPTH, nests_deeper_than
from masu.web.problems import PROBLEM_JSON
from tests.factories import CUSTOMER, login

LOGIN = "/api/v1/auth/login"


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


async def _chunks(total: int, size: int = 4096) -> AsyncIterator[bytes]:
    """A body sent chunked: no Content-Length says how long it is."""
    sent = 0
    while sent < total:
        piece = min(size, total - sent)
        sent += piece
        yield b" " * piece


def _assert_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert (body["status"], body["code"], body["type"]) == (
        status,
        code,
        f"https://masu.example/problems/{code}",
    )


@pytest.mark.parametrize(
    ("text", "deeper"),
    [
        (b'{"a": [1, {"b": 2}]}', False),
        (_nested(MAX_JSON_DEPTH), False),
        (_nested(MAX_JSON_DEPTH + 1), True),
        (b'{"a": "' + b"[" * 100 + b'"}', False),  # brackets inside a string do not nest
        (b'["\\"' + b"[" * 100 + b'"]', False),  # nor after an escaped quote, still inside the string
        (b'["\\\\", ' + _nested(MAX_JSON_DEPTH) + b"]", True),  # an escaped backslash ends nothing early
        (b"[" * 5000, True),  # unclosed: the parser would refuse it, but only after recursing
    ],
)
def test_nesting_depth_is_counted_outside_strings(text: bytes, deeper: bool) -> None:
    assert nests_deeper_than(text, MAX_JSON_DEPTH) is deeper


async def test_a_declared_body_over_the_limit_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post(LOGIN, content=b" " * (MAX_BODY_BYTES + 1))
    _assert_problem(response, 413, "body_too_large")


async def test_a_get_with_a_body_over_the_limit_is_413_as_its_document_says(
    client: httpx.AsyncClient,
) -> None:
    response = await client.request("GET", "/api/v1/treatments", content=b" " * (MAX_BODY_BYTES + 1))
    _assert_problem(response, 413, "body_too_large")


async def test_a_chunked_body_over_the_limit_is_413_too(client: httpx.AsyncClient) -> None:
    headers = {"content-type": "application/json"}
    response = await client.post(LOGIN, content=_chunks(MAX_BODY_BYTES + 1), headers=headers)
    assert "content-length" not in response.request.headers
    _assert_problem(response, 413, "body_too_large")


async def test_a_chunked_body_under_the_limit_reaches_the_route(client: httpx.AsyncClient) -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b'{"phone": "%s", ' % CUSTOMER[0].encode()
        yield b'"password": "%s"}' % CUSTOMER[1].encode()

    response = await client.post(LOGIN, content=body(), headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("content_type", ["application/json", None, "text/plain"])
async def test_json_nested_past_the_limit_is_400_wherever_it_goes(
    client: httpx.AsyncClient, content_type: str | None
) -> None:
    headers = await login(client, CUSTOMER)
    if content_type is not None:
        headers["content-type"] = content_type
    for path in (LOGIN, "/api/v1/bookings", "/api/v1/me/password"):
        response = await client.post(path, content=_nested(5000), headers=headers)
        _assert_problem(response, 400, "too_deeply_nested")


async def test_json_within_the_limit_is_judged_by_the_route(client: httpx.AsyncClient) -> None:
    response = await client.post(LOGIN, content=_nested(MAX_JSON_DEPTH))
    _assert_problem(response, 422, "validation_failed")


async def test_forms_are_not_read_as_json(client: httpx.AsyncClient) -> None:
    form = {"phone": CUSTOMER[0], "password": "[" * 100}
    response = await client.post("/login", data=form)
    assert response.status_code != 400
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("chunked", [False, True], ids=["declared", "chunked"])
async def test_a_page_form_over_the_limit_is_a_413_page_in_the_page_s_language(
    client: httpx.AsyncClient, chunked: bool
) -> None:
    size = MAX_BODY_BYTES + 1
    body = _chunks(size) if chunked else b" " * size
    headers = {"content-type": "application/x-www-form-urlencoded"}

    english = await client.post("/login?lang=en", content=body, headers=headers)
    hebrew = await client.post("/login?lang=he", content=b" " * size, headers=headers)

    assert english.status_code == 413
    assert english.headers["content-type"].startswith("text/html")
    assert "Too much at once" in english.text
    assert hebrew.status_code == 413
    assert 'dir="rtl"' in hebrew.text
    assert "יותר מדי בבת אחת" in hebrew.text
