"""Composition root: builds the engine, sessions, clock, cache and policies from Settings."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import timedelta

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from masu.clock import Clock, SystemClock
from masu.config import Settings
from masu.events.bus import BookingEventBus
from masu.events.dispatcher import RetryPolicy
from masu.persistence.cache import Cache, MemoryCache, RedisCache
from masu.persistence.database import create_engine, create_session_factory
from masu.services.accounts import Passwords
from masu.services.dispatch_handlers import subscribe_dispatch
from masu.services.policy import BookingPolicy
from masu.services.standing_handlers import subscribe_standing


@dataclass
class Container:
    """Everything a request or a worker pass needs, built once per process."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    cache: Cache
    redis: Redis | None = None
    bus: BookingEventBus = field(default_factory=BookingEventBus)
    policy: BookingPolicy = field(init=False)
    passwords: Passwords = field(init=False)

    def __post_init__(self) -> None:
        self.policy = booking_policy(self.settings)
        self.passwords = Passwords(
            time_cost=self.settings.PASSWORD_HASH_TIME_COST, memory_kib=self.settings.PASSWORD_HASH_MEMORY_KIB
        )

    async def close(self) -> None:
        """Release the database pool and the Redis connection."""
        await self.engine.dispose()
        if self.redis is not None:
            await self.redis.aclose()


def booking_policy(settings: Settings) -> BookingPolicy:
    """Translate settings into the rules the booking services enforce."""
    return BookingPolicy(
        min_lead=timedelta(hours=settings.MIN_BOOKING_LEAD_HOURS),
        max_horizon=timedelta(days=settings.MAX_BOOKING_HORIZON_DAYS),
        max_bookings_per_hour=settings.MAX_BOOKINGS_PER_HOUR,
        cancellation_cutoff=timedelta(hours=settings.CANCELLATION_CUTOFF_HOURS),
        payment_gateway_enabled=settings.PAYMENT_GATEWAY != "none",
        reviews_enabled=settings.ENABLE_AUTOMATIC_REVIEWS,
        matching_enabled=settings.ENABLE_PROFESSIONAL_MATCHING,
        wave_size=settings.MAX_PROFESSIONAL_RESPONSES,
        offer_timeout=timedelta(minutes=settings.PROFESSIONAL_RESPONSE_TIMEOUT_MINUTES),
    )


def retry_policy(settings: Settings) -> RetryPolicy:
    """How the dispatcher retries failed handlers and re-leases work of dead workers."""
    return RetryPolicy(
        max_attempts=settings.OUTBOX_MAX_ATTEMPTS, lease=timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    )


def load_handler_plugins(bus: BookingEventBus, specs: str) -> None:
    """Call each `module:function` named in EVENT_HANDLER_PLUGINS with the bus to subscribe extra handlers."""
    for spec in filter(None, (part.strip() for part in specs.split(","))):
        module_name, _, function_name = spec.partition(":")
        register = getattr(importlib.import_module(module_name), function_name)
        register(bus)


def build_container(settings: Settings | None = None, *, clock: Clock | None = None) -> Container:
    """Wire the process's dependencies; Redis backs the cache when REDIS_URL is set."""
    settings = settings or Settings()
    engine = create_engine(settings.DATABASE_URL)
    redis = Redis.from_url(settings.REDIS_URL) if settings.REDIS_URL else None
    cache: Cache = RedisCache(redis) if redis is not None else MemoryCache()
    container = Container(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine),
        clock=clock or SystemClock(),
        cache=cache,
        redis=redis,
    )
    subscribe_dispatch(container.bus, container.policy, container.clock)
    subscribe_standing(container.bus, container.clock)
    load_handler_plugins(container.bus, settings.EVENT_HANDLER_PLUGINS)
    return container
