"""Settings: one class, read from the environment with the seed's variable names."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    SECRET_KEY: str = DEVELOPMENT_SECRET
    ACCESS_TOKEN_TTL_MINUTES: int = Field(default=12 * 60, ge=1)
    PASSWORD_HASH_TIME_COST: int = Field(default=3, ge=1)
    PASSWORD_HASH_MEMORY_KIB: int = Field(default=65536, ge=1024)

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

    RUN_WORKER_IN_PROCESS: bool = True
    WORKER_POLL_SECONDS: float = Field(default=1.0, gt=0)
    OUTBOX_MAX_ATTEMPTS: int = Field(default=8, ge=1)
    OUTBOX_LEASE_SECONDS: int = Field(default=120, ge=1)
    EVENT_HANDLER_PLUGINS: str = ""

    SENTRY_DSN: str | None = None
    DATADOG_API_KEY: str | None = None
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    LOG_FORMAT: Literal["json", "console"] = "json"

    @model_validator(mode="after")
    def _refuse_development_secret_in_production(self) -> Settings:
        if self.is_production and (self.SECRET_KEY == DEVELOPMENT_SECRET or len(self.SECRET_KEY) < 32):
            raise InsecureConfiguration(
                "NODE_ENV=production needs SECRET_KEY set to a random value of at least 32 characters"
            )
        return self

    @property
    def is_production(self) -> bool:
        """True when NODE_ENV=production turns the production checks on."""
        return self.NODE_ENV == "production"
