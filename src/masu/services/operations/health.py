"""Health checks: the database, and Redis when it is configured."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from masu.persistence.database import ping_database
from masu.persistence.repositories import outbox as outbox_repository

CHECK_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True, slots=True)
class HealthReport:
    """Overall status and each check's result."""

    healthy: bool
    details: dict[str, Any] = field(default_factory=dict)


async def check_health(engine: AsyncEngine, redis: Redis | None) -> HealthReport:
    """Run every check with a timeout; healthy only if all pass."""
    checks = {"database": ping_database(engine)}
    if redis is not None:
        checks["redis"] = _check_redis(redis)
    results = await asyncio.gather(*(_timed(check) for check in checks.values()))
    details = dict(zip(checks, results, strict=True))
    return HealthReport(healthy=all(r["status"] == "up" for r in results), details=details)


async def _timed(check: Any) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        await asyncio.wait_for(check, CHECK_TIMEOUT_SECONDS)
    except Exception as exc:  # any failure of a dependency is reported, never raised
        return {"status": "down", "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"status": "up", "latencyMs": round((loop.time() - started) * 1000, 1)}


async def _check_redis(redis: Redis) -> None:
    if not await redis.ping():
        raise ConnectionError("no PONG")


STALE_AFTER_SECONDS = 60


async def worker_status(sessions: async_sessionmaker[AsyncSession], now: datetime) -> dict[str, Any]:
    """The freshest worker heartbeat: `up`, `stale` (none for a minute) or `none` (never seen)."""
    async with sessions() as session:
        heartbeat = await outbox_repository.latest_heartbeat(session)
    if heartbeat is None:
        return {"status": "none"}
    age = (now - heartbeat.last_seen_at).total_seconds()
    return {
        "status": "up" if age <= STALE_AFTER_SECONDS else "stale",
        "workerId": heartbeat.worker_id,
        "lastSeenAt": heartbeat.last_seen_at.isoformat(),
        "ageSeconds": round(age, 1),
    }
