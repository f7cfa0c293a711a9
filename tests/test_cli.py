"""The `masu` command as an operator runs it: migrate, seed twice, create an admin who can log in."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from masu.persistence.database import create_engine
from tests.conftest import CHEAP_PASSWORD_HASHING

MASU = Path(sys.executable).parent / "masu"


def _masu(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MASU), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


async def _count(url: str, query: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return int((await connection.execute(sa.text(query))).scalar_one())
    finally:
        await engine.dispose()


def test_migrate_seed_twice_and_create_admin(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'masu.db'}"
    env = {**os.environ, "DATABASE_URL": url, **{k: str(v) for k, v in CHEAP_PASSWORD_HASHING.items()}}

    assert _masu(env, "db", "upgrade").returncode == 0
    first, second = _masu(env, "seed", "--demo"), _masu(env, "seed", "--demo")
    created = _masu(
        env,
        "users",
        "create-admin",
        "--phone",
        "0501112233",
        "--password",
        "operator-pass",
        "--name",
        "Operations",
    )
    duplicate = _masu(
        env,
        "users",
        "create-admin",
        "--phone",
        "050-111-2233",
        "--password",
        "operator-pass",
        "--name",
        "Operations",
    )
    weak = _masu(
        env, "users", "create-admin", "--phone", "0501112234", "--password", "short", "--name", "Ops"
    )

    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    assert "Demo data loaded." in first.stdout
    assert "already there" in second.stdout
    assert created.returncode == 0, created.stderr
    assert duplicate.returncode == 1
    assert "already registered" in duplicate.stdout
    assert weak.returncode != 0
    assert asyncio.run(_count(url, "SELECT count(*) FROM users")) == 1 + 3 + 20 + 1
    assert asyncio.run(_count(url, "SELECT count(*) FROM cities")) == 10
    admins = "SELECT count(*) FROM user_roles WHERE role = 'admin'"
    assert asyncio.run(_count(url, admins)) == 2


async def _insert_event(url: str, status: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(
                sa.text(
                    "INSERT INTO outbox_events"
                    " (event_type, payload, occurred_at, status, attempts, next_attempt_at)"
                    " VALUES ('test.happened', '{}', :at, :status, 8, :at) RETURNING id"
                ),
                {"status": status, "at": "2026-12-01 08:00:00"},
            )
            return int(result.scalar_one())
    finally:
        await engine.dispose()


def test_worker_once_at_a_time_and_the_dead_letter_commands(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'masu.db'}"
    env = {**os.environ, "DATABASE_URL": url}
    assert _masu(env, "db", "upgrade").returncode == 0
    pending = asyncio.run(_insert_event(url, "pending"))
    dead = asyncio.run(_insert_event(url, "dead"))

    ran = _masu(env, "worker", "--once", "--at", "2026-12-01T10:00:00+02:00")
    listed_dead = _masu(env, "events", "list", "--dead")
    retried, again = _masu(env, "events", "retry", str(dead)), _masu(env, "events", "retry", str(dead))

    assert ran.returncode == 0, ran.stderr
    assert "1 events" in ran.stdout
    status = f"SELECT status FROM outbox_events WHERE id = {pending}"
    assert asyncio.run(_text(url, status)) == "done"
    assert asyncio.run(_text(url, "SELECT last_seen_at FROM worker_heartbeats")).startswith(
        "2026-12-01 08:00:00"
    )
    listed_all = _masu(env, "events", "list")
    assert "dead" in listed_dead.stdout
    assert "done" not in listed_dead.stdout
    assert "done" in listed_all.stdout
    assert (retried.returncode, again.returncode) == (0, 1)
    assert asyncio.run(_text(url, f"SELECT status FROM outbox_events WHERE id = {dead}")) == "pending"
    assert _masu(env, "worker", "--at", "2026-12-01T10:00:00+02:00").returncode != 0
    assert _masu(env, "worker", "--once", "--at", "2026-12-01T10:00:00").returncode != 0


async def _text(url: str, query: str) -> str:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return str((await connection.execute(sa.text(query))).scalar_one())
    finally:
        await engine.dispose()


def test_an_operator_verifies_a_phone(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'masu.db'}"
    env = {**os.environ, "DATABASE_URL": url, **{k: str(v) for k, v in CHEAP_PASSWORD_HASHING.items()}}
    assert _masu(env, "db", "upgrade").returncode == 0
    asyncio.run(_execute(url, _UNVERIFIED_CUSTOMER))
    verified_now = "SELECT count(*) FROM users WHERE phone_verified_at IS NOT NULL"
    assert asyncio.run(_count(url, verified_now)) == 0

    done = _masu(env, "users", "verify-phone", "--phone", "054-7654321")
    unknown = _masu(env, "users", "verify-phone", "--phone", "0549999999")

    assert done.returncode == 0, done.stderr
    assert "Phone verified" in done.stdout
    assert (unknown.returncode, "no account" in unknown.stdout) == (1, True)
    assert asyncio.run(_count(url, verified_now)) == 1


_UNVERIFIED_CUSTOMER = (
    "INSERT INTO users (id, name, phone, password_hash, language, notify_by_sms, notify_by_email, is_active,"
    " created_at) VALUES ('u1', 'Rivka', '+972547654321', 'x', 'he', 1, 1, 1, '2026-12-01 08:00:00')"
)


async def _execute(url: str, statement: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(sa.text(statement))
    finally:
        await engine.dispose()
