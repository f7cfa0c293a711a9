"""Worker processes on PostgreSQL, killed mid-batch or side by side: every (event, handler) exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from masu.persistence.database import create_engine
from tests.conftest import CHEAP_PASSWORD_HASHING
from tests.events.load_plugin import EVENT_TYPE, PAYLOAD

pytestmark = pytest.mark.postgres

MASU = Path(sys.executable).parent / "masu"
REPO_ROOT = Path(__file__).resolve().parents[2]
EVENTS = 1000


async def _sql(url: str, query: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            return int((await connection.execute(sa.text(query))).scalar_one())
    finally:
        await engine.dispose()


def _insert_events(url: str) -> None:
    asyncio.run(
        _sql(
            url,
            "WITH added AS (INSERT INTO outbox_events (event_type, payload, occurred_at, status, attempts,"
            f" next_attempt_at) SELECT '{EVENT_TYPE.value}', '{PAYLOAD}'::jsonb, now(), 'pending', 0, now()"
            f" FROM generate_series(1, {EVENTS}) RETURNING 1) SELECT count(*) FROM added",
        )
    )


DONE = "SELECT count(*) FROM outbox_events WHERE status = 'done'"


def _done(url: str) -> int:
    return asyncio.run(_sql(url, DONE))


@contextmanager
def _worker(url: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        **{k: str(v) for k, v in CHEAP_PASSWORD_HASHING.items()},
        "DATABASE_URL": url,
        "PYTHONPATH": str(REPO_ROOT),
        "EVENT_HANDLER_PLUGINS": "tests.events.load_plugin:register",
        "OUTBOX_LEASE_SECONDS": "3",
        "WORKER_POLL_SECONDS": "0.2",
        "LOG_LEVEL": "WARNING",
    }
    with log.open("ab") as out:
        process = subprocess.Popen([str(MASU), "worker"], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def _wait_until(
    condition: str, enough: Callable[[int], bool], url: str, log: Path, timeout: float = 120
) -> None:
    """Look at the count of done events every 50 ms until it is `enough`, on one connection held throughout.

    A new engine and connection for each look would cost the workers under test a good part of a core.
    """

    async def watch() -> int | None:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                deadline, done = time.monotonic() + timeout, 0
                while time.monotonic() < deadline:
                    done = int((await connection.execute(sa.text(DONE))).scalar_one())
                    await connection.rollback()  # each look is a transaction of its own
                    if enough(done):
                        return None
                    await asyncio.sleep(0.05)
                return done
        finally:
            await engine.dispose()

    short = asyncio.run(watch())
    if short is not None:
        pytest.fail(f"timed out waiting until {condition} ({short} done); output:\n{log.read_text()[-3000:]}")


def _assert_each_handler_ran_once(url: str) -> None:
    runs = asyncio.run(_sql(url, "SELECT count(*) FROM counters WHERE name LIKE 'run:%'"))
    repeated = asyncio.run(_sql(url, "SELECT count(*) FROM counters WHERE name LIKE 'run:%' AND value <> 1"))
    deliveries = asyncio.run(_sql(url, "SELECT count(*) FROM outbox_deliveries WHERE status = 'done'"))
    assert (runs, repeated, deliveries) == (EVENTS, 0, EVENTS)


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_nothing(
    postgres_url: str, tmp_path: Path
) -> None:
    _insert_events(postgres_url)
    log = tmp_path / "worker.log"

    with _worker(postgres_url, log) as first:
        _wait_until("some events are done", lambda done: done >= 150, postgres_url, log)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    done_at_kill = _done(postgres_url)
    assert 0 < done_at_kill < EVENTS, "the kill must land in the middle of the work"

    with _worker(postgres_url, log) as second:
        _wait_until("every event is done", lambda done: done == EVENTS, postgres_url, log)
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0, log.read_text()[-3000:]

    _assert_each_handler_ran_once(postgres_url)


def test_two_workers_side_by_side_never_run_a_handler_twice(postgres_url: str, tmp_path: Path) -> None:
    _insert_events(postgres_url)
    log = tmp_path / "workers.log"

    with _worker(postgres_url, log) as one, _worker(postgres_url, log) as two:
        _wait_until("every event is done", lambda done: done == EVENTS, postgres_url, log)
        for process in (one, two):
            process.send_signal(signal.SIGTERM)
        assert (one.wait(timeout=30), two.wait(timeout=30)) == (0, 0)

    _assert_each_handler_ran_once(postgres_url)
    heartbeats = asyncio.run(_sql(postgres_url, "SELECT count(*) FROM worker_heartbeats"))
    assert heartbeats == 2
