"""Engines and sessions for PostgreSQL and the embedded SQLite file; migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from masu.persistence.cache import Cache
from masu.persistence.unit_of_work import UnitOfWork, session_info

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """Create the async engine; SQLite gets WAL, foreign keys and write-serialising transactions."""
    if not url.startswith("sqlite"):
        return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size * 2, pool_pre_ping=True)
    _ensure_sqlite_directory(url)
    engine = create_async_engine(url, connect_args={"timeout": 30})
    event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
    event.listen(engine.sync_engine, "begin", _begin_immediate)
    return engine


def create_session_factory(
    engine: AsyncEngine, *, cache: Cache | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions are units of work: the caller commits, objects stay readable, stale cache keys are dropped."""
    return async_sessionmaker(engine, class_=UnitOfWork, expire_on_commit=False, info=session_info(cache))


async def ping_database(engine: AsyncEngine) -> None:
    """Raise unless the database answers a trivial query."""
    async with engine.connect() as connection:
        await connection.execute(sa.text("SELECT 1"))


def upgrade_database(url: str) -> None:
    """Apply every Alembic migration to the database at `url` (synchronous; call outside an event loop)."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if url.startswith("sqlite"):
        _ensure_sqlite_directory(url)
    command.upgrade(config, "head")


def _ensure_sqlite_directory(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control from the driver so `begin` below can issue BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=30000", "synchronous=NORMAL"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    # A deferred SQLite transaction that reads and then writes fails when another writer got in between;
    # taking the write lock up front makes concurrent requests queue instead of failing.
    connection.exec_driver_sql("BEGIN IMMEDIATE")
