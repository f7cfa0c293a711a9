"""Two deployments sharing one Redis count their throttles apart (keys under each database's namespace)."""

from __future__ import annotations

from limits import parse
from limits.aio.strategies import MovingWindowRateLimiter

from masu.bootstrap import throttle_storage
from masu.config import Settings
from tests.redis_server import own_redis

LIMIT = parse("2/minute")


async def test_a_phone_locked_in_one_deployment_is_free_in_another_on_the_same_redis() -> None:
    with own_redis() as server:
        production, staging = (
            MovingWindowRateLimiter(
                throttle_storage(Settings(_env_file=None, REDIS_URL=server.url, DATABASE_URL=url))  # type: ignore[call-arg]
            )
            for url in ("postgresql+asyncpg://db/masu", "postgresql+asyncpg://db/masu_staging")
        )
        production_hits = [await production.hit(LIMIT, "login", "+972521234567") for _ in range(3)]
        staging_hit = await staging.hit(LIMIT, "login", "+972521234567")

    assert production_hits == [True, True, False]
    assert staging_hit is True
