"""ASGI middleware: request metrics, and the checks every request passes before anything parses it."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from masu.observability.metrics import HTTP_LATENCY, HTTP_REQUESTS
from masu.web.problems import is_api_request, problem

PageRefusal = Callable[[Request, HTTPException], Response | None]
"""The page answering a refused page request (an HTML 413, say), or None to answer with a problem."""

MAX_BODY_BYTES = 64 * 1024
# The deepest body the API takes nests 3 levels; Python's parser fails near 1,000 (a RecursionError).
MAX_JSON_DEPTH = 32
_FORM_TYPES = (b"application/x-www-form-urlencoded", b"multipart/form-data")
# Inside a string an escape pair is consumed whole, so an escaped quote never ends the string.
_JSON_STRUCTURE = re.compile(rb'\\.|["\[\]{}]', re.DOTALL)


class RequestBodyGuard:
    """Read the whole body first: 413 past MAX_BODY_BYTES (declared or streamed), 400 for JSON too deep."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = MAX_BODY_BYTES,
        max_depth: int = MAX_JSON_DEPTH,
        page_refusal: PageRefusal | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_depth = max_depth
        self.page_refusal = page_refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        try:
            body = await _read_body(receive, self.max_bytes)
        except _BodyTooLarge:
            await self._too_large(scope, receive, send)
            return
        if body is None:
            return  # the client left before sending its whole body: nothing may act on a part of it
        content_type = headers.get(b"content-type", b"").lower()
        if not content_type.startswith(_FORM_TYPES) and nests_deeper_than(body, self.max_depth):
            detail = f"the body nests deeper than {self.max_depth} levels"
            await problem(400, "Bad request", detail, code="too_deeply_nested")(scope, receive, send)
            return
        await self.app(scope, _replaying(body, receive), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        """413: a page for a page's form (a person reads it), a problem for the API."""
        request = Request(scope, receive)
        page = None
        if self.page_refusal is not None and not is_api_request(request):
            page = self.page_refusal(request, HTTPException(413))
        if page is None:
            detail = f"the body is larger than {self.max_bytes} bytes"
            page = problem(413, "Request body too large", detail, code="body_too_large")
        await page(scope, receive, send)


async def _read_body(receive: Receive, max_bytes: int) -> bytes | None:
    """The whole body, counted as it streams in (chunked, it declares no length); None if the client left."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            raise _BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


class _BodyTooLarge(Exception):
    pass


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the application the body already read, then whatever the client does next."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def nests_deeper_than(body: bytes, limit: int) -> bool:
    """Whether the JSON text opens more than `limit` arrays or objects inside one another."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # the common case costs two counts, not a scan
    depth = 0
    in_string = False
    for match in _JSON_STRUCTURE.finditer(body):
        token = match.group()
        if token == b'"':
            in_string = not in_string
        elif in_string or len(token) > 1:
            continue
        elif token in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class RefuseNulInUrl:
    """Answer 422 for a URL carrying a NUL character, which no id or filter may contain."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and ("\x00" in scope["path"] or b"%00" in scope["query_string"].lower()):
            refusal = problem(
                422,
                "Invalid request",
                "the URL contains a NUL character",
                code="validation_failed",
                errors=[{"field": "url", "message": "contains NUL"}],
            )
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)


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
