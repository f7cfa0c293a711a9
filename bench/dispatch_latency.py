"""Dispatch latency on PostgreSQL: from an event's COMMIT to the start of its handler in `masu worker`.

Run from the project root (about 45 seconds with the defaults; --time-limit bounds it):

    .venv/bin/python bench/dispatch_latency.py [--rate 200] [--duration 30] [--workers 1]

It creates a throw-away database, migrates it (`upgrade_database`), starts `masu worker` processes that load
bench/latency_plugin.py through EVENT_HANDLER_PLUGINS, then commits one `review.replied` event per transaction
with `append_event` (as the services do, so the outbox's NOTIFY trigger fires) at a fixed rate, open loop.
The producer stamps each event with time.time() right after COMMIT returns; the handler stores time.time()
as its first statement; latency is the difference (same machine, same clock). Between an unrecorded warm-up
and an unrecorded cool-down (so the last recorded events are handled under load too) it records --duration
seconds, waits (bounded) until every event was handled, and prints p50/p95/p99/max against the target:
p95 under 200 ms at 200 events/s.

The workers are always stopped and the database always dropped, also on Ctrl-C, SIGTERM, error or time-out.
See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from bench_support import (
    CLOCK_TICKS,
    ScratchResources,
    add_other_and_idle,
    add_run_options,
    busy_cores,
    database_url,
    elapsed,
    is_bench_postgres,
    log,
    machine_ticks,
    masu_env,
    parse_config,
    percentile,
    print_table,
    process_ticks,
    run_and_clean_up,
    run_async,
    stop_process_group,
    verdict,
    warn_if_busy,
    write_json,
)
from latency_plugin import CREATE_TABLE_SQL, TABLE, ping
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from masu.events.outbox import append_event
from masu.persistence.database import create_engine, create_session_factory, upgrade_database

BIN = Path(sys.executable).parent
BENCH_DIR = Path(__file__).resolve().parent
TARGET_P95_MS = 200.0
TARGET_RATE = 200.0
RATE_TOLERANCE = 0.98  # the producer "ran at 200/s" if it committed at least 98 % of that


# --- configuration -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """Load, duration, workers and where PostgreSQL is."""

    rate: float
    duration: float
    warmup: float
    cooldown: float
    workers: int
    poll_seconds: float
    drain_timeout: float
    pg_host: str
    time_limit: float
    keep_database: bool
    json_path: Path | None


def parse_args(argv: Sequence[str] | None = None) -> Config:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    add = parser.add_argument
    add("--rate", type=float, default=TARGET_RATE, help="events committed per second (open loop)")
    add("--duration", type=float, default=30, help="seconds of recorded load")
    add("--warmup", type=float, default=3, help="seconds of unrecorded load before it")
    add("--cooldown", type=float, default=2, help="seconds of unrecorded load after it (steady to the end)")
    add("--workers", type=int, default=1, help="`masu worker` processes")
    add("--poll-seconds", type=float, default=1.0, help="WORKER_POLL_SECONDS of the workers (the fallback)")
    add("--drain-timeout", type=float, default=30, help="seconds to wait for the last events to be handled")
    add_run_options(parser, time_limit=150)
    cfg = parse_config(parser, argv, Config)
    if cfg.rate <= 0 or cfg.duration <= 0 or cfg.poll_seconds <= 0 or cfg.workers < 1:
        parser.error("need --rate, --duration, --poll-seconds > 0 and --workers >= 1")
    if cfg.warmup < 0 or cfg.cooldown < 0:
        parser.error("need --warmup, --cooldown >= 0")
    return cfg


# --- database and worker processes ---------------------------------------------------------------


@dataclass
class Resources(ScratchResources):
    """What the run created and must remove again, whatever happens: database, workers, scratch directory."""

    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def stop_workers(self) -> None:
        """Stop every worker this run started."""
        while self.workers:
            stop_process_group(self.workers.pop(), grace=10)

    def cleanup(self) -> None:
        """Stop the workers, drop the bench database, remove the scratch directory."""
        self.stop_workers()
        super().cleanup()


def worker_env(url: str, poll_seconds: float) -> dict[str, str]:
    """Environment for `masu worker`: the bench database, its poll interval, and the latency plugin."""
    return masu_env(
        url,
        WORKER_POLL_SECONDS=str(poll_seconds),
        EVENT_HANDLER_PLUGINS="latency_plugin:register",
        PYTHONPATH=str(BENCH_DIR),  # the console script does not put the project root on sys.path
    )


def start_workers(resources: Resources, url: str, cfg: Config) -> None:
    """Start `masu worker` processes, each in its own process group, logging to the scratch directory."""
    for index in range(cfg.workers):
        env = worker_env(url, cfg.poll_seconds)
        resources.workers.append(resources.start([str(BIN / "masu"), "worker"], env, f"worker{index}.log"))


def worker_log_tail(resources: Resources, lines: int = 30) -> str:
    """The end of every worker's output, for error messages."""
    names = sorted(path.name for path in resources.workdir.glob("worker*.log"))
    return "\n".join(f"--- {name}\n{resources.log_tail(name, lines)}" for name in names)


def check_workers_alive(resources: Resources) -> None:
    """Fail at once if a worker exited: every later figure would be meaningless."""
    for process in resources.workers:
        if process.poll() is not None:
            tail = worker_log_tail(resources)
            raise RuntimeError(f"worker {process.pid} exited with {process.returncode}:\n{tail}")


async def scalar(engine: AsyncEngine, query: str, **params: Any) -> Any:
    """One value from one statement, in its own transaction."""
    async with engine.begin() as connection:
        return (await connection.execute(sa.text(query), params)).scalar_one()


async def wait_for_workers(engine: AsyncEngine, resources: Resources, within: float = 90) -> None:
    """Until every worker wrote a heartbeat: it beats after its first pass, and LISTENs before it."""
    deadline = time.monotonic() + within
    pids = {str(process.pid) for process in resources.workers}
    while time.monotonic() < deadline:
        check_workers_alive(resources)
        ids = await engine_ids(engine)
        if pids <= {worker_id.split(":")[-2] for worker_id in ids if worker_id.count(":") >= 2}:
            return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"workers not up after {within:.0f}s:\n{worker_log_tail(resources)}")


async def engine_ids(engine: AsyncEngine) -> list[str]:
    """The worker ids (`host:pid:object`) that have written a heartbeat."""
    async with engine.begin() as connection:
        return list((await connection.execute(sa.text("SELECT worker_id FROM worker_heartbeats"))).scalars())


# --- CPU accounting from /proc ---------------------------------------------------------------------


@dataclass
class CpuSnapshot:
    """CPU ticks per group of processes at one moment."""

    at: float
    machine: tuple[int, int]
    ticks: dict[int, tuple[str, int]]


def cpu_snapshot(worker_pids: set[int], database: str) -> CpuSnapshot:
    """Ticks of the workers, this bench (the producer), and PostgreSQL's processes for the bench database."""
    grouped: dict[int, tuple[str, int]] = {}
    for pid, (_parent, name, ticks) in process_ticks().items():
        if pid in worker_pids:
            grouped[pid] = ("workers", ticks)
        elif pid == os.getpid():
            grouped[pid] = ("producer", ticks)
        elif name == "postgres" and is_bench_postgres(pid, database):
            grouped[pid] = ("postgres", ticks)
    return CpuSnapshot(time.monotonic(), machine_ticks(), grouped)


def cpu_usage(first: CpuSnapshot, last: CpuSnapshot) -> dict[str, float]:
    """Cores used per group between two snapshots (a process that appeared in between counts from 0)."""
    seconds = max(last.at - first.at, 1e-9) * CLOCK_TICKS
    usage = dict.fromkeys(("producer", "workers", "postgres"), 0.0)
    for pid, (group, ticks) in last.ticks.items():
        usage[group] += (ticks - first.ticks.get(pid, (group, 0))[1]) / seconds
    add_other_and_idle(usage, first.machine, last.machine, seconds)
    return usage


# --- the producer ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sent:
    """One committed event: when it was due, when its transaction started, when COMMIT returned."""

    event_id: int
    intended: float
    started: float
    committed: float


@dataclass
class Production:
    """What the producer committed: the warm-up, the recorded part and the cool-down."""

    warmup: list[Sent] = field(default_factory=list)
    recorded: list[Sent] = field(default_factory=list)
    cooldown: list[Sent] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    max_start_lag: float = 0.0
    window: tuple[float, float] = (0.0, 0.0)  # wall-clock start and end of the recorded schedule
    cpu_start: CpuSnapshot | None = None  # taken when the recording starts
    cpu_end: CpuSnapshot | None = None  # and when it ends
    cpu_windows: list[dict[str, float]] = field(default_factory=list)  # cores per 5 s of the recording


async def commit_one(sessions: async_sessionmaker[AsyncSession], seq: int, intended: float) -> Sent:
    """One business transaction that appends one event, the way the services do; stamps COMMIT's return."""
    started = time.time()
    async with sessions() as session:
        event = append_event(session, ping(seq), now=datetime.now(UTC))
        await session.commit()
        # Before the session closes: returning the connection to the pool is not part of the commit.
        committed = time.time()
    return Sent(event.id, intended, started, committed)


async def send(
    sessions: async_sessionmaker[AsyncSession], seq: int, intended: float, into: list[Sent], prod: Production
) -> None:
    """Commit one event and file it; a failure is counted, not raised (the schedule goes on)."""
    try:
        into.append(await commit_one(sessions, seq, intended))
    except (SQLAlchemyError, OSError) as exc:
        prod.failures[type(exc).__name__] += 1


@dataclass(frozen=True)
class Probe:
    """What the progress lines look at: the database, and the processes whose CPU is counted."""

    engine: AsyncEngine
    worker_pids: set[int]
    database: str

    def snapshot(self) -> CpuSnapshot:
        """CPU ticks of the groups now."""
        return cpu_snapshot(self.worker_pids, self.database)


async def produce(sessions: async_sessionmaker[AsyncSession], cfg: Config, probe: Probe) -> Production:
    """Open loop: event i starts at start + i/rate whether or not earlier ones have committed."""
    prod = Production()
    warmup_count = round(cfg.rate * cfg.warmup)
    recorded_end = warmup_count + max(1, round(cfg.rate * cfg.duration))
    total = recorded_end + round(cfg.rate * cfg.cooldown)
    tasks: list[asyncio.Task[None]] = []
    start, wall_start = time.perf_counter() + 0.05, time.time() + 0.05
    prod.window = (wall_start + warmup_count / cfg.rate, wall_start + recorded_end / cfg.rate)
    progress = asyncio.create_task(report_progress(probe, prod))
    try:
        for seq in range(total):
            delay = start + seq / cfg.rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            lag = time.perf_counter() - (start + seq / cfg.rate)
            recorded = warmup_count <= seq < recorded_end
            if recorded:
                prod.max_start_lag = max(prod.max_start_lag, lag)
            into = prod.recorded if recorded else prod.warmup if seq < warmup_count else prod.cooldown
            intended = wall_start + seq / cfg.rate
            tasks.append(asyncio.create_task(send(sessions, seq, intended, into, prod)))
        await asyncio.gather(*tasks)
        # Let the last progress line (due at the end of the schedule) come out and record its CPU window.
        await asyncio.wait({progress}, timeout=2.0)
    finally:
        progress.cancel()
        for task in tasks:
            task.cancel()
    return prod


async def report_progress(probe: Probe, prod: Production, every: float = 5.0) -> None:
    """After the warm-up, then every few seconds: committed, handled, backlog, and where the CPU went."""
    warmup_start = probe.snapshot()
    await asyncio.sleep(max(0.0, prod.window[0] - time.time()))
    prod.cpu_start = previous = probe.snapshot()
    await log_progress(probe, prod, "warm-up done", cpu_usage(warmup_start, previous))
    for tick in range(1, math.ceil((prod.window[1] - prod.window[0]) / every) + 1):
        await asyncio.sleep(max(0.0, min(prod.window[0] + tick * every, prod.window[1]) - time.time()))
        current = probe.snapshot()
        usage = cpu_usage(previous, current)
        prod.cpu_windows.append(usage)
        prod.cpu_end = previous = current
        await log_progress(probe, prod, "recording", usage)


async def log_progress(probe: Probe, prod: Production, phase: str, usage: dict[str, float]) -> None:
    """One progress line: events committed and handled so far, and the cores each group used."""
    handled = await scalar(probe.engine, f"SELECT count(*) FROM {TABLE}")
    committed = len(prod.warmup) + len(prod.recorded) + len(prod.cooldown)
    cores = " ".join(f"{k} {v:.2f}" for k, v in usage.items() if k != "idle")
    backlog = committed - handled
    log(f"{phase}: {committed:,} committed, {handled:,} handled, backlog {backlog:,}; cores: {cores}")


# --- collecting the results ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Handled:
    """A handler start as the plugin stored it, and the pass it ran in (`handled_at` is the pass's `now`)."""

    started_at: float
    pid: int
    runs: int
    pass_now: float | None


async def wait_drained(engine: AsyncEngine, resources: Resources, prod: Production, within: float) -> None:
    """Wait until every recorded and later event has a handler start (at most `within` seconds)."""
    ids = [sent.event_id for sent in prod.recorded + prod.cooldown]
    query = f"SELECT count(DISTINCT event_id) FROM {TABLE} WHERE event_id = ANY(:ids)"
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        check_workers_alive(resources)
        if await scalar(engine, query, ids=ids) >= len(ids):
            return
        await asyncio.sleep(0.1)


async def fetch_handled(engine: AsyncEngine) -> dict[int, Handled]:
    """Every event's first handler start, how many times the handler ran, and its pass's `now`."""
    query = f"""
        SELECT s.event_id, min(s.started_at), min(s.pid), count(*),
               extract(epoch FROM min(o.handled_at))::float8
        FROM {TABLE} s LEFT JOIN outbox_events o ON o.id = s.event_id
        GROUP BY s.event_id
    """
    async with engine.begin() as connection:
        rows = (await connection.execute(sa.text(query))).all()
    return {int(r[0]): Handled(float(r[1]), int(r[2]), int(r[3]), r[4]) for r in rows}


@dataclass
class Results:
    """Every figure of the run, in milliseconds unless the name says otherwise."""

    started_at: str
    background_cores: float
    target_rate: float
    committed: int
    handled: int
    missing: int
    repeated: int
    failed_commits: dict[str, int]
    achieved_rate: float
    latency_ms: dict[str, float]
    wake_ms: dict[str, float]
    in_pass_ms: dict[str, float]
    transaction_ms: dict[str, float]
    max_start_lag_ms: float
    passes: int
    events_per_pass: dict[str, float]
    per_worker: dict[str, int]
    p95_by_window_ms: list[float]
    other_cores_by_window: list[float]
    drain_seconds: float
    last_event_ms: float
    cpu_cores: dict[str, float]
    cpu_ms_per_event: dict[str, float]


def spread_ms(seconds: Sequence[float]) -> dict[str, float]:
    """p50 / p95 / p99 / max (and min) of durations, in milliseconds."""
    figures = {f"p{p}": percentile(seconds, p) * 1000 for p in (50, 95, 99)}
    figures["max"] = max(seconds, default=math.nan) * 1000
    figures["min"] = min(seconds, default=math.nan) * 1000
    return figures


def pass_sizes(handled: Sequence[Handled]) -> list[int]:
    """Events handled per worker pass (events of one pass share the pass's `now`)."""
    sizes = Counter((h.pid, h.pass_now) for h in handled if h.pass_now is not None)
    return list(sizes.values())


def p95_by_window(found: Sequence[tuple[Sent, Handled]], start: float, seconds: float = 5.0) -> list[float]:
    """p95 latency per slice of the recorded schedule: a rising series means the worker falls behind."""
    windows: dict[int, list[float]] = {}
    for sent, handled in found:
        windows.setdefault(int((sent.intended - start) // seconds), []).append(
            handled.started_at - sent.committed
        )
    return [percentile(windows[index], 95) * 1000 for index in sorted(windows)]


def last_event_latency(prod: Production, handled: dict[int, Handled]) -> float:
    """Commit → handler start of the very last event, after which the load stops (NaN if unhandled)."""
    everything = prod.warmup + prod.recorded + prod.cooldown
    if not everything:
        return math.nan
    last = max(everything, key=lambda sent: sent.committed)
    return (
        (handled[last.event_id].started_at - last.committed) * 1000 if last.event_id in handled else math.nan
    )


def drain_time(prod: Production, handled: dict[int, Handled]) -> float:
    """Seconds from the last COMMIT of the load to the last handler start."""
    commits = [sent.committed for sent in prod.warmup + prod.recorded + prod.cooldown]
    return max((h.started_at for h in handled.values()), default=math.nan) - max(commits, default=math.nan)


def summarise(
    prod: Production, handled: dict[int, Handled], cpu: dict[str, float], context: dict[str, Any]
) -> Results:
    """Turn the producer's stamps and the handlers' stamps into the figures."""
    sent = prod.recorded
    found = [(s, handled[s.event_id]) for s in sent if s.event_id in handled]
    sizes = pass_sizes([h for _, h in found])
    first_start = min((s.intended for s in sent), default=prod.window[0])
    last_commit = max((s.committed for s in sent), default=prod.window[1])
    achieved = len(sent) / max(last_commit - first_start, 1e-9)
    return Results(
        committed=len(sent),
        handled=len(found),
        missing=len(sent) - len(found),
        repeated=sum(1 for _, h in found if h.runs > 1),
        failed_commits=dict(prod.failures),
        achieved_rate=achieved,
        latency_ms=spread_ms([h.started_at - s.committed for s, h in found]),
        wake_ms=spread_ms([h.pass_now - s.committed for s, h in found if h.pass_now is not None]),
        in_pass_ms=spread_ms([h.started_at - h.pass_now for _, h in found if h.pass_now is not None]),
        transaction_ms=spread_ms([s.committed - s.started for s in sent]),
        max_start_lag_ms=prod.max_start_lag * 1000,
        passes=len(sizes),
        events_per_pass={
            "mean": statistics.fmean(sizes) if sizes else math.nan,
            "max": float(max(sizes, default=0)),
        },
        per_worker={str(pid): n for pid, n in sorted(Counter(h.pid for _, h in found).items())},
        p95_by_window_ms=p95_by_window(found, first_start),
        last_event_ms=last_event_latency(prod, handled),
        drain_seconds=drain_time(prod, handled),
        other_cores_by_window=[window["other"] for window in prod.cpu_windows],
        cpu_cores=cpu,
        cpu_ms_per_event={k: v * 1000 / max(achieved, 1e-9) for k, v in cpu.items() if k != "idle"},
        **context,
    )


# --- reporting ------------------------------------------------------------------------------------


def four(figures: dict[str, float]) -> str:
    """'p50 / p95 / p99 / max' with one decimal."""
    return " / ".join(f"{figures[k]:.1f}" for k in ("p50", "p95", "p99", "max"))


def target_met(r: Results) -> bool:
    """p95 under 200 ms, at 200 events/s (or more), with no event lost and no commit failed."""
    rate_ok = r.achieved_rate >= RATE_TOLERANCE * TARGET_RATE
    complete = r.missing == 0 and not r.failed_commits
    return rate_ok and complete and r.latency_ms["p95"] < TARGET_P95_MS


def summary_rows(r: Results) -> list[tuple[str, str, str, str]]:
    """(figure, measured, target, result) rows of the final table."""
    rate_ok = r.achieved_rate >= RATE_TOLERANCE * TARGET_RATE
    p95 = r.latency_ms["p95"]
    cpu = " ".join(f"{k} {v:.2f}" for k, v in r.cpu_cores.items())
    cpu_ms = " ".join(f"{k} {v:.2f}" for k, v in r.cpu_ms_per_event.items())
    mx = r.events_per_pass["max"]
    return [
        (
            "events committed / handled / missing",
            f"{r.committed:,} / {r.handled:,} / {r.missing:,}",
            "0 missing",
            verdict(r.missing == 0),
        ),
        ("achieved commit rate", f"{r.achieved_rate:.1f}/s", f"≥ {TARGET_RATE:.0f}/s", verdict(rate_ok)),
        (
            "commit → handler start p50 / p95 / p99 / max ms",
            four(r.latency_ms),
            f"p95 < {TARGET_P95_MS:.0f}",
            verdict(p95 < TARGET_P95_MS),
        ),
        ("  commit → pass start (wake-up) ms", four(r.wake_ms), "", ""),
        ("  pass start → handler start ms", four(r.in_pass_ms), "", ""),
        ("last event of the load (then quiet) ms", f"{r.last_event_ms:.1f}", "", ""),
        ("producer transaction ms", four(r.transaction_ms), "", ""),
        ("worst producer start lag", f"{r.max_start_lag_ms:.1f} ms", "", ""),
        ("passes with events", f"{r.passes:,}", "", ""),
        ("events per pass mean / max", f"{r.events_per_pass['mean']:.1f} / {mx:.0f}", "", ""),
        ("CPU cores", cpu, "", ""),
        ("CPU ms per event", cpu_ms, "", ""),
        (
            f"p95 < {TARGET_P95_MS:.0f} ms at {TARGET_RATE:.0f} events/s",
            f"p95 {p95:.1f} ms at {r.achieved_rate:.1f}/s",
            "",
            verdict(target_met(r)),
        ),
    ]


def print_summary(cfg: Config, r: Results) -> None:
    """The final table and the notes under it."""
    setting = f"{cfg.rate:.0f} events/s, {cfg.duration:.0f}s, {cfg.workers} worker(s), {os.cpu_count()} CPUs"
    print(f"\n=== {r.started_at} - {setting} ===")
    print_table([("figure", "measured", "target", "result"), *summary_rows(r)])
    print(
        f"events per worker: {r.per_worker}; handled twice: {r.repeated}; failed commits: {r.failed_commits}"
    )
    print("p95 ms per 5 s of the schedule:   " + " ".join(f"{v:6.0f}" for v in r.p95_by_window_ms))
    print("cores of unrelated processes:     " + " ".join(f"{v:6.2f}" for v in r.other_cores_by_window))
    print(
        f"min latency {r.latency_ms['min']:.1f} ms; all handled {r.drain_seconds:.1f}s after the last commit"
    )
    print(f"background load before start: {r.background_cores:.2f} cores busy")


# --- main -----------------------------------------------------------------------------------------


async def measure(cfg: Config, resources: Resources, url: str, background: float) -> Results:
    """Start the workers, produce, drain, collect; the workers are stopped before the figures are read."""
    assert resources.database is not None
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(sa.text(CREATE_TABLE_SQL))
        start_workers(resources, url, cfg)
        log(f"started {cfg.workers} worker(s); waiting for their first heartbeat ...")
        await wait_for_workers(engine, resources)
        probe = Probe(engine, {process.pid for process in resources.workers}, resources.database)
        log(
            f"producing {cfg.rate:.0f} events/s: {cfg.warmup:.0f}s warm-up, {cfg.duration:.0f}s recorded, "
            f"{cfg.cooldown:.0f}s cool-down"
        )
        started_at = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        first = probe.snapshot()
        prod = await produce(create_session_factory(engine), cfg, probe)
        cpu = cpu_usage(prod.cpu_start or first, prod.cpu_end or probe.snapshot())
        log(f"committed {len(prod.recorded):,} recorded events; waiting for every event to be handled ...")
        await wait_drained(engine, resources, prod, cfg.drain_timeout)
        resources.stop_workers()
        handled = await fetch_handled(engine)
    finally:
        await engine.dispose()
    context = {"started_at": started_at, "background_cores": background, "target_rate": cfg.rate}
    return summarise(prod, handled, cpu, context)


def run(cfg: Config, resources: Resources) -> None:
    """The whole benchmark; `resources` records what to clean up."""
    background = busy_cores(2.0)
    log(f"background load: {background:.2f} of {os.cpu_count()} cores busy")
    warn_if_busy(background)
    database = resources.create_database()
    url = database_url(cfg.pg_host, database)
    log(f"database {database}: migrating ...")
    upgrade_database(url)
    remaining = cfg.time_limit - elapsed()
    results = run_async(lambda: asyncio.wait_for(measure(cfg, resources, url, background), timeout=remaining))
    print_summary(cfg, results)
    write_json(cfg.json_path, cfg, results=asdict(results))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run, and always stop the workers and drop the database (every step is bounded)."""
    cfg = parse_args(argv)
    resources = Resources(pg_host=cfg.pg_host, keep=cfg.keep_database)
    errors = (RuntimeError, OSError, subprocess.SubprocessError, SQLAlchemyError)
    return run_and_clean_up(lambda: run(cfg, resources), resources, errors, cfg.time_limit)


if __name__ == "__main__":
    sys.exit(main())
