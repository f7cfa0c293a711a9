"""What each process of a parallel run (pytest-xdist) keeps to itself: its Redis database and its ports.

`make test` runs the suite on several worker processes at once, named gw0, gw1, ... by pytest-xdist, which
tells each its name and the number of workers (PYTEST_XDIST_WORKER, PYTEST_XDIST_WORKER_COUNT). A plain
`pytest` is one process, worker 0 of 1. Databases need nothing here: every one a test creates (PostgreSQL
templates and clones, SQLite files under the test's tmp_path) has a name no other process uses.
"""

from __future__ import annotations

import itertools
import os
import socket
from urllib.parse import urlsplit, urlunsplit

REDIS_DATABASES = 16  # redis-server's default `databases`
# Listening ports for servers the tests start, below the kernel's ephemeral range (32768-60999 by default)
# that outgoing connections and `bind(0)` draw from; each worker listens only in its own slice of it.
PORTS = range(20_000, 32_000)


def worker_index() -> int:
    """This process's number in the run: 0 for gw0 (or a run without workers), 1 for gw1, ..."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


def worker_count() -> int:
    """How many processes run the suite at once (1 without pytest-xdist)."""
    return int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))


def worker_redis_url(base_url: str) -> str:
    """`base_url` moved to this worker's own database: worker N uses database (base + N) mod 16.

    The database's keys are then this worker's alone, whatever a test writes, scans or deletes there. A
    socket URL (unix://) is left as it is.
    """
    parts = urlsplit(base_url)
    if parts.scheme not in {"redis", "rediss"}:
        return base_url
    path = parts.path.strip("/")
    base = int(path) if path.isdigit() else 0
    database = (base + worker_index()) % REDIS_DATABASES
    return urlunsplit(parts._replace(path=f"/{database}"))


def _worker_ports() -> range:
    size = len(PORTS) // max(worker_count(), 1)
    first = PORTS.start + worker_index() * size
    return range(first, first + size)


# Each process walks the slice from its own place, set by its process id: the processes that one worker
# spawns (a pool's) start hundreds of ports apart, and so do two runs on one machine, for all it takes.
_candidates = itertools.count(os.getpid() * 211)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on now, in this worker's slice; never twice in a row.

    Another worker never picks it, and no outgoing connection is given it while the server starts.
    """
    ports = _worker_ports()
    for _ in range(len(ports)):
        port = ports[next(_candidates) % len(ports)]
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports}")
