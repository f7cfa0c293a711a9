"""What every bench script needs: a throw-away database, its processes, CPU figures from /proc, the report."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from cleanup_signals import interruptible, uninterruptible

from masu.config import Settings

T = TypeVar("T")

# Taken when the first bench module is imported: progress lines and --time-limit count from here.
STARTED = time.monotonic()
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# PostgreSQL's own processes that work for every database, so also for the bench's one.
PG_SHARED_PROCESSES = ("walwriter", "background writer", "checkpointer")
IDLE_LIMIT = 0.25  # cores busy before the start above which the machine does not count as idle


# --- the command line -----------------------------------------------------------------------------


def add_run_options(parser: argparse.ArgumentParser, time_limit: float) -> None:
    """Add --pg-host, --time-limit, --json and --keep-database (the last options of a bench's --help)."""
    add = parser.add_argument
    add("--pg-host", default="/var/run/postgresql", help="PostgreSQL host or socket directory")
    add("--time-limit", type=float, default=time_limit, help="abort (and clean up) after this many seconds")
    add("--json", type=Path, default=None, help="also write the results to this file")
    add("--keep-database", action="store_true", help="leave the database for a look with psql (drop it then)")


def parse_config(parser: argparse.ArgumentParser, argv: Sequence[str] | None, config: Callable[..., T]) -> T:
    """Parse the command line into `config`, a dataclass with a field per option (--json as json_path)."""
    args = parser.parse_args(argv)
    return config(**{k: v for k, v in vars(args).items() if k != "json"}, json_path=args.json)


# --- progress --------------------------------------------------------------------------------------


def elapsed() -> float:
    """Seconds since the bench started."""
    return time.monotonic() - STARTED


def log(message: str) -> None:
    """A progress line with the seconds since start."""
    print(f"[{elapsed():6.1f}s] {message}", flush=True)


# --- the throw-away database and the processes of a run --------------------------------------------


def pg_tool(name: str) -> str:
    """Path of a PostgreSQL client program (PATH first, then the server's bin directory)."""
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise SystemExit(f"{name} not found: install the PostgreSQL client programs")


def database_url(pg_host: str, name: str) -> str:
    """The SQLAlchemy URL of the bench database (socket directory or host as a query parameter)."""
    return f"postgresql+asyncpg:///{name}?host={pg_host}"


@dataclass
class BenchResources:
    """What a run created and must remove again, whatever happens: here its database."""

    pg_host: str
    keep: bool = False  # leave the database for a look with psql instead of dropping it
    database: str | None = None

    def create_database(self) -> str:
        """Create a fresh database with a random name and remember it for cleanup."""
        # A random name: several runs (or a leftover of a killed one) never collide.
        name = f"masu_bench_{secrets.token_hex(4)}"
        subprocess.run([pg_tool("createdb"), "-h", self.pg_host, name], check=True, timeout=30)
        self.database = name
        return name

    def drop_database(self) -> None:
        """Drop the bench database, disconnecting anything still attached (or say how to, when kept)."""
        if self.database is None:
            return
        if self.keep:
            print(f"kept database {self.database}: dropdb --force {self.database} when done")
        else:
            # --force: a connection the run left behind (a killed worker's, say) must not keep it alive.
            command = [pg_tool("dropdb"), "--if-exists", "--force", "-h", self.pg_host, self.database]
            result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
            done = result.returncode == 0
            print(f"dropped database {self.database}" if done else f"dropdb failed: {result.stderr}")
        self.database = None

    def cleanup(self) -> None:
        """Remove what the run created (subclasses stop their processes first)."""
        self.drop_database()


def scratch_directory() -> Path:
    """A fresh temporary directory for the run's logs."""
    return Path(tempfile.mkdtemp(prefix="masu-bench-"))


@dataclass
class ScratchResources(BenchResources):
    """A run's database plus a scratch directory: the `masu` processes' logs and working directory."""

    workdir: Path = field(default_factory=scratch_directory)

    def start(self, command: Sequence[str], env: dict[str, str], log_name: str) -> subprocess.Popen[bytes]:
        """Start `command` in the scratch directory, in its own process group, its output to `log_name`."""
        with (self.workdir / log_name).open("wb") as out:
            return subprocess.Popen(
                command,
                cwd=self.workdir,  # no .env there: only `env` configures the process
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # so that stop_process_group reaches its children too
            )

    def log_tail(self, log_name: str, lines: int = 30) -> str:
        """The end of a process's output, for error messages ("" if it wrote none)."""
        path = self.workdir / log_name
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def cleanup(self) -> None:
        """Drop the database, then remove the scratch directory."""
        super().cleanup()
        shutil.rmtree(self.workdir, ignore_errors=True)


def masu_env(url: str, **settings: str) -> dict[str, str]:
    """Environment for a `masu` command: none of the caller's Masu settings, the bench database, quiet,
    messages kept in memory, and `settings` on top."""
    env = {k: v for k, v in os.environ.items() if k not in Settings.model_fields}
    env.update(
        DATABASE_URL=url,
        NODE_ENV="development",
        LOG_LEVEL="WARNING",
        SMS_BACKEND="memory",
        EMAIL_BACKEND="memory",
    )
    env.update(settings)
    return env


def stop_process_group(process: subprocess.Popen[bytes], grace: float) -> None:
    """SIGTERM the process's group (ours: started in its own session), then SIGKILL if it lingers."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


# --- CPU accounting from /proc ---------------------------------------------------------------------


def process_ticks() -> dict[int, tuple[int, str, int]]:
    """pid -> (parent pid, command name, CPU ticks the process itself used so far)."""
    table: dict[int, tuple[int, str, int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # the process ended between listing and reading
            continue
        # The name may hold spaces and parentheses: the fields start after its last ")".
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        table[int(entry)] = (int(fields[1]), name, int(fields[11]) + int(fields[12]))
    return table


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) - values[3] - values[4], sum(values)  # idle and iowait are not busy


def is_bench_postgres(pid: int, database: str) -> bool:
    """A backend connected to the bench database, or WAL writer / checkpointer / background writer."""
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").replace("\0", " ").strip()
    except OSError:
        return False
    return f" {database} " in title or any(title.endswith(f": {name}") for name in PG_SHARED_PROCESSES)


def add_other_and_idle(
    usage: dict[str, float], before: tuple[int, int], after: tuple[int, int], tick_seconds: float
) -> None:
    """Add to `usage` (cores per group) the cores busy outside the groups and the idle ones, from two
    machine_ticks readings `tick_seconds` (seconds times CLOCK_TICKS) apart."""
    busy, total = (now - then for now, then in zip(after, before, strict=True))
    usage["other"] = max(0.0, busy / tick_seconds - sum(usage.values()))
    usage["idle"] = max(0.0, (total - busy) / tick_seconds)


def busy_cores(seconds: float) -> float:
    """Cores busy on the whole machine over `seconds` (anything else running skews every figure)."""
    busy0, total0 = machine_ticks()
    time.sleep(seconds)
    busy1, total1 = machine_ticks()
    return (busy1 - busy0) / max(total1 - total0, 1) * (os.cpu_count() or 1)


def warn_if_busy(busy: float) -> None:
    """Say so when the machine was not idle before the start."""
    if busy > IDLE_LIMIT:
        print("WARNING: the machine is not idle; every figure below is skewed by the other work")


# --- reporting ------------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (NaN when there are no values)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def verdict(ok: bool) -> str:
    """'met' or 'NOT met'."""
    return "met" if ok else "NOT met"


def print_table(rows: Sequence[tuple[str, ...]]) -> None:
    """Columns padded to their widest cell, a rule under the header."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))


def write_json(path: Path | None, config: Any, **sections: Any) -> None:
    """The settings (a dataclass) and the raw figures, for the README or for comparing runs; no path: none."""
    if path is not None:
        document = {"config": {**asdict(config), "json_path": str(path)}, **sections}
        path.write_text(json.dumps(document, indent=2, default=str))


# --- running ---------------------------------------------------------------------------------------


def run_async(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run on uvloop when available (less CPU on the bench's own side), else on asyncio."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(factory())
    return uvloop.run(factory())


def run_and_clean_up(
    run: Callable[[], None],
    resources: BenchResources,
    errors: tuple[type[Exception], ...],
    time_limit: float | None = None,
) -> int:
    """Run the bench and always clean up after it (every step of the cleanup is bounded in time).

    Returns the exit status: 0, 1 when it failed with one of `errors` (or, given `time_limit`, ran out of
    time: asyncio.wait_for raises TimeoutError), 130 when interrupted.
    """
    caught: tuple[type[Exception], ...] = errors if time_limit is None else (TimeoutError, *errors)
    with interruptible():
        try:
            run()
        except KeyboardInterrupt:
            print("\ninterrupted; cleaning up")
            return 130
        except caught as exc:
            if time_limit is not None and isinstance(exc, TimeoutError):
                print(f"\nbench stopped: over --time-limit {time_limit:.0f}s", file=sys.stderr)
            else:
                print(f"\nbench failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
        finally:
            with uninterruptible():
                resources.cleanup()
    return 0
