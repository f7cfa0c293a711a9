"""Test databases built by the migrations (SQLite always, PostgreSQL when configured), the clock, a client."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from masu.bootstrap import Container, build_container
from masu.clock import SettableClock
from masu.config import Settings
from masu.persistence.database import create_engine, create_session_factory, upgrade_database
from masu.services.accounts import Passwords
from masu.services.demo_data import load_demo_data
from masu.web.app import create_app
from tests.workers import worker_redis_url

# The tests' "now": a Tuesday morning in Israel (10:00 local), so visits can be booked hours and days ahead.
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
REQUIRE_SERVICES = os.environ.get("MASU_TEST_REQUIRE_SERVICES") == "1"
# Production-strength Argon2 takes ~0.15 s a login on this hardware; the tests log in thousands of times.
CHEAP_PASSWORD_HASHING = {"PASSWORD_HASH_TIME_COST": 1, "PASSWORD_HASH_MEMORY_KIB": 1024}
TEST_PASSWORDS = Passwords(time_cost=1, memory_kib=1024)
# A SECRET_KEY production accepts (shaped like `secrets.token_urlsafe(32)`), for tests run as production.
STRONG_SECRET = "kZ3r9Qe7LwX1pT5vB8nH2mJ6cF0yD4sA-Ug_oRiEtWq"


def service_unavailable(what: str) -> None:
    """Skip a test that needs `what`; fail it instead when CI requires every service."""
    message = f"{what} is not configured"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message}, and MASU_TEST_REQUIRE_SERVICES=1 requires it")
    pytest.skip(message)


def postgres_base_url() -> str:
    """The PostgreSQL URL the tests may use to create databases (MASU_TEST_DATABASE_URL)."""
    url = os.environ.get("MASU_TEST_DATABASE_URL")
    if not url:
        service_unavailable("PostgreSQL (MASU_TEST_DATABASE_URL)")
    assert url is not None
    return url


def redis_url() -> str:
    """The Redis URL the tests may use (MASU_TEST_REDIS_URL), in this worker's own database of that Redis."""
    url = os.environ.get("MASU_TEST_REDIS_URL")
    if not url:
        service_unavailable("Redis (MASU_TEST_REDIS_URL)")
    assert url is not None
    return worker_redis_url(url)


def settings_for(database_url: str, **overrides: object) -> Settings:
    """Settings for a test: the given database, no Redis, the test environment."""
    values: dict[str, object] = {
        "DATABASE_URL": database_url,
        "NODE_ENV": "test",
        "REDIS_URL": None,
        **CHEAP_PASSWORD_HASHING,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def _seed(url: str) -> None:
    engine = create_engine(url)
    async with create_session_factory(engine)() as session:
        await load_demo_data(session, now=NOW, passwords=TEST_PASSWORDS)
        await session.commit()
    await engine.dispose()


def _admin_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin_sql(url: str, *statements: str) -> None:
    connection = await asyncpg.connect(_admin_dsn(url))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated and loaded with the demo data, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "masu.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade_database(url)
    asyncio.run(_seed(url))
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A PostgreSQL database migrated and loaded with the demo data, cloned for each test."""
    base = postgres_base_url()
    name = f"masu_template_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin_sql(base, f"CREATE DATABASE {name}"))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_database(url)
        asyncio.run(_seed(url))
        yield name
    finally:
        asyncio.run(_admin_sql(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def _postgres_clone(template: str) -> Iterator[str]:
    base = postgres_base_url()
    name = f"masu_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin_sql(base, f"CREATE DATABASE {name} TEMPLATE {template}"))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin_sql(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh migrated database with the demo data, on each backend."""
    if request.param == "sqlite":
        target = tmp_path / "masu.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite+aiosqlite:///{target}"
    else:
        yield from _postgres_clone(request.getfixturevalue("postgres_template"))


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh migrated PostgreSQL database with the demo data (for PostgreSQL-only tests)."""
    yield from _postgres_clone(request.getfixturevalue("postgres_template"))


@pytest.fixture
def clock() -> SettableClock:
    """The clock every service in the test reads."""
    return SettableClock(NOW)


@pytest.fixture
async def container(database_url: str, clock: SettableClock) -> AsyncIterator[Container]:
    """The application's dependencies wired to the test database and clock."""
    built = build_container(settings_for(database_url), clock=clock)
    yield built
    await built.close()


@pytest.fixture
async def client(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in-process."""
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://masu.test") as http:
        yield http
