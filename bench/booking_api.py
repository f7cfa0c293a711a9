"""Load test of the booking API on PostgreSQL, next to pgbench running the same transaction.

Run from the project root (about 2 minutes with the defaults):

    .venv/bin/python bench/booking_api.py [--clients 16] [--duration 20] [--workers 2]

It creates a throw-away database, migrates and seeds it, serves the API on a free port, then measures:

1. create-heavy and read-heavy phases, closed loop: creates/s and reads/s at saturation;
2. latency phases, open loop at a fixed arrival rate of half those maxima: p50/p95/p99;
3. pgbench with bench/pgbench_booking.sql (the SQL of one create): tps, and API creates/s ÷ tps.

It prints a table against the targets and drops the database again, also on Ctrl-C or error.
See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import math
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from datetime import time as day_time
from pathlib import Path
from typing import Any

import httpx
from bench_support import (
    CLOCK_TICKS,
    ScratchResources,
    add_other_and_idle,
    busy_cores,
    database_url,
    is_bench_postgres,
    machine_ticks,
    masu_env,
    percentile,
    pg_tool,
    print_table,
    process_ticks,
    run_and_clean_up,
    run_async,
    stop_process_group,
    verdict,
    warn_if_busy,
    write_json,
)

BIN = Path(sys.executable).parent
PGBENCH_SCRIPT = Path(__file__).with_name("pgbench_booking.sql")
ISRAEL_WINTER = timezone(timedelta(hours=2))
BENCH_PASSWORD = "bench-customer-pass"
CREATE_HEAVY: tuple[str, ...] = ("create",) * 9 + ("read_one",)
READ_HEAVY: tuple[str, ...] = ("read_one", "read_list") * 4 + ("read_one", "create")
READ_MIX: tuple[str, ...] = ("read_one", "read_list")
TARGET_CREATE_SHARE = 0.20
TARGET_READS_PER_S = 2000.0
TARGET_P99_MS = 50.0


# --- configuration -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """What to run: load shape, phase lengths and where PostgreSQL is."""

    clients: int
    duration: float
    latency_duration: float
    warmup: float
    workers: int
    pg_host: str
    json_path: Path | None


def parse_args(argv: Sequence[str] | None = None) -> Config:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (and pgbench -c)")
    parser.add_argument("--duration", type=float, default=20, help="seconds per saturation phase, pgbench -T")
    parser.add_argument("--latency-duration", type=float, default=15, help="seconds per latency phase")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of unrecorded load first")
    parser.add_argument("--workers", type=int, default=2, help="server processes (masu serve --workers)")
    parser.add_argument("--pg-host", default="/var/run/postgresql", help="PostgreSQL host or socket dir")
    parser.add_argument("--json", type=Path, default=None, help="also write the results to this file")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.duration <= 0 or args.latency_duration <= 0 or args.workers < 1:
        parser.error("--clients, --workers, --duration and --latency-duration must be positive")
    return Config(
        clients=args.clients,
        duration=args.duration,
        latency_duration=args.latency_duration,
        warmup=max(0.0, args.warmup),
        workers=args.workers,
        pg_host=args.pg_host,
        json_path=args.json,
    )


# --- database and server processes ---------------------------------------------------------------


@dataclass
class Resources(ScratchResources):
    """What the run created and must remove again, whatever happens: database, server, scratch directory."""

    server: subprocess.Popen[bytes] | None = None

    def stop_server(self) -> None:
        """SIGTERM the server's process group, then SIGKILL if it lingers."""
        if self.server is not None:
            stop_process_group(self.server, grace=15)
            self.server = None

    def cleanup(self) -> None:
        """Stop the server, drop the database, remove the scratch directory."""
        self.stop_server()
        super().cleanup()


def bench_env(url: str) -> dict[str, str]:
    """Environment for `masu` commands: the bench database and rate limits it cannot hit."""
    return masu_env(url, MAX_BOOKINGS_PER_HOUR="1000000", SIGNUPS_PER_ADDRESS="1000000/hour")


def prepare_database(url: str, workdir: Path) -> None:
    """`masu db upgrade` and `masu seed --demo` against the bench database (from `workdir`: no .env)."""
    for args in (["db", "upgrade"], ["seed", "--demo"]):
        result = subprocess.run(
            [str(BIN / "masu"), *args],
            cwd=workdir,
            env=bench_env(url),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(f"masu {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(resources: Resources, url: str, workers: int) -> str:
    """Start `masu serve --no-worker` in its own process group; returns its base URL."""
    port = free_port()
    command = [str(BIN / "masu"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers), "--no-worker"]
    resources.server = resources.start(command, bench_env(url), "server.log")
    return f"http://127.0.0.1:{port}"


def wait_healthy(resources: Resources, base_url: str, timeout: float = 60) -> None:
    """Poll /health until it answers 200; fail early if the server exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if resources.server is not None and resources.server.poll() is not None:
            raise RuntimeError(f"server exited:\n{resources.log_tail('server.log')}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.25)
    raise RuntimeError(f"server not healthy after {timeout:.0f}s:\n{resources.log_tail('server.log')}")


# --- CPU accounting from /proc ---------------------------------------------------------------------


class CpuMeter:
    """Cores used while active by this bench (with pgbench), the API server, PostgreSQL for the bench
    database, and everything else; samples /proc in a thread so short-lived processes still count."""

    def __init__(self, server_pid: int | None, database: str, interval: float = 0.25) -> None:
        self.server_pid, self.database, self.interval = server_pid, database, interval
        self.seen: dict[int, tuple[str | None, int, int]] = {}  # pid -> (group, first ticks, last ticks)
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.usage: dict[str, float] = {}
        self.server_split: tuple[float, ...] = ()  # cores used by each busy server process

    def __enter__(self) -> CpuMeter:
        self.started, self.machine = time.monotonic(), machine_ticks()
        self._sample(initial=True)
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop_event.set()
        self.thread.join()
        self._sample(initial=False)
        seconds = max(time.monotonic() - self.started, 1e-9) * CLOCK_TICKS
        machine = machine_ticks()
        self.usage = dict.fromkeys(("client", "server", "postgres"), 0.0)
        for group, first, last in self.seen.values():
            if group is not None:
                self.usage[group] += (last - first) / seconds
        server = [(last - first) / seconds for group, first, last in self.seen.values() if group == "server"]
        self.server_split = tuple(sorted((cores for cores in server if cores >= 0.01), reverse=True))
        add_other_and_idle(self.usage, self.machine, machine, seconds)

    def _run(self) -> None:
        while not self.stop_event.wait(self.interval):
            self._sample(initial=False)

    def _sample(self, *, initial: bool) -> None:
        table = process_ticks()
        for pid, (_, _, ticks) in table.items():
            if pid in self.seen:
                group, first, _ = self.seen[pid]
                self.seen[pid] = (group, first, ticks)
            else:
                self.seen[pid] = (self._group(pid, table), ticks if initial else 0, ticks)

    def _group(self, pid: int, table: dict[int, tuple[int, str, int]]) -> str | None:
        """Which group a process belongs to: its ancestry, or a PostgreSQL process of the bench."""
        if table[pid][1] == "postgres":
            return "postgres" if is_bench_postgres(pid, self.database) else None
        ancestor = pid
        while ancestor in table and ancestor > 1:
            if ancestor == self.server_pid:
                return "server"
            if ancestor == os.getpid():
                return "client"
            ancestor = table[ancestor][0]
        return None


# --- the HTTP workload -----------------------------------------------------------------------------


@dataclass
class Customer:
    """A bench customer: its login and the bookings it created."""

    phone: str
    token: str = ""
    user_id: str = ""
    booking_ids: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        """The bearer token header."""
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Tally:
    """Latencies of successful requests by kind, and failures by label."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {"create": [], "read": []})
    errors: collections.Counter[str] = field(default_factory=collections.Counter)

    def record(self, kind: str, seconds: float, failure: str | None) -> None:
        """Count one finished request."""
        if failure is None:
            self.latencies[kind].append(seconds)
        else:
            self.errors[failure] += 1


@dataclass(frozen=True)
class Workload:
    """What every request needs: the catalogue ids and a random source."""

    treatment_id: str
    city_id: str
    rng: random.Random


@dataclass(frozen=True)
class PhaseResult:
    """One measured phase."""

    name: str
    seconds: float
    tally: Tally
    cpu: dict[str, float]
    server_split: tuple[float, ...] = ()
    target_rate: float | None = None
    max_dispatch_lag: float = 0.0

    def rate(self, kind: str) -> float:
        """Successful requests of this kind per second."""
        return len(self.tally.latencies[kind]) / self.seconds

    def cpu_ms_per_request(self) -> dict[str, float]:
        """Milliseconds of CPU each group spent per finished request (successful or not)."""
        finished = sum(map(len, self.tally.latencies.values())) + sum(self.tally.errors.values())
        per_second = max(finished, 1) / self.seconds
        return {group: self.cpu[group] * 1000 / per_second for group in ("client", "server", "postgres")}


def booking_body(rng: random.Random, treatment_id: str) -> dict[str, Any]:
    """A valid booking: 1-29 days ahead, 10:00-19:00 on the half hour at +02:00, Swedish Massage 60 min."""
    day = datetime.now(ISRAEL_WINTER).date() + timedelta(days=rng.randint(1, 29))
    minute = rng.randrange(10 * 60, 19 * 60 + 1, 30)  # visits start on the hour or at half past
    starts = datetime.combine(day, day_time(minute // 60, minute % 60), ISRAEL_WINTER)
    return {
        "treatmentId": treatment_id,
        "durationMinutes": 60,
        "bookingDateTime": starts.isoformat(),
        "recipientName": "Bench Customer",
        "recipientPhone": "052-1234567",
        "address": {"street": "Herzl 10", "city": "Tel Aviv"},
    }


async def perform(op: str, client: httpx.AsyncClient, customer: Customer, work: Workload) -> str | None:
    """Run one operation (`create`, `read_one`, `read_list`); None on success, else a failure label."""
    if op == "create":
        body = booking_body(work.rng, work.treatment_id)
        response = await client.post("/api/v1/bookings", json=body, headers=customer.headers)
        if response.status_code != 201:
            return f"create {response.status_code}"
        customer.booking_ids.append(response.json()["id"])
        return None
    if op == "read_one":
        path = f"/api/v1/bookings/{work.rng.choice(customer.booking_ids)}"
    else:
        path = "/api/v1/bookings"
    response = await client.get(path, headers=customer.headers)
    return None if response.status_code == 200 else f"{op} {response.status_code}"


async def timed(
    op: str, client: httpx.AsyncClient, customer: Customer, work: Workload, tally: Tally, started: float
) -> None:
    """Run `op` and record its latency measured from `started` (the intended start in open loop)."""
    if op == "read_one" and not customer.booking_ids:
        op = "create"
    try:
        failure = await perform(op, client, customer, work)
    except httpx.HTTPError as exc:
        failure = f"{op} {type(exc).__name__}"
    tally.record("create" if op == "create" else "read", time.perf_counter() - started, failure)


async def client_loop(
    index: int, session: Session, mix: Sequence[str], deadline: float, tally: Tally
) -> None:
    """One closed-loop client: the next request as soon as the previous answer arrives."""
    customer, client = session.customers[index], session.clients[index]
    step = index
    while time.perf_counter() < deadline:
        op = mix[step % len(mix)]
        step += 1
        await timed(op, client, customer, session.work, tally, time.perf_counter())


async def closed_loop(name: str, session: Session, mix: Sequence[str], seconds: float) -> PhaseResult:
    """Every client hammers the server for `seconds`; measures throughput at saturation."""
    tally = Tally()
    with session.cpu_meter() as meter:
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(
            *(client_loop(i, session, mix, deadline, tally) for i in range(len(session.clients)))
        )
        elapsed = time.perf_counter() - started
    return PhaseResult(name, elapsed, tally, meter.usage, meter.server_split)


async def open_loop(
    name: str, session: Session, mix: Sequence[str], rate: float, seconds: float
) -> PhaseResult:
    """Requests start on a fixed schedule whatever the server does; latency counts from the schedule."""
    tally, lag = Tally(), 0.0
    tasks: list[asyncio.Task[None]] = []
    with session.cpu_meter() as meter:
        start = time.perf_counter() + 0.05
        for i in range(max(1, round(rate * seconds))):
            intended = start + i / rate
            delay = intended - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            lag = max(lag, time.perf_counter() - intended)
            who = i % len(session.clients)
            op, client, customer = mix[i % len(mix)], session.clients[who], session.customers[who]
            tasks.append(asyncio.create_task(timed(op, client, customer, session.work, tally, intended)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    return PhaseResult(
        name, elapsed, tally, meter.usage, meter.server_split, target_rate=rate, max_dispatch_lag=lag
    )


@dataclass
class Session:
    """The logged-in customers, one HTTP client each, and the workload."""

    customers: list[Customer]
    clients: list[httpx.AsyncClient]
    work: Workload
    server_pid: int | None
    database: str

    def cpu_meter(self) -> CpuMeter:
        """A meter of who uses the CPU during a phase."""
        return CpuMeter(self.server_pid, self.database)


async def fetch_catalogue(base_url: str) -> tuple[str, str]:
    """Ids of the "Swedish Massage" treatment and of Tel Aviv."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        treatments = (await client.get("/api/v1/treatments")).raise_for_status().json()
        cities = (await client.get("/api/v1/cities")).raise_for_status().json()
    treatment = next(t["id"] for t in treatments if t["name"] == "Swedish Massage")
    city = next(c["id"] for c in cities if c["name"] == "Tel Aviv")
    return treatment, city


async def register_and_login(client: httpx.AsyncClient, customer: Customer, gate: asyncio.Semaphore) -> None:
    """Register the bench customer through the API, then log in once."""
    async with gate:
        body = {"name": f"Bench {customer.phone}", "phone": customer.phone, "password": BENCH_PASSWORD}
        (await client.post("/api/v1/auth/register", json=body)).raise_for_status()
        credentials = {"phone": customer.phone, "password": BENCH_PASSWORD}
        answer = (await client.post("/api/v1/auth/login", json=credentials)).raise_for_status().json()
        customer.token = answer["accessToken"]
        customer.user_id = answer["user"]["id"]


@contextlib.asynccontextmanager
async def open_session(
    base_url: str, count: int, server_pid: int | None, database: str
) -> AsyncIterator[Session]:
    """Register and log in `count` customers; yields a Session whose HTTP clients are closed after."""
    treatment_id, city_id = await fetch_catalogue(base_url)
    customers = [Customer(phone=f"0559{n:06d}") for n in range(1, count + 1)]
    limits = httpx.Limits(max_connections=8, max_keepalive_connections=8)
    clients = [httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) for _ in customers]
    try:
        gate = asyncio.Semaphore(4)
        await asyncio.gather(
            *(register_and_login(c, u, gate) for c, u in zip(clients, customers, strict=True))
        )
        yield Session(
            customers, clients, Workload(treatment_id, city_id, random.Random(7)), server_pid, database
        )
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))


# --- the phases ------------------------------------------------------------------------------------


@dataclass
class ApiResults:
    """Everything measured through the API, plus what pgbench needs."""

    phases: list[PhaseResult]
    user_ids: list[str]
    treatment_id: str
    city_id: str


async def api_phases(cfg: Config, base_url: str, server_pid: int | None, database: str) -> ApiResults:
    """Warm up, the two saturation phases, then the two latency phases at half their maxima."""
    async with open_session(base_url, cfg.clients, server_pid, database) as session:
        if cfg.warmup:
            print(f"warming up for {cfg.warmup:.0f}s ...")
            await closed_loop("warm-up", session, CREATE_HEAVY, cfg.warmup)
        phases = []
        for name, mix in (("create-heavy", CREATE_HEAVY), ("read-heavy", READ_HEAVY)):
            print(f"{name} phase: {cfg.clients} closed-loop clients for {cfg.duration:.0f}s ...")
            phases.append(await closed_loop(name, session, mix, cfg.duration))
            print(phase_line(phases[-1]))
        half = {"create": phases[0].rate("create") / 2, "read": phases[1].rate("read") / 2}
        for kind, mix in (("create", ("create",)), ("read", READ_MIX)):
            rate = max(half[kind], 1.0)
            print(f"{kind} latency phase: open loop at {rate:.0f}/s for {cfg.latency_duration:.0f}s ...")
            phases.append(await open_loop(f"{kind} latency", session, mix, rate, cfg.latency_duration))
            print(phase_line(phases[-1]))
        user_ids = [c.user_id for c in session.customers]
        return ApiResults(phases, user_ids, session.work.treatment_id, session.work.city_id)


# --- pgbench --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PgbenchResult:
    """What pgbench reported."""

    tps: float
    latency_ms: float | None
    failed: int
    cpu: dict[str, float]
    output: str


def run_pgbench(cfg: Config, database: str, api: ApiResults) -> PgbenchResult:
    """pgbench the create transaction with the same client count, -T and -M prepared."""
    command = [
        pg_tool("pgbench"), "-h", cfg.pg_host, "-n", "-M", "prepared",
        "-c", str(cfg.clients), "-j", str(min(cfg.clients, os.cpu_count() or 1)),
        "-T", str(math.ceil(cfg.duration)), "-f", str(PGBENCH_SCRIPT),
        "-D", "uids={" + ",".join(api.user_ids) + "}", "-D", f"nusers={len(api.user_ids)}",
        "-D", f"treatment={api.treatment_id}", "-D", f"city={api.city_id}", database,
    ]  # fmt: skip
    print(f"pgbench: {cfg.clients} clients, -T {math.ceil(cfg.duration)}, -M prepared ...")
    with CpuMeter(None, database) as meter:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=cfg.duration + 120, check=False
        )
    cpu = meter.usage
    if done.returncode != 0:
        raise RuntimeError(f"pgbench failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", done.stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", done.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", done.stdout)
    if tps is None:
        raise RuntimeError(f"no tps in pgbench output:\n{done.stdout}")
    return PgbenchResult(
        tps=float(tps.group(1)),
        latency_ms=float(latency.group(1)) if latency else None,
        failed=int(failed.group(1)) if failed else 0,
        cpu=cpu,
        output=done.stdout,
    )


# --- reporting ------------------------------------------------------------------------------------


def percentile_ms(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of durations in seconds, in milliseconds (NaN when there are none)."""
    return percentile(values, p) * 1000


def latency_text(values: Sequence[float]) -> str:
    """'p50 / p95 / p99' in milliseconds."""
    return " / ".join(f"{percentile_ms(values, p):.1f}" for p in (50, 95, 99))


def cpu_text(cpu: dict[str, float]) -> str:
    """Cores used by each group, e.g. 'client 0.6 server 1.0 postgres 0.3 other 0.0 idle 0.1'."""
    return " ".join(f"{name} {cores:.2f}" for name, cores in cpu.items())


def phase_line(phase: PhaseResult) -> str:
    """A one-paragraph summary of a phase."""
    lines = [f"  {phase.name}: {phase.seconds:.1f}s"]
    for kind in ("create", "read"):
        values = phase.tally.latencies[kind]
        if values:
            rate = f"{phase.rate(kind):8.1f}/s"
            lines.append(f"    {kind:6} {rate}  p50/p95/p99 {latency_text(values)} ms  (n={len(values)})")
    if phase.target_rate is not None:
        lines.append(
            f"    target {phase.target_rate:.1f}/s, worst dispatch lag {phase.max_dispatch_lag * 1000:.1f} ms"
        )
    if phase.tally.errors:
        lines.append(f"    failures: {dict(phase.tally.errors)}")
    lines.append(f"    CPU cores: {cpu_text(phase.cpu)}")
    if len(phase.server_split) > 1:
        lines.append("    server processes' cores: " + " / ".join(f"{c:.2f}" for c in phase.server_split))
    lines.append(f"    CPU ms per request: {cpu_text(phase.cpu_ms_per_request())}")
    return "\n".join(lines)


def summary_rows(api: ApiResults, pgbench: PgbenchResult) -> list[tuple[str, str, str, str]]:
    """(figure, measured, target, verdict) rows of the final table."""
    creates, reads, create_lat, read_lat = api.phases[0], api.phases[1], api.phases[2], api.phases[3]
    create_rate, read_rate = creates.rate("create"), reads.rate("read")
    ratio = create_rate / pgbench.tps if pgbench.tps else math.nan
    create_ms, read_ms = create_lat.tally.latencies["create"], read_lat.tally.latencies["read"]
    p99_target = f"p99 ≤ {TARGET_P99_MS:.0f}"
    return [
        ("API creates/s (create-heavy, saturated)", f"{create_rate:.1f}", "", ""),
        ("pgbench tps (same transaction)", f"{pgbench.tps:.1f}", "", ""),
        (
            "API creates/s ÷ pgbench tps",
            f"{ratio:.1%}",
            f"≥ {TARGET_CREATE_SHARE:.0%}",
            verdict(ratio >= TARGET_CREATE_SHARE),
        ),
        (
            "API reads/s (read-heavy, saturated)",
            f"{read_rate:.1f}",
            f"≥ {TARGET_READS_PER_S:,.0f}/s",
            verdict(read_rate >= TARGET_READS_PER_S),
        ),
        (
            f"create p50/p95/p99 ms @ {create_lat.target_rate:.0f}/s",
            latency_text(create_ms),
            p99_target,
            verdict(percentile_ms(create_ms, 99) <= TARGET_P99_MS),
        ),
        (
            f"read p50/p95/p99 ms @ {read_lat.target_rate:.0f}/s",
            latency_text(read_ms),
            p99_target,
            verdict(percentile_ms(read_ms, 99) <= TARGET_P99_MS),
        ),
    ]


def print_summary(cfg: Config, api: ApiResults, pgbench: PgbenchResult) -> None:
    """The final table."""
    setting = f"{cfg.clients} clients, {cfg.workers} server workers, {os.cpu_count()} CPUs"
    print(f"\n=== {datetime.now():%Y-%m-%d %H:%M} — {setting} ===")
    print_table([("figure", "measured", "target", "result"), *summary_rows(api, pgbench)])
    print(f"pgbench latency average {pgbench.latency_ms} ms, failed transactions {pgbench.failed}")
    print(f"pgbench CPU cores: {cpu_text(pgbench.cpu)}")
    per_tx = {group: pgbench.cpu[group] * 1000 / max(pgbench.tps, 1e-9) for group in ("client", "postgres")}
    print(f"pgbench CPU ms per transaction: {cpu_text(per_tx)}")
    others = [p.cpu["other"] for p in api.phases] + [pgbench.cpu["other"]]
    print(f"CPU used by unrelated processes during the measured phases: {max(others):.2f} cores at most")


def write_results(cfg: Config, api: ApiResults, pgbench: PgbenchResult) -> None:
    """The raw figures, for the README or for comparing runs."""
    if cfg.json_path is None:
        return
    phases = {
        p.name: {
            "seconds": p.seconds,
            "target_rate": p.target_rate,
            "errors": dict(p.tally.errors),
            "cpu_cores": p.cpu,
            **{
                kind: {"rate": p.rate(kind), **{f"p{q}_ms": percentile_ms(v, q) for q in (50, 95, 99)}}
                for kind, v in p.tally.latencies.items()
                if v
            },
        }
        for p in api.phases
    }
    pgbench_figures = {"tps": pgbench.tps, "latency_ms": pgbench.latency_ms, "cpu_cores": pgbench.cpu}
    write_json(cfg.json_path, cfg, phases=phases, pgbench=pgbench_figures)


# --- main -----------------------------------------------------------------------------------------


def run(cfg: Config, resources: Resources) -> None:
    """The whole benchmark; `resources` records what to clean up."""
    busy = busy_cores(2.0)
    print(f"background load before start: {busy:.2f} of {os.cpu_count()} cores busy")
    warn_if_busy(busy)
    print(f"creating database on {cfg.pg_host} ...")
    database = resources.create_database()
    url = database_url(cfg.pg_host, database)
    prepare_database(url, resources.workdir)
    base_url = start_server(resources, url, cfg.workers)
    wait_healthy(resources, base_url)
    server_pid = resources.server.pid if resources.server else None
    print(f"server up at {base_url} ({cfg.workers} workers), database {database}")
    api = run_async(lambda: api_phases(cfg, base_url, server_pid, database))
    resources.stop_server()  # pgbench measures PostgreSQL alone
    pgbench = run_pgbench(cfg, database, api)
    print_summary(cfg, api, pgbench)
    write_results(cfg, api, pgbench)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run, and always stop the server and drop the database (every step is bounded)."""
    cfg = parse_args(argv)
    resources = Resources(pg_host=cfg.pg_host)
    errors = (RuntimeError, subprocess.SubprocessError, httpx.HTTPError)
    return run_and_clean_up(lambda: run(cfg, resources), resources, errors)


if __name__ == "__main__":
    sys.exit(main())
