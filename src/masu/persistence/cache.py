"""A small key-value cache with TTLs: Redis when configured, process memory otherwise."""

from __future__ import annotations

import time
from typing import Protocol

from redis.asyncio import Redis


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


class RedisCache:
    """A cache shared by every server process through Redis."""

    def __init__(self, client: Redis, prefix: str = "masu:") -> None:
        self._client = client
        self._prefix = prefix

    async def get(self, key: str) -> str | None:
        """Return the value under `key`, if any (one Redis round trip)."""
        value = await self._client.get(self._prefix + key)
        return value.decode() if isinstance(value, bytes) else value

    async def set(self, key: str, value: str, ttl_seconds: int) -> None:
        """Store `value` for `ttl_seconds` (one Redis round trip)."""
        await self._client.set(self._prefix + key, value, ex=ttl_seconds)

    async def delete(self, *keys: str) -> None:
        """Forget the given keys (one Redis round trip)."""
        if keys:
            await self._client.delete(*(self._prefix + key for key in keys))

    async def ping(self) -> bool:
        """True when Redis answers."""
        return bool(await self._client.ping())
