"""A small key-value cache with TTLs: Redis when configured, process memory otherwise."""

from __future__ import annotations

import hashlib
import os
import time
from typing import Protocol

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.engine import make_url

from masu.observability.metrics import CACHE_ERRORS

_log = structlog.get_logger(__name__)


class Cache(Protocol):
    """Text values under string keys, each with a time to live."""

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str, ttl_seconds: int) -> None: ...

    async def delete(self, *keys: str) -> None: ...

    async def ping(self) -> bool: ...


class MemoryCache:
    """A per-process cache for a single server (the embedded setup)."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[float, str]] = {}

    async def get(self, key: str) -> str | None:
        """Return the live value under `key`, if any."""
        item = self._items.get(key)
        if item is None or item[0] <= time.monotonic():
            self._items.pop(key, None)
            return None
        return item[1]

    async def set(self, key: str, value: str, ttl_seconds: int) -> None:
        """Store `value` for `ttl_seconds`."""
        self._items[key] = (time.monotonic() + ttl_seconds, value)

    async def delete(self, *keys: str) -> None:
        """Forget the given keys."""
        for key in keys:
            self._items.pop(key, None)

    async def ping(self) -> bool:
        """Always reachable."""
        return True


def key_prefix_for(database_url: str) -> str:
    """`masu:<hash of the database host, port, name>:`, so deployments sharing a Redis never meet."""
    url = make_url(database_url)
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database not in ("", ":memory:"):
        database = os.path.abspath(database)
    identity = f"{url.get_backend_name()}://{url.host or ''}:{url.port or ''}/{database}"
    return f"masu:{hashlib.sha256(identity.encode()).hexdigest()[:12]}:"


class RedisCache:
    """A cache shared by every server process through Redis; a failing Redis is a miss, never an error."""

    def __init__(self, client: Redis, prefix: str = "masu:") -> None:
        self._client = client
        self._prefix = prefix

    async def get(self, key: str) -> str | None:
        """Return the value under `key`, if any (one Redis round trip; None when Redis fails)."""
        try:
            value = await self._client.get(self._prefix + key)
        except (RedisError, OSError) as exc:
            _failed("get", exc)
            return None
        return value.decode() if isinstance(value, bytes) else value

    async def set(self, key: str, value: str, ttl_seconds: int) -> None:
        """Store `value` for `ttl_seconds` (one Redis round trip; skipped when Redis fails)."""
        try:
            await self._client.set(self._prefix + key, value, ex=ttl_seconds)
        except (RedisError, OSError) as exc:
            _failed("set", exc)

    async def delete(self, *keys: str) -> None:
        """Forget the given keys (one Redis round trip; logged when Redis fails)."""
        if not keys:
            return
        try:
            await self._client.delete(*(self._prefix + key for key in keys))
        except (RedisError, OSError) as exc:
            _failed("delete", exc)

    async def ping(self) -> bool:
        """True when Redis answers."""
        try:
            return bool(await self._client.ping())
        except (RedisError, OSError) as exc:
            _failed("ping", exc)
            return False


def _failed(operation: str, exc: Exception) -> None:
    # Reads fall back to the database; a failed delete may leave a stale entry until its TTL, so say so.
    CACHE_ERRORS.labels(operation=operation).inc()
    _log.warning("cache_unavailable", operation=operation, error=f"{type(exc).__name__}: {exc}"[:300])
