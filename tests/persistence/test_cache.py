"""The cache behaves the same in memory and in a real Redis; admin edits reach the public catalogue."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
import sqlalchemy as sa
from redis.asyncio import Redis

from masu.bootstrap import Container
from masu.persistence.cache import Cache, MemoryCache, RedisCache
from masu.persistence.models import Treatment
from masu.services.catalogue.catalogue import catalogue_changed
from tests.conftest import redis_url


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[Cache]:
    if request.param == "memory":
        yield MemoryCache()
        return
    client = Redis.from_url(redis_url())
    yield RedisCache(client, prefix=f"test:{uuid.uuid4().hex}:")
    await client.aclose()


async def test_set_get_delete_and_expiry(cache: Cache) -> None:
    assert await cache.get("k") is None
    await cache.set("k", "v", ttl_seconds=60)
    await cache.set("short", "v", ttl_seconds=1)
    assert await cache.get("k") == "v"
    await cache.delete("k", "missing")
    assert await cache.get("k") is None
    await asyncio.sleep(1.1)  # the TTL itself is what is under test here
    assert await cache.get("short") is None
    assert await cache.ping()


async def test_public_treatments_are_cached_until_a_catalogue_change_commits(
    client: httpx.AsyncClient, container: Container
) -> None:
    first = (await client.get("/api/v1/treatments")).json()
    async with container.sessions() as session:
        await session.execute(sa.update(Treatment).values(name=Treatment.name + " Deluxe"))
        await session.commit()  # a write that does not say it changed the catalogue leaves the cache alone
    assert (await client.get("/api/v1/treatments")).json() == first
    async with container.sessions() as session:
        catalogue_changed(session)
        await session.rollback()  # a change that never commits keeps the cache
    assert (await client.get("/api/v1/treatments")).json() == first
    async with container.sessions() as session:
        catalogue_changed(session)
        assert (await client.get("/api/v1/treatments")).json() == first  # stale only once it commits
        await session.commit()
    renamed = [t["name"] for t in (await client.get("/api/v1/treatments")).json()]
    assert renamed == [t["name"] + " Deluxe" for t in first]
