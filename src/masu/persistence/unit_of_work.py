"""The unit of work: a session that, once its transaction commits, forgets the cache entries made stale."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.cache import Cache

_CACHE = "masu.cache"
_STALE_KEYS = "masu.stale_cache_keys"


class UnitOfWork(AsyncSession):
    """An AsyncSession whose commit also drops the cache keys marked stale in its transaction."""

    async def commit(self) -> None:
        """Commit, then delete the stale keys from the cache (a rolled-back change keeps the cache)."""
        await super().commit()
        keys = self.info.pop(_STALE_KEYS, set())
        cache: Cache | None = self.info.get(_CACHE)
        if keys and cache is not None:
            await cache.delete(*sorted(keys))

    async def rollback(self) -> None:
        """Roll back and forget the stale marks: nothing they described was written."""
        self.info.pop(_STALE_KEYS, None)
        await super().rollback()


def forget_after_commit(session: AsyncSession, *keys: str) -> None:
    """Mark cache keys stale: the unit of work deletes them once this transaction commits."""
    session.info.setdefault(_STALE_KEYS, set()).update(keys)


def session_info(cache: Cache | None) -> dict[str, Any]:
    """What every session of a factory carries: the cache its commits keep fresh."""
    return {_CACHE: cache} if cache is not None else {}
