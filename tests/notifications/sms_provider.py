"""A Twilio-style SMS API on a local port, for tests: it records every request and answers as scripted.

Like a real idempotent provider, a repeated `Idempotency-Key` gets the first answer and no second message:
`messages` holds each delivered message once, `requests` every request that arrived.
"""

from __future__ import annotations

import asyncio
import socket
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import uvicorn
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from tenacity import wait_none

from masu.clock import Clock
from masu.config import Settings
from masu.notifications.providers import Providers, build_providers

MESSAGES_PATH = "/2010-04-01/Accounts/AC1/Messages.json"


@dataclass
class SeenRequest:
    """One request as the provider received it, and the status it answered."""

    idempotency_key: str | None
    authorization: str | None
    form: dict[str, str]
    status: int = 0


@dataclass
class FakeSmsProvider:
    """The provider's behaviour: `down` answers 503 to everything; `script` answers the next requests.

    A script entry is an HTTP status to answer with, or a float: seconds to wait before answering normally
    (longer than the client's timeout, it is a timeout).
    """

    url: str = ""
    down: bool = False
    script: list[int | float] = field(default_factory=list)
    requests: list[SeenRequest] = field(default_factory=list)
    messages: dict[str, str] = field(default_factory=dict)  # idempotency key -> sid

    def accepted_keys(self) -> Counter[str | None]:
        """How many requests of each idempotency key were answered with success."""
        return Counter(r.idempotency_key for r in self.requests if r.status == 201)

    async def handle(self, request: Request) -> JSONResponse:
        form = {key: str(value) for key, value in (await request.form()).items()}
        seen = SeenRequest(request.headers.get("idempotency-key"), request.headers.get("authorization"), form)
        self.requests.append(seen)
        status = 503 if self.down else 201
        if not self.down and self.script:
            step = self.script.pop(0)
            if isinstance(step, float):
                await asyncio.sleep(step)
            else:
                status = step
        seen.status = status
        if status != 201:
            return JSONResponse({"code": status, "message": "scripted failure"}, status_code=status)
        key = seen.idempotency_key or f"no-key-{len(self.requests)}"
        sid = self.messages.setdefault(key, f"SM{len(self.messages) + 1:032x}")
        return JSONResponse({"sid": sid, "to": form.get("To"), "status": "queued"}, status_code=201)


@asynccontextmanager
async def running_sms_provider() -> AsyncIterator[FakeSmsProvider]:
    """Serve a FakeSmsProvider on a free localhost port for the duration of the block."""
    provider = FakeSmsProvider()
    app = Starlette(routes=[Route(MESSAGES_PATH, provider.handle, methods=["POST"])])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    provider.url = f"http://127.0.0.1:{sock.getsockname()[1]}{MESSAGES_PATH}"
    try:
        yield provider
    finally:
        server.should_exit = True
        await task
        sock.close()


def provider_settings(**overrides: object) -> Settings:
    """Settings of the message providers only (no database is touched), with the test's overrides."""
    values: dict[str, object] = {"NODE_ENV": "test", "SMS_TIMEOUT_SECONDS": 0.3, **overrides}
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def http_providers(
    provider: FakeSmsProvider, clock: Clock, *, redis: Redis | None = None, **overrides: object
) -> Providers:
    """Providers whose SMS goes to `provider`, retried without waiting (the waits are not under test)."""
    settings = provider_settings(SMS_BACKEND="http", SMS_API_URL=provider.url, **overrides)
    return build_providers(settings, clock=clock, redis=redis, retry_wait=wait_none())
