"""`masu serve` as a real subprocess on a free port, for tests that need real HTTP and real processes.

`running_server(database_url)` is a context manager yielding the base URL; `live_server_fixture(...)` builds a
pytest fixture from it; `run_masu(...)` runs any other `masu` command with the same environment;
`ServerClock` moves such a server's clock (its processes read the offset file it writes). The port is one of
this worker's own (tests/workers.py), so servers of parallel workers never ask for the same one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from masu.config import Settings
from tests.conftest import CHEAP_PASSWORD_HASHING
from tests.workers import free_port

# The console script installed next to the interpreter (masu.cli has no `__main__`).
MASU = Path(sys.executable).parent / "masu"
STARTUP_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0
ISRAEL = ZoneInfo("Asia/Jerusalem")


@dataclass(frozen=True)
class ServerClock:
    """The clock of a live server started with `env=clock.env`: the wall clock until moved."""

    offset_file: Path

    @property
    def env(self) -> dict[str, str]:
        """The server setting that makes it read this clock."""
        return {"TEST_CLOCK_OFFSET_FILE": str(self.offset_file)}

    def move_to(self, at: datetime) -> None:
        """From now on the server's time is `at`, running on from there."""
        # Written aside, then renamed: a server process never reads half a number.
        written = self.offset_file.with_suffix(".new")
        written.write_text(str((at - datetime.now(UTC)).total_seconds()), encoding="ascii")
        written.replace(self.offset_file)


def masu_environment(database_url: str, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """The server's environment: ours minus any inherited Masu settings, then the test's settings."""
    env = {key: value for key, value in os.environ.items() if key not in Settings.model_fields}
    env.update({"DATABASE_URL": database_url, "NODE_ENV": "test", "LOG_LEVEL": "WARNING"})
    env.update({key: str(value) for key, value in CHEAP_PASSWORD_HASHING.items()})
    env.update(overrides or {})
    return env


def run_masu(
    *args: str, database_url: str, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `masu <args>` to completion with the server's environment; fails the test on a non-zero exit."""
    with tempfile.TemporaryDirectory(prefix="masu-cli-") as workdir:
        result = subprocess.run(
            [str(MASU), *args],
            env=masu_environment(database_url, env),
            cwd=workdir,  # no stray .env file is read
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    if result.returncode != 0:
        pytest.fail(
            f"`masu {' '.join(args)}` exited with {result.returncode}\n"
            f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
        )
    return result


@contextmanager
def running_server(
    database_url: str,
    *,
    workers: int = 1,
    background_worker: bool = False,
    env: Mapping[str, str] | None = None,
    startup_timeout: float = STARTUP_TIMEOUT_SECONDS,
    port: int | None = None,
) -> Iterator[str]:
    """Start `masu serve` on `port` (a free one by default), wait until /health answers 200, yield its URL."""
    port = port or free_port()
    command = [str(MASU), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    if not background_worker:
        command.append("--no-worker")
    with tempfile.TemporaryDirectory(prefix="masu-serve-") as workdir:
        log_path = Path(workdir) / "server.log"
        with log_path.open("w+", encoding="utf-8") as log:
            process = subprocess.Popen(
                command,
                env=masu_environment(database_url, env),
                cwd=workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so uvicorn's worker processes go with it
            )
            try:
                base_url = f"http://127.0.0.1:{port}"
                _wait_until_healthy(process, base_url, log, startup_timeout)
                yield base_url
            finally:
                _stop(process)


def _wait_until_healthy(process: subprocess.Popen[Any], base_url: str, log: IO[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last_problem = "no answer yet"
    with httpx.Client(base_url=base_url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(
                    f"`masu serve` exited with {process.returncode} before it was healthy\n{_read(log)}"
                )
            try:
                response = client.get("/health")
            except httpx.TransportError as exc:
                last_problem = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code == 200:
                    return
                last_problem = f"/health answered {response.status_code}: {response.text[:500]}"
            time.sleep(0.1)
    pytest.fail(f"`masu serve` was not healthy within {timeout:.0f} s ({last_problem})\n{_read(log)}")


def _stop(process: subprocess.Popen[Any]) -> None:
    """SIGTERM the server (uvicorn stops its workers), then SIGKILL its process group if it lingers."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        # Still alive, so the group (our own session, started above) still exists: kill it with its workers.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT_SECONDS)


def _read(log: IO[str]) -> str:
    log.flush()
    log.seek(0)
    return "--- server output ---\n" + log.read()[-20_000:]


def live_server_fixture(
    database_fixture: str,
    *,
    workers: int = 1,
    background_worker: bool = False,
    env: Mapping[str, str] | None = None,
) -> Callable[..., Iterator[str]]:
    """A function-scoped fixture serving the database that the fixture named `database_fixture` provides.

    In a test module: `server = live_server_fixture("postgres_url", workers=2)`, then ask for `server`.
    """

    @pytest.fixture
    def _server(request: pytest.FixtureRequest) -> Iterator[str]:
        database_url = request.getfixturevalue(database_fixture)
        with running_server(
            database_url, workers=workers, background_worker=background_worker, env=env
        ) as url:
            yield url

    return _server


def tomorrow_noon_in_israel() -> str:
    """A visit time a live server (on the real clock) accepts: tomorrow 12:00 Israel time, ISO with offset."""
    tomorrow = datetime.now(ISRAEL).date() + timedelta(days=1)
    return datetime.combine(tomorrow, dt_time(12, 0), tzinfo=ISRAEL).isoformat()
