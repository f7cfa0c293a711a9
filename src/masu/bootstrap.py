"""Composition root: builds the engine, sessions, clock, cache and policies from Settings."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import timedelta

from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from masu.clock import Clock, ShiftedClock, SystemClock
from masu.config import Settings
from masu.domain.reviews import ReviewSchedule
from masu.events.bus import BookingEventBus
from masu.events.dispatcher import Dispatcher, RetryPolicy
from masu.notifications.delivery import DeliveryPolicy
from masu.notifications.providers import Providers, build_providers
from masu.payments.factory import build_gateway
from masu.payments.gateway import PaymentGateway
from masu.persistence.cache import Cache, MemoryCache, RedisCache, key_prefix_for
from masu.persistence.database import create_engine, create_session_factory
from masu.services.account.accounts import Passwords
from masu.services.account.login_throttle import LoginGuard
from masu.services.account.phone_codes import PhoneCodePolicy
from masu.services.dispatch.handlers import subscribe_dispatch
from masu.services.notification.handlers import subscribe_notifications
from masu.services.notification.messages import NotificationPolicy, parse_reminder_hours
from masu.services.payment.handlers import subscribe_refunds
from masu.services.policy import BookingPolicy
from masu.services.professional.handlers import subscribe_standing
from masu.services.review.handlers import subscribe_review_cycle
from masu.services.throttle import Throttle, ThrottleKind, ThrottlePolicy

# A throttle check waits at most this long for Redis before letting the request through.
THROTTLE_REDIS_TIMEOUT_SECONDS = 0.5


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
    providers: Providers = field(init=False)
    gateway: PaymentGateway = field(init=False)
    phone_codes: PhoneCodePolicy = field(init=False)
    throttle: Throttle = field(init=False)
    login_guard: LoginGuard = field(init=False)

    def __post_init__(self) -> None:
        self.gateway = build_gateway(self.settings, sessions=self.sessions, clock=self.clock)
        self.policy = booking_policy(self.settings)
        self.phone_codes = phone_code_policy(self.settings)
        self.passwords = Passwords(
            time_cost=self.settings.PASSWORD_HASH_TIME_COST, memory_kib=self.settings.PASSWORD_HASH_MEMORY_KIB
        )
        self.providers = build_providers(self.settings, clock=self.clock, redis=self.redis)
        self.throttle = Throttle(throttle_storage(self.settings), throttle_policy(self.settings))
        self.login_guard = LoginGuard(self.throttle)

    async def close(self) -> None:
        """Release the database pool and the Redis connection."""
        await self.engine.dispose()
        await self.providers.aclose()
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
        payment_gateway=settings.PAYMENT_GATEWAY,
        payment_timeout=timedelta(minutes=settings.PAYMENT_TIMEOUT_MINUTES),
        on_way_lead=timedelta(minutes=settings.ON_WAY_EARLIEST_MINUTES),
    )


def throttle_policy(settings: Settings) -> ThrottlePolicy:
    """Each throttled action's rate and the log-in lock's growth."""
    return ThrottlePolicy(
        rates={
            ThrottleKind.LOGIN_FAILURE_PHONE: settings.LOGIN_FAILURES_PER_PHONE,
            ThrottleKind.LOGIN_FAILURE_ADDRESS: settings.LOGIN_FAILURES_PER_ADDRESS,
            ThrottleKind.SIGNUP_ADDRESS: settings.SIGNUPS_PER_ADDRESS,
            ThrottleKind.CODE_SEND_PHONE: settings.CODE_SENDS_PER_PHONE,
            ThrottleKind.CODE_SEND_ADDRESS: settings.CODE_SENDS_PER_ADDRESS,
        },
        lock_seconds=settings.LOGIN_LOCK_SECONDS,
        lock_max_seconds=settings.LOGIN_LOCK_MAX_SECONDS,
        lock_memory_seconds=settings.LOGIN_LOCK_MEMORY_SECONDS,
    )


def throttle_storage(settings: Settings) -> Storage:
    """`limits`' async Redis storage (through redis-py) when REDIS_URL is set; process memory otherwise."""
    if not settings.REDIS_URL:
        return MemoryStorage()
    timeout = THROTTLE_REDIS_TIMEOUT_SECONDS
    return RedisStorage(
        "async+" + settings.REDIS_URL.replace("unix://", "redis+unix://", 1),
        implementation="redispy",
        wrap_exceptions=True,  # a dead Redis raises StorageError, which the throttle lets through
        key_prefix=key_prefix_for(settings.DATABASE_URL) + "throttle",  # one deployment's counts only
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
    )


def retry_policy(settings: Settings) -> RetryPolicy:
    """How the dispatcher retries failed handlers and re-leases work of dead workers."""
    return RetryPolicy(
        max_attempts=settings.OUTBOX_MAX_ATTEMPTS, lease=timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    )


def event_dispatcher(container: Container, bus: BookingEventBus) -> Dispatcher:
    """The outbox dispatcher of `bus`, on the container's sessions and clock, retrying as OUTBOX_* say."""
    return Dispatcher(container.sessions, bus, clock=container.clock, policy=retry_policy(container.settings))


def delivery_policy(settings: Settings) -> DeliveryPolicy:
    """How queued messages are retried, and the quiet hours of non-urgent SMS."""
    return DeliveryPolicy(
        max_attempts=settings.NOTIFICATION_MAX_ATTEMPTS,
        quiet_start=settings.QUIET_HOURS_START,
        quiet_end=settings.QUIET_HOURS_END,
    )


def notification_policy(settings: Settings) -> NotificationPolicy:
    """Links in messages, the quiet hours of non-urgent SMS and the visit reminders' lead times."""
    return NotificationPolicy(
        public_base_url=settings.PUBLIC_BASE_URL,
        secret_key=settings.SECRET_KEY,
        quiet_start=settings.QUIET_HOURS_START,
        quiet_end=settings.QUIET_HOURS_END,
        reminder_hours=parse_reminder_hours(settings.VISIT_REMINDER_HOURS),
        max_sms_per_unverified_number_per_day=settings.MAX_SMS_PER_UNVERIFIED_NUMBER_PER_DAY,
    )


def phone_code_policy(settings: Settings) -> PhoneCodePolicy:
    """The key phone codes are hashed under and how many one phone may be sent a day."""
    return PhoneCodePolicy(secret_key=settings.SECRET_KEY, max_per_day=settings.MAX_PHONE_CODES_PER_DAY)


def review_schedule(settings: Settings) -> ReviewSchedule:
    """When the review request's reminders fall due and the review window closes."""
    return ReviewSchedule(
        first_reminder_after=timedelta(hours=settings.REVIEW_FIRST_REMINDER_HOURS),
        second_reminder_after=timedelta(days=settings.REVIEW_SECOND_REMINDER_DAYS),
        final_reminder_after=timedelta(days=settings.REVIEW_FINAL_REMINDER_DAYS),
        close_after=timedelta(days=settings.REVIEW_WINDOW_CLOSE_DAYS),
    )


def load_handler_plugins(bus: BookingEventBus, specs: str) -> None:
    """Call each `module:function` named in EVENT_HANDLER_PLUGINS with the bus to subscribe extra handlers."""
    for spec in filter(None, (part.strip() for part in specs.split(","))):
        module_name, _, function_name = spec.partition(":")
        register = getattr(importlib.import_module(module_name), function_name)
        register(bus)


def _redis(settings: Settings) -> Redis | None:
    """The Redis client (REDIS_URL): short timeouts and one immediate retry, so a dead one fails fast."""
    if not settings.REDIS_URL:
        return None
    timeout = settings.REDIS_TIMEOUT_SECONDS
    # The default retries 3 times with backoff up to 10 s; one retry covers a reset connection.
    return Redis.from_url(
        settings.REDIS_URL,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 1),
    )


def _wall_clock(settings: Settings) -> Clock:
    """The system clock, or in a NODE_ENV=test server the one its test moves."""
    if settings.TEST_CLOCK_OFFSET_FILE is not None:
        return ShiftedClock(settings.TEST_CLOCK_OFFSET_FILE)
    return SystemClock()


def build_container(settings: Settings | None = None, *, clock: Clock | None = None) -> Container:
    """Wire the process's dependencies; Redis backs the cache when REDIS_URL is set."""
    settings = settings or Settings()
    engine = create_engine(settings.DATABASE_URL)
    redis = _redis(settings)
    cache: Cache = (
        RedisCache(redis, key_prefix_for(settings.DATABASE_URL)) if redis is not None else MemoryCache()
    )
    container = Container(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine, cache=cache),
        clock=clock or _wall_clock(settings),
        cache=cache,
        redis=redis,
    )
    subscribe_dispatch(container.bus, container.policy, container.clock)
    subscribe_standing(container.bus, container.clock)
    subscribe_refunds(container.bus, container.gateway, container.clock)
    subscribe_review_cycle(container.bus, container.clock, review_schedule(settings))
    subscribe_notifications(container.bus, container.clock, notification_policy(settings))
    load_handler_plugins(container.bus, settings.EVENT_HANDLER_PLUGINS)
    return container
