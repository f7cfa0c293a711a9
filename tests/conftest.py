"""Test databases built by the migrations (SQLite always, PostgreSQL when configured), the clock, a client."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
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
from masu.services.account.accounts import Passwords
from masu.services.operations.demo_data import load_demo_data
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


# A test database's commits do not wait for the WAL to reach the disk (a clone does not inherit the setting
# of its template). Locks, isolation and what each transaction sees are the same; only a PostgreSQL crash
# could lose the last commits, and the tests never crash it. Thousands of commits then stop queueing on
# the disk that every worker, and everything else on the machine, shares.
_NO_FLUSH_WAIT = "ALTER DATABASE {} SET synchronous_commit TO off"


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A PostgreSQL database migrated and loaded with the demo data, cloned for each test."""
    base = postgres_base_url()
    name = f"masu_template_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin_sql(base, f"CREATE DATABASE {name}", _NO_FLUSH_WAIT.format(name)))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_database(url)
        asyncio.run(_seed(url))
        yield name
    finally:
        asyncio.run(_admin_sql(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


class PostgresClones:
    """Databases cloned from this worker's template, one a test, made and dropped off the tests' path.

    A clone takes about a second to make and another to drop, waiting on the disk mostly: one thread makes
    the next clone while a test runs, and drops each used one after its test. Every test still gets a clone
    nobody used before; what the thread fails at fails the test that takes the clone, or the session.
    """

    def __init__(self, base: str, template: str) -> None:
        self._base, self._template = base, template
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="postgres-clones")
        self._next: Future[str] | None = None
        self._drops: list[Future[None]] = []

    def _make(self) -> str:
        name = f"masu_test_{uuid.uuid4().hex[:12]}"
        create = f"CREATE DATABASE {name} TEMPLATE {self._template}"
        asyncio.run(_admin_sql(self._base, create, _NO_FLUSH_WAIT.format(name)))
        return name

    def _drop(self, name: str) -> None:
        asyncio.run(_admin_sql(self._base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))

    def take(self) -> str:
        """A fresh clone's name; the next one is begun at once."""
        made = self._next or self._thread.submit(self._make)
        self._next = self._thread.submit(self._make)
        return made.result()

    def give_back(self, name: str) -> None:
        """Drop a clone whose test is over (after the clone begun for the next test)."""
        self._drops.append(self._thread.submit(self._drop, name))

    def close(self) -> None:
        """Drop the clone nobody took, wait for every drop, and raise what failed."""
        if self._next is not None:
            with contextlib.suppress(Exception):
                self.give_back(self._next.result())
        self._thread.shutdown(wait=True)
        for dropped in self._drops:
            dropped.result()


@pytest.fixture(scope="session")
def postgres_clones(postgres_template: str) -> Iterator[PostgresClones]:
    """This worker's maker of fresh PostgreSQL databases from its template."""
    clones = PostgresClones(postgres_base_url(), postgres_template)
    try:
        yield clones
    finally:
        clones.close()


def _postgres_clone(clones: PostgresClones) -> Iterator[str]:
    name = clones.take()
    try:
        yield make_url(postgres_base_url()).set(database=name).render_as_string(hide_password=False)
    finally:
        clones.give_back(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh migrated database with the demo data, on each backend."""
    if request.param == "sqlite":
        target = tmp_path / "masu.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite+aiosqlite:///{target}"
    else:
        yield from _postgres_clone(request.getfixturevalue("postgres_clones"))


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh migrated PostgreSQL database with the demo data (for PostgreSQL-only tests)."""
    yield from _postgres_clone(request.getfixturevalue("postgres_clones"))


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
