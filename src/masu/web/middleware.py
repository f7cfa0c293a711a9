"""ASGI middleware: request metrics and a cap on request body size."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from masu.observability.metrics import HTTP_LATENCY, HTTP_REQUESTS
from masu.web.problems import PROBLEM_JSON

MAX_BODY_BYTES = 64 * 1024


class BodySizeLimit:
    """Refuse bodies over MAX_BODY_BYTES with 413 before anything parses them."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _too_large(send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _BodyTooLarge:
            await _too_large(send)


class RefuseNulInUrl:
    """Answer 422 for a URL carrying a NUL character, which no id or filter may contain."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and ("\x00" in scope["path"] or b"%00" in scope["query_string"].lower()):
            await _send_problem(send, 422, _NUL_IN_URL)
            return
        await self.app(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


_TOO_LARGE = b'{"type":"about:blank","title":"Request body too large","status":413,"code":"body_too_large"}'
_NUL_IN_URL = (
    b'{"type":"about:blank","title":"Invalid request","status":422,"code":"validation_failed",'
    b'"detail":"the URL contains a NUL character","errors":[{"field":"url","message":"contains NUL"}]}'
)


async def _too_large(send: Send) -> None:
    await _send_problem(send, 413, _TOO_LARGE)


async def _send_problem(send: Send, status: int, body: bytes) -> None:
    """Answer with a fixed problem document before the application runs."""
    headers = [(b"content-type", PROBLEM_JSON.encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RequestMetrics:
    """Count and time every request by its route template (not its raw path, to bound cardinality)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            HTTP_REQUESTS.labels(scope["method"], route, str(status)).inc()
            HTTP_LATENCY.labels(scope["method"], route).observe(time.perf_counter() - started)
