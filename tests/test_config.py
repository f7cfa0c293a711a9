"""Settings: defaults, and production refusing development secrets."""

from __future__ import annotations

import pytest

from masu.config import DEVELOPMENT_SECRET, InsecureConfiguration, Settings


def test_defaults_follow_the_seed_and_the_booking_rules() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.MAX_PROFESSIONAL_RESPONSES == 5
    assert settings.PROFESSIONAL_RESPONSE_TIMEOUT_MINUTES == 15
    assert (settings.MIN_BOOKING_LEAD_HOURS, settings.MAX_BOOKING_HORIZON_DAYS) == (2, 30)
    assert (settings.MAX_BOOKINGS_PER_HOUR, settings.CANCELLATION_CUTOFF_HOURS) == (5, 2)
    assert settings.DATABASE_URL == "sqlite+aiosqlite:///./var/masu.db"


@pytest.mark.parametrize("secret", [DEVELOPMENT_SECRET, "short-but-random"])
def test_production_refuses_a_weak_secret(secret: str) -> None:
    with pytest.raises(InsecureConfiguration, match="SECRET_KEY"):
        Settings(_env_file=None, NODE_ENV="production", SECRET_KEY=secret)  # type: ignore[call-arg]


def test_production_starts_with_a_real_secret() -> None:
    settings = Settings(_env_file=None, NODE_ENV="production", SECRET_KEY="x" * 40)  # type: ignore[call-arg]
    assert settings.is_production


def test_environment_variables_use_the_seed_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_PROFESSIONAL_RESPONSES", "7")
    monkeypatch.setenv("ENABLE_AUTOMATIC_REVIEWS", "false")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.MAX_PROFESSIONAL_RESPONSES, settings.ENABLE_AUTOMATIC_REVIEWS) == (7, False)
