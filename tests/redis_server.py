"""A `redis-server` of the test's own on a free port, which the test may kill (a Redis outage)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from tests.conftest import service_unavailable
from tests.live_server import free_port

STARTUP_TIMEOUT_SECONDS = 10.0


@dataclass
class OwnRedis:
    """A running redis-server: its URL, and `kill()` for an outage."""

    url: str
    process: subprocess.Popen[bytes]

    def kill(self) -> None:
        """SIGKILL the server, as a crash would, and wait until it is gone."""
        self.process.kill()
        self.process.wait(timeout=10)


@contextmanager
def own_redis() -> Iterator[OwnRedis]:
    """Start redis-server (no persistence) on a free port; yields it, and stops it at the end."""
    binary = shutil.which("redis-server")
    if binary is None:
        service_unavailable("redis-server")
    assert binary is not None
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(port, process)
        yield OwnRedis(url=f"redis://127.0.0.1:{port}/0", process=process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"redis-server exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail("redis-server did not listen in time")
