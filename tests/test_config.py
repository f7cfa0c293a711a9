"""Settings: defaults, and production refusing weak secrets and unguarded operations endpoints."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from masu.clock import ShiftedClock
from masu.config import DEVELOPMENT_SECRET, InsecureConfiguration, Settings
from masu.secret_strength import estimated_entropy_bits, secret_weakness

# Secrets seen in real configuration files: each is refused in production.
WEAK_SECRETS = [
    DEVELOPMENT_SECRET,
    "a" * 32,
    " " * 34,
    "changeme-changeme-changeme-changeme-changeme",
    "changeme-" * 12,
    "x" * 40,
    "short-but-random",
    "my-super-secret-production-key-2026",
    "Password123!Password123!Password123!",
    "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ",
    "0123456789abcdef" * 4,
    "your-secret-key",
    "CHANGEME",
]


def _production(**values: object) -> Settings:
    return Settings(_env_file=None, NODE_ENV="production", **values)  # type: ignore[call-arg]


def test_defaults_follow_the_seed_and_the_booking_rules() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.MAX_PROFESSIONAL_RESPONSES == 5
    assert settings.PROFESSIONAL_RESPONSE_TIMEOUT_MINUTES == 15
    assert (settings.MIN_BOOKING_LEAD_HOURS, settings.MAX_BOOKING_HORIZON_DAYS) == (2, 30)
    assert (settings.MAX_BOOKINGS_PER_HOUR, settings.CANCELLATION_CUTOFF_HOURS) == (5, 2)
    assert settings.DATABASE_URL == "sqlite+aiosqlite:///./var/masu.db"


@pytest.mark.parametrize("secret", WEAK_SECRETS)
def test_production_refuses_a_weak_secret(secret: str) -> None:
    with pytest.raises(InsecureConfiguration, match="SECRET_KEY"):
        _production(SECRET_KEY=secret, METRICS_PUBLIC=True)


@pytest.mark.parametrize("secret", WEAK_SECRETS)
def test_the_estimate_puts_every_weak_secret_under_128_bits_or_names_it_a_placeholder(secret: str) -> None:
    assert secret_weakness(secret) is not None


def test_random_tokens_of_32_bytes_are_always_strong_enough() -> None:
    urlsafe = [estimated_entropy_bits(secrets.token_urlsafe(32)) for _ in range(500)]
    hexadecimal = [estimated_entropy_bits(secrets.token_hex(32)) for _ in range(500)]
    assert min(urlsafe) >= 128
    assert min(hexadecimal) >= 128


# Named by kind: the values are new in each process, and parallel workers must collect the same test ids.
@pytest.mark.parametrize(
    "secret", [secrets.token_urlsafe(32), secrets.token_hex(32)], ids=["token_urlsafe", "token_hex"]
)
def test_production_starts_with_a_real_secret(secret: str) -> None:
    settings = _production(SECRET_KEY=secret, METRICS_TOKEN=secrets.token_urlsafe(32))
    assert settings.is_production
    assert settings.secret_key_warning is None


def test_production_refuses_to_start_without_a_metrics_token_unless_metrics_are_public() -> None:
    secret = secrets.token_urlsafe(32)
    with pytest.raises(InsecureConfiguration, match="METRICS_TOKEN"):
        _production(SECRET_KEY=secret)
    with pytest.raises(InsecureConfiguration, match="METRICS_TOKEN"):
        _production(SECRET_KEY=secret, METRICS_TOKEN="metrics")
    assert _production(SECRET_KEY=secret, METRICS_PUBLIC=True).METRICS_TOKEN is None


def test_outside_production_a_weak_secret_is_named_not_refused() -> None:
    development = Settings(_env_file=None)  # type: ignore[call-arg]
    weak = Settings(_env_file=None, SECRET_KEY="a" * 32)  # type: ignore[call-arg]
    assert development.secret_key_warning is not None
    assert "development value" in development.secret_key_warning
    assert weak.secret_key_warning is not None
    assert "weak" in weak.secret_key_warning


def test_environment_variables_use_the_seed_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_PROFESSIONAL_RESPONSES", "7")
    monkeypatch.setenv("ENABLE_AUTOMATIC_REVIEWS", "false")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.MAX_PROFESSIONAL_RESPONSES, settings.ENABLE_AUTOMATIC_REVIEWS) == (7, False)


@pytest.mark.parametrize("environment", ["development", "production"])
def test_a_movable_clock_is_refused_outside_tests(environment: str, tmp_path: Path) -> None:
    strong = {"SECRET_KEY": secrets.token_urlsafe(48), "METRICS_PUBLIC": True}
    with pytest.raises(InsecureConfiguration, match="TEST_CLOCK_OFFSET_FILE"):
        Settings(NODE_ENV=environment, TEST_CLOCK_OFFSET_FILE=tmp_path / "offset", **strong)


def test_a_test_server_reads_its_clock_from_the_offset_file(tmp_path: Path) -> None:
    offset_file = tmp_path / "offset"
    clock = ShiftedClock(offset_file)
    before = datetime.now(UTC)
    unshifted = clock.now()
    offset_file.write_text(str(timedelta(days=2, hours=3).total_seconds()), encoding="ascii")
    shifted = clock.now()

    assert before <= unshifted <= datetime.now(UTC)
    assert timedelta(days=2, hours=3) <= shifted - before <= timedelta(days=2, hours=3, minutes=1)
    settings = Settings(NODE_ENV="test", TEST_CLOCK_OFFSET_FILE=offset_file)
    assert offset_file == settings.TEST_CLOCK_OFFSET_FILE
