"""Settings: one class, read from the environment with the seed's variable names."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from limits import parse
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from masu.secret_strength import secret_weakness

DEVELOPMENT_SECRET = "development-only-secret-never-use-in-production"


class InsecureConfiguration(RuntimeError):
    """Production was asked to start with a setting that is only safe in development."""


class Settings(BaseSettings):
    """Every setting of the system; see README.md for what each one does."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=True)

    NODE_ENV: Literal["development", "test", "production"] = "development"
    PORT: int = 8000
    DATABASE_URL: str = "sqlite+aiosqlite:///./var/masu.db"
    REDIS_URL: str | None = None
    # A dead or frozen Redis must cost a request milliseconds, not the client's default of 5 s per try.
    REDIS_TIMEOUT_SECONDS: float = Field(default=0.5, gt=0)
    SECRET_KEY: str = DEVELOPMENT_SECRET
    ACCESS_TOKEN_TTL_MINUTES: int = Field(default=12 * 60, ge=1)
    PASSWORD_HASH_TIME_COST: int = Field(default=3, ge=1)
    PASSWORD_HASH_MEMORY_KIB: int = Field(default=65536, ge=1024)

    # Throttles, in `limits` notation ("5/15 minutes"): counted in Redis when REDIS_URL is set, else in
    # process memory. Log-in failures per phone lead to a lock of LOGIN_LOCK_SECONDS that doubles with each
    # further lock up to LOGIN_LOCK_MAX_SECONDS (remembered LOGIN_LOCK_MEMORY_SECONDS, or until a log-in).
    LOGIN_FAILURES_PER_PHONE: str = "5/15 minutes"
    LOGIN_FAILURES_PER_ADDRESS: str = "30/15 minutes"
    LOGIN_LOCK_SECONDS: int = Field(default=60, ge=1)
    LOGIN_LOCK_MAX_SECONDS: int = Field(default=3600, ge=1)
    LOGIN_LOCK_MEMORY_SECONDS: int = Field(default=24 * 3600, ge=1)
    SIGNUPS_PER_ADDRESS: str = "10/hour"
    CODE_SENDS_PER_PHONE: str = "5/hour"
    CODE_SENDS_PER_ADDRESS: str = "20/hour"
    # Proxies (addresses or CIDRs, comma-separated) whose X-Forwarded-For names the client; none by default.
    TRUSTED_PROXIES: str = ""

    # Links in messages (offer links, review links, payment pages) start with this.
    PUBLIC_BASE_URL: str = "http://127.0.0.1:8000"

    SMS_API_KEY: str | None = None
    EMAIL_API_KEY: str | None = None
    PAYMENT_GATEWAY_KEY: str | None = None
    SMS_BACKEND: Literal["http", "console", "memory"] = "console"
    EMAIL_BACKEND: Literal["smtp", "console", "memory"] = "console"
    # SMS over a Twilio-style REST API (SMS_BACKEND=http): messages are POSTed here with SMS_API_KEY.
    SMS_API_URL: str | None = None
    SMS_SENDER: str = "Masu"
    SMS_TIMEOUT_SECONDS: float = Field(default=5.0, gt=0)
    # Email over SMTP (EMAIL_BACKEND=smtp); EMAIL_API_KEY is the SMTP password when EMAIL_PASSWORD is unset.
    EMAIL_HOST: str = "localhost"
    EMAIL_PORT: int = Field(default=587, ge=1, le=65535)
    EMAIL_USERNAME: str | None = None
    EMAIL_PASSWORD: str | None = None
    EMAIL_FROM: str = "Masu <no-reply@masu.example>"
    EMAIL_STARTTLS: bool = True
    EMAIL_TIMEOUT_SECONDS: float = Field(default=10.0, gt=0)
    # Every provider call: tenacity retries on transient errors, then a circuit breaker per provider.
    PROVIDER_RETRY_ATTEMPTS: int = Field(default=3, ge=1)
    BREAKER_FAILURE_THRESHOLD: int = Field(default=5, ge=1)
    BREAKER_RESET_SECONDS: int = Field(default=60, ge=1)
    NOTIFICATION_MAX_ATTEMPTS: int = Field(default=8, ge=1)
    # No SMS of a non-urgent kind in these local hours (held until the end).
    QUIET_HOURS_START: int = Field(default=22, ge=0, le=23)
    QUIET_HOURS_END: int = Field(default=8, ge=0, le=23)
    VISIT_REMINDER_HOURS: str = "24,2"
    # SMS a day to a number that is no verified account's (the person a booking is for); more are held back.
    MAX_SMS_PER_UNVERIFIED_NUMBER_PER_DAY: int = Field(default=3, ge=0)
    # Verification and log-in codes one phone may be sent a day (one a minute at most).
    MAX_PHONE_CODES_PER_DAY: int = Field(default=5, ge=1)

    PAYMENT_GATEWAY: Literal["none", "sandbox"] = "none"
    PAYMENT_TIMEOUT_MINUTES: int = Field(default=30, ge=1)

    REVIEW_FIRST_REMINDER_HOURS: int = Field(default=24, ge=1)
    REVIEW_SECOND_REMINDER_DAYS: int = Field(default=3, ge=1)
    REVIEW_FINAL_REMINDER_DAYS: int = Field(default=7, ge=1)
    REVIEW_WINDOW_CLOSE_DAYS: int = Field(default=7, ge=1)

    ENABLE_PROFESSIONAL_MATCHING: bool = True
    ENABLE_AUTOMATIC_REVIEWS: bool = True
    MAX_PROFESSIONAL_RESPONSES: int = Field(default=5, ge=1)
    PROFESSIONAL_RESPONSE_TIMEOUT_MINUTES: int = Field(default=15, ge=1)

    MIN_BOOKING_LEAD_HOURS: int = Field(default=2, ge=0)
    MAX_BOOKING_HORIZON_DAYS: int = Field(default=30, ge=1)
    MAX_BOOKINGS_PER_HOUR: int = Field(default=5, ge=1)
    CANCELLATION_CUTOFF_HOURS: int = Field(default=2, ge=0)
    # How long before the visit a professional may mark it on the way (a day at most).
    ON_WAY_EARLIEST_MINUTES: int = Field(default=180, ge=30, le=24 * 60)
    # NODE_ENV=test only: a file holding seconds to add to the wall clock, so a test can move a live
    # server through a visit's day. Refused in any other environment.
    TEST_CLOCK_OFFSET_FILE: Path | None = None

    RUN_WORKER_IN_PROCESS: bool = True
    WORKER_POLL_SECONDS: float = Field(default=1.0, gt=0)
    OUTBOX_MAX_ATTEMPTS: int = Field(default=8, ge=1)
    OUTBOX_LEASE_SECONDS: int = Field(default=120, ge=1)
    EVENT_HANDLER_PLUGINS: str = ""

    SENTRY_DSN: str | None = None
    DATADOG_API_KEY: str | None = None
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    LOG_FORMAT: Literal["json", "console"] = "json"

    # /metrics tells anyone routes, volumes and error rates: in production it needs this bearer token, or
    # METRICS_PUBLIC=true where a private network already guards it.
    METRICS_TOKEN: str | None = None
    METRICS_PUBLIC: bool = False
    # /docs, /redoc and /openapi.json map every route for an attacker; production serves them only when asked.
    API_DOCS_PUBLIC: bool = False

    @field_validator(
        "LOGIN_FAILURES_PER_PHONE",
        "LOGIN_FAILURES_PER_ADDRESS",
        "SIGNUPS_PER_ADDRESS",
        "CODE_SENDS_PER_PHONE",
        "CODE_SENDS_PER_ADDRESS",
    )
    @classmethod
    def _a_rate(cls, value: str) -> str:
        parse(value)  # ValueError (a validation error) for anything `limits` cannot read
        return value

    @field_validator("TRUSTED_PROXIES")
    @classmethod
    def _networks(cls, value: str) -> str:
        _proxy_networks(value)  # ValueError for anything that is no address or network
        return value

    @property
    def trusted_proxies(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """TRUSTED_PROXIES as networks (a single address is a network of one)."""
        return _proxy_networks(self.TRUSTED_PROXIES)

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> Settings:
        if self.TEST_CLOCK_OFFSET_FILE is not None and self.NODE_ENV != "test":
            raise InsecureConfiguration("TEST_CLOCK_OFFSET_FILE moves the clock: NODE_ENV=test only")
        if not self.is_production:
            return self
        weakness = secret_weakness(self.SECRET_KEY)
        if weakness is not None:
            raise InsecureConfiguration(
                f"NODE_ENV=production refuses this SECRET_KEY: {weakness}; set a random value, e.g. "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        if self.METRICS_TOKEN is None and not self.METRICS_PUBLIC:
            raise InsecureConfiguration(
                "NODE_ENV=production needs METRICS_TOKEN (the bearer token Prometheus sends to /metrics), "
                "or METRICS_PUBLIC=true when /metrics is reachable only from a private network"
            )
        weakness = None if self.METRICS_TOKEN is None else secret_weakness(self.METRICS_TOKEN)
        if weakness is not None:
            raise InsecureConfiguration(f"NODE_ENV=production refuses this METRICS_TOKEN: {weakness}")
        return self

    @property
    def secret_key_warning(self) -> str | None:
        """Why SECRET_KEY would be refused in production (said at start-up outside it), or None."""
        if self.SECRET_KEY == DEVELOPMENT_SECRET:
            return "SECRET_KEY is the public development value: anyone can sign tokens, admin ones included"
        weakness = secret_weakness(self.SECRET_KEY)
        return None if weakness is None else f"SECRET_KEY is weak: {weakness}"

    @property
    def is_production(self) -> bool:
        """True when NODE_ENV=production turns the production checks on."""
        return self.NODE_ENV == "production"


def _proxy_networks(value: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip()
    )
