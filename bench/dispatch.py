"""Dispatch benchmarks on PostgreSQL: ranking candidates among 100,000 professionals, and the due-work pass.

Run from the project root (about 5.5 minutes with the defaults on 2 vCPUs; --time-limit bounds it):

    .venv/bin/python bench/dispatch.py [--rank-runs 30 --rank-budget 60] [--passes 5] [--large 1000000]

It creates a throw-away database, migrates it (`upgrade_database`), loads the demo data, then bulk-inserts
with one `INSERT ... SELECT ... generate_series(...)` per table: 100,000 approved professionals (10,000 of
them covering Tel Aviv, a fifth of those with offer, review and job history) and bookings up to 10,000.
It measures:

1. `services.matching.next_candidates` (the first wave, 5 professionals) for one pending Tel Aviv booking
   (Swedish Massage, 60 min): p50/p95/max of warm runs, split into the best-first query
   (`matching_queries.best_free_professionals`), the facts of those picked (`professional_facts`) and the
   domain's judgement (`domain.matching.evaluate`), with EXPLAIN ANALYZE of every statement it sends;
2. one `Worker.run_once(now)` pass over a fixed set of due work (offers past their deadline, visits nobody
   took; reset before every pass) with 10,000 bookings, then again after bulk-adding bookings up to
   1,000,000: the median pass time and its parts, the ratio, the EXPLAIN ANALYZE plans of the timer queries
   and the outbox claim, and the re-ranking each offer.expired handler does;
3. `services.availability.open_slots` (the booking wizard's time step) for Tel Aviv days the bench's
   professionals can serve, and for a case where nobody can (Swedish Massage 90 with a woman, whose only
   providers in the city are booked all that day): p50/p95/max, slots found, statements per call, and EXPLAIN
   ANALYZE of the query that reads the candidates' hours; at 10,000 bookings and again at --large.

It prints a table against the targets and drops the database again, also on Ctrl-C, error or time-out.
See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import inspect
import itertools
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from unittest import mock

import asyncpg
from bench_support import (
    BenchResources,
    add_run_options,
    busy_cores,
    database_url,
    elapsed,
    log,
    parse_config,
    percentile,
    print_table,
    run_and_clean_up,
    verdict,
    warn_if_busy,
    write_json,
)
from sqlalchemy import event

from masu.bootstrap import Container, build_container
from masu.clock import SettableClock
from masu.config import Settings
from masu.domain.pricing import BUSINESS_TZ
from masu.events.dispatcher import Dispatcher
from masu.observability.logging import configure_logging
from masu.persistence.database import upgrade_database
from masu.persistence.models import Booking
from masu.persistence.queries import matching as matching_queries
from masu.services.account.accounts import Passwords
from masu.services.booking import availability
from masu.services.booking.availability import SlotQuery
from masu.services.dispatch import handlers as dispatch_handlers
from masu.services.dispatch import matching as matching_service
from masu.services.dispatch import waves as dispatch_service
from masu.services.operations.demo_data import load_demo_data
from masu.services.professional import standing as standing_service
from masu.worker import timers
from masu.worker.runner import Worker

TARGET_RANK_P95_MS = 50.0
WAVE = 5  # MAX_PROFESSIONAL_RESPONSES: the first wave is what dispatch asks matching for
TARGET_PASS_RATIO = 1.5  # "about the same cost": 1,000,000 bookings at most 1.5x the 10,000 pass
TIMER_TABLES = ("bookings", "offers", "outbox_events")
T = TypeVar("T")


# --- configuration -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """Data sizes, repetitions and where PostgreSQL is."""

    pros: int
    city_pros: int
    customers: int
    rank_runs: int
    rank_budget: float
    rank_runs_large: int
    small: int
    large: int
    passes: int
    pass_budget: float
    due_offers: int
    unstaffed: int
    slot_runs: int
    slot_budget: float
    slot_runs_large: int
    pg_host: str
    time_limit: float
    keep_database: bool
    json_path: Path | None

    @property
    def history_pros(self) -> int:
        """Tel Aviv professionals with offer, review and job history: every fifth one."""
        return self.city_pros // 5

    @property
    def history_bookings(self) -> int:
        """Bookings behind that history (each offered to five of them, one accepted)."""
        return 2 * self.history_pros


def parse_args(argv: Sequence[str] | None = None) -> Config:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    add = parser.add_argument
    add("--pros", type=int, default=100_000, help="professionals in the database")
    add("--city-pros", type=int, default=10_000, help="of them covering Tel Aviv (the booking's city)")
    add("--customers", type=int, default=50_000, help="customers the bookings belong to")
    add("--rank-runs", type=int, default=30, help="timed ranking runs at most (after 1 unrecorded one)")
    add("--rank-budget", type=float, default=60, help="seconds of ranking runs at most (but 5 runs at least)")
    add("--rank-runs-large", type=int, default=3, help="ranking runs again at --large bookings (0: skip)")
    add("--small", type=int, default=10_000, help="bookings for the first due-work measurement")
    add("--large", type=int, default=1_000_000, help="bookings for the second due-work measurement")
    add("--passes", type=int, default=5, help="timed worker passes per size at most (after 1 unrecorded)")
    add(
        "--pass-budget", type=float, default=30, help="seconds of passes per size at most (3 passes at least)"
    )
    add("--due-offers", type=int, default=20, help="offers past their deadline in every pass")
    add("--unstaffed", type=int, default=20, help="visits that came with nobody assigned, every pass")
    add("--slot-runs", type=int, default=30, help="timed open_slots calls per case set at most")
    add("--slot-budget", type=float, default=30, help="seconds of open_slots calls per case set at most")
    add("--slot-runs-large", type=int, default=6, help="open_slots calls again at --large bookings (0: skip)")
    add_run_options(parser, time_limit=420)
    cfg = parse_config(parser, argv, Config)
    fixed = cfg.history_bookings + cfg.due_offers + cfg.unstaffed + 1
    if not 5 <= cfg.city_pros < cfg.pros or min(cfg.rank_runs, cfg.passes, cfg.customers, cfg.due_offers) < 1:
        parser.error(
            "need 5 <= --city-pros < --pros; positive --rank-runs, --passes, --customers, --due-offers"
        )
    if cfg.unstaffed < 0 or cfg.due_offers + cfg.unstaffed > cfg.pros:
        parser.error("need 0 <= --unstaffed and --due-offers + --unstaffed <= --pros")
    if cfg.slot_runs < 1 or cfg.slot_runs_large < 0:
        parser.error("need a positive --slot-runs and 0 <= --slot-runs-large")
    if not fixed < cfg.small <= cfg.large:
        parser.error(f"need {fixed} < --small <= --large (history, due and target bookings come first)")
    return cfg


async def repeat(step: Callable[[], Awaitable[T]], most: int, budget: float, least: int) -> list[T]:
    """Run `step` up to `most` times, stopping early once `budget` seconds are spent and `least` ran."""
    started, results = time.monotonic(), []
    while len(results) < most and (len(results) < least or time.monotonic() - started < budget):
        results.append(await step())
    return results


# --- the database --------------------------------------------------------------------------------


def bench_settings(url: str) -> Settings:
    """The application's settings for the bench: defaults, this database, no .env, quiet."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        DATABASE_URL=url,
        REDIS_URL=None,
        LOG_LEVEL="WARNING",
        SMS_BACKEND="memory",
        EMAIL_BACKEND="memory",
        ENABLE_PROFESSIONAL_MATCHING=True,
        MAX_PROFESSIONAL_RESPONSES=5,
        PROFESSIONAL_RESPONSE_TIMEOUT_MINUTES=15,
        EVENT_HANDLER_PLUGINS="",
    )


# --- bulk data (one INSERT ... SELECT per table) -------------------------------------------------

HELPER_SQL = (
    """CREATE UNLOGGED TABLE bench_city AS
       SELECT (row_number() OVER (ORDER BY name <> 'Tel Aviv', name))::int AS idx, id, name,
              latitude AS lat, longitude AS lng
       FROM cities""",
    """CREATE UNLOGGED TABLE bench_pro AS
       SELECT g, md5('pro' || g) AS id,
              CASE WHEN g <= {city_pros} THEN 1 ELSE 2 + g % {others} END AS home,
              CASE WHEN g <= {city_pros} THEN 2 + g % {others} ELSE 2 + (g + 1) % {others} END AS second
       FROM generate_series(1, {pros}) AS g""",
    "ALTER TABLE bench_pro ADD PRIMARY KEY (g)",
    """CREATE UNLOGGED TABLE bench_history_pro AS
       SELECT (row_number() OVER (ORDER BY g))::int AS k, id
       FROM bench_pro WHERE home = 1 AND g % 5 = 0""",
)

PROFESSIONAL_SQL = (
    """INSERT INTO users (id, name, phone, email, password_hash, gender, language, notify_by_sms,
                          notify_by_email, is_active, created_at)
       SELECT id, 'Bench Pro ' || g, '+97258' || lpad(g::text, 7, '0'), NULL, 'bench-no-login',
              CASE WHEN g % 2 = 0 THEN 'male' ELSE 'female' END, 'he', true, true, true,
              $1::timestamptz - make_interval(days => 30 + g % 700)
       FROM bench_pro""",
    """INSERT INTO users (id, name, phone, email, password_hash, gender, language, notify_by_sms,
                          notify_by_email, is_active, created_at)
       SELECT md5('cust' || g), 'Bench Customer ' || g, '+97253' || lpad(g::text, 7, '0'), NULL,
              'bench-no-login', NULL, 'he', true, true, true, $1::timestamptz - make_interval(days => g % 700)
       FROM generate_series(1, {customers}) AS g""",
    """INSERT INTO user_roles (user_id, role)
       SELECT id, 'professional' FROM bench_pro
       UNION ALL SELECT md5('cust' || g), 'customer' FROM generate_series(1, {customers}) AS g""",
    """INSERT INTO professional_profiles (user_id, status, is_active, bio, base_latitude, base_longitude,
                                          service_radius_km, approved_at, created_at)
       SELECT p.id, 'approved', true, NULL, c.lat + (p.g % 101 - 50) / 2000.0,
              c.lng + (p.g % 97 - 48) / 2000.0, NULL,
              $1::timestamptz - make_interval(days => 20 + p.g % 700),
              $1::timestamptz - make_interval(days => 30 + p.g % 700)
       FROM bench_pro p JOIN bench_city c ON c.idx = p.home""",
    """INSERT INTO professional_treatments (professional_id, treatment_id, duration_minutes, professional_pay)
       SELECT id, '{swedish}', 60, NULL::int FROM bench_pro
       UNION ALL SELECT id, '{swedish}', 90, NULL FROM bench_pro WHERE g % 2 = 0
       UNION ALL SELECT id, '{deep}', 60, NULL FROM bench_pro WHERE g % 3 = 0""",
    """INSERT INTO working_hours (professional_id, weekday, start_minute, end_minute)
       SELECT p.id, d, 8 * 60, 22 * 60 FROM bench_pro p CROSS JOIN generate_series(0, 6) AS d""",
    """INSERT INTO professional_cities (professional_id, city_id)
       SELECT p.id, c.id FROM bench_pro p JOIN bench_city c ON c.idx IN (p.home, p.second)""",
)

# Every staging table has these columns; the generic inserts below turn one into bookings & co.
HISTORY_STAGE_SQL = """
CREATE UNLOGGED TABLE {stage} AS
SELECT h::bigint AS g, md5('hist' || h) AS id, 'H' || h AS number, s.status,
       md5('cust' || (1 + h % {customers})) AS cust_id, p.id AS pro_id, p.id AS offered_id,
       '{swedish}'::text AS treatment_id, 60 AS minutes, 1 AS city_idx, 'any'::text AS gender_pref,
       t.starts, t.created, t.created + interval '10 minutes' AS confirmed_at,
       CASE WHEN s.status = 'completed' THEN t.starts + interval '60 minutes' END AS completed_at,
       NULL::timestamptz AS cancelled_at
FROM generate_series(1, {history_bookings}) AS h
JOIN bench_history_pro p ON p.k = 1 + (h - 1) % {history_pros}
CROSS JOIN LATERAL (SELECT CASE WHEN h % 4 = 0 THEN 'confirmed' ELSE 'completed' END AS status) s
CROSS JOIN LATERAL (SELECT
    CASE WHEN h % 20 = 0 THEN $2::timestamptz
         WHEN h % 4 = 0 THEN $1::timestamptz + make_interval(days => 2 + h % 12, hours => h % 8)
         ELSE $1::timestamptz - make_interval(days => 1 + h % 80, hours => h % 8) END AS starts,
    CASE WHEN h % 4 = 0 THEN $1::timestamptz - make_interval(days => h % 25, hours => 1)
         ELSE $1::timestamptz - make_interval(days => 4 + h % 80, hours => h % 8) END AS created) t"""

TARGET_STAGE_SQL = """
CREATE UNLOGGED TABLE {stage} AS
SELECT 0::bigint AS g, md5('target') AS id, 'T1' AS number, 'pending_professional'::text AS status,
       md5('cust1') AS cust_id, NULL::text AS pro_id, NULL::text AS offered_id,
       '{swedish}'::text AS treatment_id, 60 AS minutes, 1 AS city_idx, 'any'::text AS gender_pref,
       $2::timestamptz AS starts, $1::timestamptz - interval '5 minutes' AS created,
       NULL::timestamptz AS confirmed_at, NULL::timestamptz AS completed_at,
       NULL::timestamptz AS cancelled_at"""

# The fixed due work: `due_offers` bookings (Deep Tissue 90, male therapist wanted, in every city) whose
# single offer expired a minute ago, and `unstaffed` Tel Aviv bookings whose visit started 10 minutes ago.
DUE_STAGE_SQL = """
CREATE UNLOGGED TABLE {stage} AS
SELECT g::bigint AS g, md5('due' || g) AS id, 'D' || g AS number, 'pending_professional'::text AS status,
       md5('cust' || (1 + g % {customers})) AS cust_id, NULL::text AS pro_id, md5('pro' || g) AS offered_id,
       CASE WHEN e THEN '{deep}' ELSE '{swedish}' END AS treatment_id,
       CASE WHEN e THEN 90 ELSE 60 END AS minutes,
       CASE WHEN e THEN 1 + g % {ncities} ELSE 1 END AS city_idx,
       CASE WHEN e THEN 'male' ELSE 'any' END AS gender_pref,
       CASE WHEN e THEN (date_trunc('day', $1::timestamptz AT TIME ZONE 'Asia/Jerusalem')
                         + make_interval(days => 1 + g % 5, hours => 10 + g % 8))
                        AT TIME ZONE 'Asia/Jerusalem'
            ELSE $1::timestamptz - interval '10 minutes' END AS starts,
       $1::timestamptz - CASE WHEN e THEN interval '30 minutes' ELSE interval '1 day' END AS created,
       NULL::timestamptz AS confirmed_at, NULL::timestamptz AS completed_at,
       NULL::timestamptz AS cancelled_at, e AS expiring
FROM generate_series(1, {due_offers} + {unstaffed}) AS g
CROSS JOIN LATERAL (SELECT g <= {due_offers} AS e) x"""

# Everything else: 70 % completed, 25 % cancelled, 3 % confirmed (ahead), 2 % pending with a live offer.
FILLER_STAGE_SQL = """
CREATE UNLOGGED TABLE {stage} AS
SELECT g, md5('bk' || g) AS id, 'B' || g AS number, s.status,
       md5('cust' || (1 + g % {customers})) AS cust_id,
       CASE WHEN s.status IN ('completed', 'confirmed') THEN p.id END AS pro_id, p.id AS offered_id,
       '{swedish}'::text AS treatment_id, 60 AS minutes, p.home AS city_idx, 'any'::text AS gender_pref,
       t.starts, c.created,
       CASE WHEN s.status IN ('completed', 'confirmed') THEN c.created + interval '10 minutes'
            END AS confirmed_at,
       CASE WHEN s.status = 'completed' THEN t.starts + interval '60 minutes' END AS completed_at,
       CASE WHEN s.status = 'cancelled' THEN t.starts - interval '1 day' END AS cancelled_at
FROM generate_series({first}::bigint, {last}::bigint) AS g
JOIN (SELECT g AS pg, id, home FROM bench_pro) p ON p.pg = 1 + (g * 7919) % {pros}
CROSS JOIN LATERAL (SELECT CASE WHEN g % 100 < 70 THEN 'completed' WHEN g % 100 < 95 THEN 'cancelled'
                                WHEN g % 100 < 98 THEN 'confirmed' ELSE 'pending_professional'
                                END AS status) s
CROSS JOIN LATERAL (SELECT CASE WHEN s.status IN ('confirmed', 'pending_professional')
    THEN $1::timestamptz - make_interval(mins => ((g * 7919) % (20 * 1440))::int) - interval '1 hour'
    ELSE $1::timestamptz - make_interval(mins => (30 * 1440 + (g * 104729) % (700 * 1440))::int)
    END AS created) c
CROSS JOIN LATERAL (SELECT CASE WHEN s.status IN ('confirmed', 'pending_professional')
    THEN $1::timestamptz + make_interval(hours => (26 + (g * 31) % (27 * 24))::int)
    ELSE c.created + make_interval(days => (1 + g % 14)::int) END AS starts) t"""

BOOKINGS_FROM_STAGE_SQL = """
INSERT INTO bookings (id, booking_number, status, user_id, professional_id, treatment_id, duration_minutes,
    booking_date_time, ends_at, created_at, updated_at, confirmed_at, treatment_completed_at, cancelled_at,
    recipient_name, recipient_phone, recipient_email, is_for_someone_else, city_id, address_street,
    address_city, address_building, address_apartment, therapist_gender_preference, notes, coupon_id,
    base_price, surcharges, total_surcharges, discount, final_amount, base_professional_payment,
    surcharges_professional_payment, payment_bonus, total_professional_payment, company_fee, payment_status,
    needs_attention, cancellation_reason, cancelled_by, review_request_sent_at, first_reminder_sent_at,
    second_reminder_sent_at, final_reminder_sent_at)
SELECT s.id, s.number, s.status, s.cust_id, s.pro_id, s.treatment_id, s.minutes,
       s.starts, s.starts + make_interval(mins => s.minutes), s.created,
       greatest(s.created, s.confirmed_at, s.completed_at, s.cancelled_at), s.confirmed_at, s.completed_at,
       s.cancelled_at, 'Bench Recipient', '+972521234567', NULL, false, c.id, 'Herzl ' || (1 + s.g % 120),
       c.name, NULL, NULL, s.gender_pref, NULL, NULL, 25000, '[]'::jsonb, 0, 0, 25000, 17000, 0, 0, 17000,
       8000, CASE WHEN s.status = 'completed' THEN 'paid' ELSE 'pending' END, false,
       CASE WHEN s.status = 'cancelled' THEN 'customer_request' END,
       CASE WHEN s.status = 'cancelled' THEN 'customer' END, NULL, NULL, NULL, NULL
FROM {stage} s JOIN bench_city c ON c.idx = s.city_idx"""

HISTORY_FROM_STAGE_SQL = """
INSERT INTO booking_status_history (booking_id, status, action, occurred_at, triggered_by, actor_id, reason)
SELECT s.id, 'pending_professional', 'create', s.created, 'customer', s.cust_id, NULL FROM {stage} s
UNION ALL
SELECT s.id, s.status,
       CASE s.status WHEN 'completed' THEN 'complete' WHEN 'cancelled' THEN 'cancel' ELSE 'accept_offer' END,
       coalesce(s.completed_at, s.cancelled_at, s.confirmed_at),
       CASE s.status WHEN 'cancelled' THEN 'customer' ELSE 'professional' END,
       CASE s.status WHEN 'cancelled' THEN s.cust_id ELSE s.pro_id END, NULL
FROM {stage} s WHERE s.status <> 'pending_professional'"""

OUTBOX_FROM_STAGE_SQL = """
INSERT INTO outbox_events (event_type, booking_id, payload, occurred_at, status, attempts, next_attempt_at,
                           handled_at, last_error)
SELECT 'booking.created', s.id, jsonb_build_object('bookingId', s.id, 'bookingNumber', s.number),
       s.created, 'done', 1, s.created, s.created + interval '1 second', NULL
FROM {stage} s"""

OFFER_COLUMNS = """id, booking_id, professional_id, wave, match_score, notified_at, expires_at,
                   response_status, response_at, channel, delivery_status, token_hash, created_at"""

# Five offers per history booking: accepted (by its professional), declined twice, expired, withdrawn.
HISTORY_OFFERS_SQL = f"""
INSERT INTO offers ({OFFER_COLUMNS})
SELECT md5('hof' || s.g || '-' || w.k), s.id, CASE WHEN w.k = 0 THEN s.pro_id ELSE p.id END, 1, 0.5,
       s.created + interval '1 minute', s.created + interval '16 minutes',
       (ARRAY['accepted', 'declined', 'declined', 'expired', 'withdrawn'])[w.k + 1],
       CASE WHEN w.k <= 2 THEN s.created + make_interval(secs => 61 + (s.g * 37 + w.k * 101) % 900)
            WHEN w.k = 3 THEN s.created + interval '16 minutes'
            ELSE s.created + make_interval(secs => 61 + (s.g * 37) % 900) END,
       'sms', 'delivered', NULL, s.created + interval '1 minute'
FROM {{stage}} s CROSS JOIN generate_series(0, 4) AS w(k)
JOIN bench_history_pro p ON p.k = 1 + (s.g - 1 + w.k * 397) % {{history_pros}}"""

HISTORY_REVIEWS_SQL = """
INSERT INTO reviews (id, booking_id, user_id, professional_id, rating, comment, professional_reply,
                     replied_at, is_hidden, created_at)
SELECT md5('rev' || s.g), s.id, s.cust_id, s.pro_id, 3 + s.g % 3, NULL, NULL, NULL, false,
       s.completed_at + interval '2 hours'
FROM {stage} s WHERE s.status = 'completed'"""

FILLER_OFFERS_SQL = f"""
INSERT INTO offers ({OFFER_COLUMNS})
SELECT md5('of' || s.g), s.id, s.offered_id, 1, 0.5, o.notified, o.notified + interval '15 minutes',
       CASE s.status WHEN 'cancelled' THEN 'expired' WHEN 'pending_professional' THEN 'pending'
                     ELSE 'accepted' END,
       CASE s.status WHEN 'cancelled' THEN o.notified + interval '15 minutes'
                     WHEN 'pending_professional' THEN NULL
                     ELSE o.notified + make_interval(secs => (20 + s.g % 600)::int) END,
       'sms', 'delivered', NULL, o.notified
FROM {{stage}} s
CROSS JOIN LATERAL (SELECT CASE WHEN s.status = 'pending_professional'
    THEN $1::timestamptz - make_interval(mins => (s.g % 10)::int)
    ELSE s.created + interval '1 minute' END AS notified) o"""

DUE_OFFERS_SQL = f"""
INSERT INTO offers ({OFFER_COLUMNS})
SELECT md5('dof' || d.g), d.id, d.offered_id, 1, 0.5, $1::timestamptz - interval '16 minutes',
       $1::timestamptz + CASE WHEN d.expiring THEN interval '-1 minute' ELSE interval '5 minutes' END,
       'pending', NULL, 'sms', 'delivered', NULL, $1::timestamptz - interval '16 minutes'
FROM bench_due d"""

# Puts the due work back exactly as it was before a pass (not timed); with the FK triggers on, so that
# deleting the pass's outbox events cascades to their deliveries.
RESET_SQL = (
    "SET LOCAL session_replication_role = origin",
    "DELETE FROM outbox_events WHERE booking_id IN (SELECT id FROM bench_due)",
    "DELETE FROM offers WHERE booking_id IN (SELECT id FROM bench_due)",
    """DELETE FROM booking_status_history
       WHERE booking_id IN (SELECT id FROM bench_due) AND occurred_at >= $1::timestamptz""",
    """UPDATE bookings SET status = 'pending_professional', needs_attention = false, cancelled_at = NULL,
              cancellation_reason = NULL, cancelled_by = NULL, updated_at = created_at
       WHERE id IN (SELECT id FROM bench_due)""",
    DUE_OFFERS_SQL,
)

ANALYZE_SQL = "ANALYZE"


@dataclass
class Loader:
    """Runs the bulk SQL on its own asyncpg connection, with the bench's constants filled in."""

    admin: asyncpg.Connection
    now: datetime
    target_start: datetime
    values: dict[str, Any] = field(default_factory=dict)

    async def run(self, template: str, **extra: Any) -> str:
        """Execute one statement; $1 is now, $2 the target booking's start."""
        text = template.format(**self.values, **extra)
        args: list[Any] = [self.now] if "$1" in text else []
        if "$2" in text:
            args.append(self.target_start)
        return str(await self.admin.execute(text, *args))

    async def timed(self, label: str, templates: Sequence[str], **extra: Any) -> None:
        """Run statements in order and log how long they took."""
        started = time.perf_counter()
        for template in templates:
            await self.run(template, **extra)
        log(f"  {label}: {time.perf_counter() - started:.1f}s")

    async def stage(self, label: str, stage_sql: str, extra_sql: Sequence[str], **extra: Any) -> None:
        """Fill a staging table, then bookings, history rows and the stage's own rows from it."""
        stage = f"bench_stage_{label.replace(' ', '_')}"
        statements = [
            f"DROP TABLE IF EXISTS {stage}",
            stage_sql,
            BOOKINGS_FROM_STAGE_SQL,
            HISTORY_FROM_STAGE_SQL,
        ]
        await self.timed(f"{label} bookings", [*statements, *extra_sql], stage=stage, **extra)

    async def count(self, table: str) -> int:
        """Rows in a table."""
        return int(await self.admin.fetchval(f"SELECT count(*) FROM {table}"))


async def open_loader(pg_host: str, database: str, now: datetime, target_start: datetime) -> Loader:
    """An asyncpg connection tuned for bulk loading: no waiting for the WAL flush, no FK triggers."""
    admin = await asyncpg.connect(host=pg_host, database=database, command_timeout=240)
    await admin.execute("SET synchronous_commit = off")
    try:  # rows are consistent by construction; skipping the FK triggers only makes loading faster
        await admin.execute("SET session_replication_role = replica")
    except asyncpg.InsufficientPrivilegeError:
        log("not a superuser: loading with foreign-key checks (slower)")
    return Loader(admin, now, target_start)


async def catalogue_values(loader: Loader, cfg: Config) -> dict[str, Any]:
    """Ids of Swedish Massage and Deep Tissue Massage, the city count and the sizes for the SQL."""
    fetch = loader.admin.fetchval
    cities = int(await fetch("SELECT count(*) FROM cities"))
    if await fetch("SELECT count(*) FROM cities WHERE name = 'Tel Aviv'") != 1 or cities < 3:
        raise RuntimeError("the demo data must have Tel Aviv and at least two other cities")
    return {
        "swedish": await fetch("SELECT id FROM treatments WHERE name = 'Swedish Massage'"),
        "deep": await fetch("SELECT id FROM treatments WHERE name = 'Deep Tissue Massage'"),
        "ncities": cities,
        "others": cities - 1,
        "pros": cfg.pros,
        "city_pros": cfg.city_pros,
        "customers": cfg.customers,
        "history_pros": cfg.history_pros,
        "history_bookings": cfg.history_bookings,
        "due_offers": cfg.due_offers,
        "unstaffed": cfg.unstaffed,
    }


async def load_professionals(loader: Loader) -> None:
    """100,000 professionals (10,000 in Tel Aviv) with treatments, hours and cities; customers."""
    await loader.timed("helper tables", HELPER_SQL)
    await loader.timed(
        "professionals, customers, roles, profiles, treatments, hours, cities", PROFESSIONAL_SQL
    )


async def load_bookings(loader: Loader, cfg: Config) -> None:
    """History of a fifth of the Tel Aviv professionals, the target booking, the due work, then filler."""
    history = (HISTORY_OFFERS_SQL, HISTORY_REVIEWS_SQL, OUTBOX_FROM_STAGE_SQL)
    await loader.stage("history", HISTORY_STAGE_SQL, history)
    await loader.stage("target", TARGET_STAGE_SQL, ())
    await loader.timed("due work", ["DROP TABLE IF EXISTS bench_due", DUE_STAGE_SQL], stage="bench_due")
    await loader.stage("due", "CREATE UNLOGGED TABLE {stage} AS SELECT * FROM bench_due", ())
    await loader.run("ALTER TABLE bench_due ADD PRIMARY KEY (id)")
    await grow_bookings(loader, cfg, cfg.small)


async def grow_bookings(loader: Loader, cfg: Config, total: int) -> None:
    """Add filler bookings (with an offer, history and an outbox event each) until there are `total`."""
    have = await loader.count("bookings")
    if total <= have:
        return
    first = have - (cfg.history_bookings + 1 + cfg.due_offers + cfg.unstaffed) + 1
    extra = (FILLER_OFFERS_SQL, OUTBOX_FROM_STAGE_SQL)
    await loader.stage("filler", FILLER_STAGE_SQL, extra, first=first, last=first + total - have - 1)
    await loader.run("DROP TABLE bench_stage_filler")
    started = time.perf_counter()
    await loader.run(ANALYZE_SQL)
    log(f"  {total:,} bookings; ANALYZE: {time.perf_counter() - started:.1f}s")


async def reset_due_work(loader: Loader) -> None:
    """Put the fixed due work back: offers pending and a minute overdue, bookings pending again."""
    async with loader.admin.transaction():
        for template in RESET_SQL:
            await loader.run(template)


# --- instrumentation -----------------------------------------------------------------------------


@dataclass
class Call:
    """One statement the application sent, with its parameters and the time until its rows were in."""

    statement: str
    parameters: Any
    seconds: float


class StatementClock:
    """Times each statement of the application's engine (round trip plus asyncpg decoding) while recording."""

    def __init__(self, container: Container) -> None:
        self.recording = False
        self.calls: list[Call] = []
        sync_engine = container.engine.sync_engine
        event.listen(sync_engine, "before_cursor_execute", self._before)
        event.listen(sync_engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, _cursor: Any, _statement: str, _params: Any, _ctx: Any, _many: bool) -> None:
        if self.recording:
            conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn: Any, _cursor: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        started = conn.info.pop("bench_started", None)
        if started is not None:
            self.calls.append(Call(statement, params, time.perf_counter() - started))

    @contextlib.contextmanager
    def record(self) -> Iterator[list[Call]]:
        """Collect the calls made inside the block."""
        self.calls = []
        self.recording = True
        try:
            yield self.calls
        finally:
            self.recording = False


class Probe:
    """Wraps functions the code under test looks up at call time, adding up their time and keeping results."""

    def __init__(self) -> None:
        self.seconds: collections.defaultdict[str, float] = collections.defaultdict(float)
        self.results: dict[str, Any] = {}
        self._patches = contextlib.ExitStack()

    def wrap(self, owner: Any, name: str, key: str) -> None:
        """Replace `owner.name` (a function or coroutine function) by a timed wrapper until `close`."""
        original = getattr(owner, name)
        probe = self

        if inspect.iscoroutinefunction(original):

            async def timed(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    probe.results[key] = await original(*args, **kwargs)
                    return probe.results[key]
                finally:
                    probe.seconds[key] += time.perf_counter() - started

            self._patches.enter_context(mock.patch.object(owner, name, timed))
            return

        def timed_sync(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                probe.results[key] = original(*args, **kwargs)
                return probe.results[key]
            finally:
                probe.seconds[key] += time.perf_counter() - started

        self._patches.enter_context(mock.patch.object(owner, name, timed_sync))

    def clear(self) -> None:
        """Forget the figures of the previous run."""
        self.seconds.clear()
        self.results.clear()

    def close(self) -> None:
        """Put every original back."""
        self._patches.close()


# --- EXPLAIN -------------------------------------------------------------------------------------


@dataclass
class Explained:
    """EXPLAIN ANALYZE of one statement, run again on the bench's own connection."""

    label: str
    rows: int
    planning_ms: float
    execution_ms: float
    jit_ms: float
    nodes: list[str]
    seq_scans: list[str]


def plan_nodes(node: dict[str, Any], depth: int = 0) -> list[str]:
    """The plan tree as indented lines: node type, index and relation, actual rows."""
    label = node["Node Type"]
    if "Index Name" in node:
        label += f" using {node['Index Name']}"
    if "Relation Name" in node:
        label += f" on {node['Relation Name']}"
    lines = ["  " * depth + f"{label} (rows {node.get('Actual Rows', '?')})"]
    for child in node.get("Plans", []):
        lines.extend(plan_nodes(child, depth + 1))
    return lines


def seq_scans(node: dict[str, Any]) -> list[str]:
    """Relations the plan reads with a sequential scan."""
    found = [node["Relation Name"]] if node["Node Type"] == "Seq Scan" else []
    for child in node.get("Plans", []):
        found.extend(seq_scans(child))
    return found


async def explain(admin: asyncpg.Connection, call: Call, label: str) -> Explained:
    """EXPLAIN (ANALYZE, BUFFERS) the statement with its parameters, in a transaction rolled back after."""
    transaction = admin.transaction()
    await transaction.start()
    try:
        raw = await admin.fetchval(
            f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {call.statement}", *call.parameters
        )
    finally:
        await transaction.rollback()
    document = (json.loads(raw) if isinstance(raw, str) else raw)[0]
    plan = document["Plan"]
    return Explained(
        label=label,
        rows=int(plan.get("Actual Rows", 0)),
        planning_ms=float(document.get("Planning Time", 0.0)),
        execution_ms=float(document.get("Execution Time", 0.0)),
        jit_ms=float(document.get("JIT", {}).get("Timing", {}).get("Total", 0.0)),
        nodes=plan_nodes(plan),
        seq_scans=seq_scans(plan),
    )


# --- 1. ranking ----------------------------------------------------------------------------------


def statement_label(statement: str) -> str:
    """A short name for one of the statements next_candidates sends (by the main query's table)."""
    match = re.search(r"\bFROM (\w+)", statement)
    table = match.group(1) if match else "?"
    special = {
        "professional_coverage": "best-first query (coverage walk)",
        "professional_profiles": "profiles + users (the people)",
        "professional_stats": "stored track record",
        "treatments": "treatment (needs_of)",
        "cities": "city (needs_of)",
        "reviews": "reviews: ratings",
    }
    if table == "offers":
        if "percentile_cont" in statement:
            return "offers: median answer time (90 d)"
        return "offers: counts (90 d)" if "count(" in statement else "offers: declined this booking"
    if table == "bookings":
        return "bookings: jobs in 30 d" if "confirmed_at >=" in statement else "bookings: busy then"
    return special.get(table, table)


@dataclass
class StatementStat:
    """One statement of next_candidates: client-side round trip and PostgreSQL's own time."""

    label: str
    round_trip_ms: float
    explained: Explained


@dataclass
class RankingResult:
    """Timings of warm next_candidates runs, in seconds, and what they returned."""

    bookings: int
    total: list[float]
    query: list[float]
    facts: list[float]
    database: list[float]
    rank: list[float]
    candidates: int
    fact_rows: dict[str, int]
    statements: list[StatementStat]


async def rank_once(
    container: Container, clock: StatementClock, probe: Probe, booking_id: str, now: datetime
) -> tuple[list[Any], list[Call], float]:
    """One next_candidates call in a fresh session, as dispatch makes it; (wave, calls, seconds)."""
    async with container.sessions() as session:
        booking = await session.get(Booking, booking_id)
        assert booking is not None
        probe.clear()
        with clock.record() as calls:
            started = time.perf_counter()
            ranked = await matching_service.next_candidates(session, booking, exclude=(), size=WAVE)
            seconds = time.perf_counter() - started
        await session.rollback()
    return ranked, list(calls), seconds


def fact_rows(facts: Sequence[Any]) -> dict[str, int]:
    """How many rows each of professional_facts' queries brought back, judged from the facts it built."""
    return {
        "professionals": len(facts),
        "treatment rows": sum(len(f.offers) for f in facts),
        "city rows": sum(len(f.city_ids) for f in facts),
        "working-hours rows": sum(len(f.hours) for f in facts),
        "busy periods": sum(len(f.busy) for f in facts),
        "with ratings": sum(1 for f in facts if f.rating_count),
        "with offers in 90 d": sum(1 for f in facts if f.offers_received),
        "with jobs in 30 d": sum(1 for f in facts if f.recent_jobs),
    }


@dataclass
class RankSample:
    """One timed next_candidates run: seconds in total, in the query, the facts, evaluate; its statements."""

    total: float
    query: float
    facts: float
    rank: float
    calls: list[Call]


async def measure_ranking(
    container: Container,
    clock: StatementClock,
    loader: Loader,
    limits: tuple[int, float],
    bookings: int,
    booking_key: str = "target",
) -> RankingResult:
    """1 unrecorded run, then timed ones (`limits`: most runs, seconds); EXPLAIN ANALYZE the last one.

    `booking_key` names the booking: "target" (Tel Aviv, Swedish Massage 60) or a due one ("due1").
    """
    probe = Probe()
    probe.wrap(matching_queries, "best_free_professionals", "query")
    probe.wrap(matching_queries, "professional_facts", "facts")
    probe.wrap(matching_service, "evaluate", "rank")
    booking_id, last = await loader.admin.fetchval("SELECT md5($1::text)", booking_key), {}

    async def step() -> RankSample:
        last["ranked"], calls, seconds = await rank_once(container, clock, probe, booking_id, loader.now)
        last["facts"] = probe.results["facts"]
        return RankSample(
            seconds, probe.seconds["query"], probe.seconds["facts"], probe.seconds["rank"], calls
        )

    try:
        await step()
        samples = await repeat(step, limits[0], limits[1], least=min(5, limits[0]))
    finally:
        probe.close()
    return await ranking_result(loader, samples, last["ranked"], last["facts"], bookings)


async def ranking_result(
    loader: Loader, samples: list[RankSample], ranked: list[Any], facts: list[Any], bookings: int
) -> RankingResult:
    """The figures of the runs, what the last one returned, and its statements EXPLAINed."""
    return RankingResult(
        bookings=bookings,
        total=[s.total for s in samples],
        query=[s.query for s in samples],
        facts=[s.facts for s in samples],
        database=[sum(c.seconds for c in s.calls) for s in samples],
        rank=[s.rank for s in samples],
        candidates=len(ranked),
        fact_rows=fact_rows(facts),
        statements=await explain_ranking(loader.admin, [s.calls for s in samples]),
    )


async def explain_ranking(admin: asyncpg.Connection, runs: list[list[Call]]) -> list[StatementStat]:
    """Per statement position: the median round trip over the runs, and EXPLAIN ANALYZE of the last."""
    last = runs[-1]
    stats = []
    for index, call in enumerate(last):
        trips = [run[index].seconds for run in runs if len(run) == len(last)]
        label = statement_label(call.statement)
        stats.append(StatementStat(label, statistics.median(trips) * 1000, await explain(admin, call, label)))
    return stats


# --- 2. the due-work pass ------------------------------------------------------------------------

TIMER_STATEMENTS: dict[str, Callable[[str], bool]] = {
    "expire_due_offers (offer_repository.expire_due)": lambda s: (
        s.startswith("UPDATE offers SET response_status") and "expires_at <=" in s
    ),
    "cancel_unstaffed_visits (offer_repository.unstaffed_at)": lambda s: (
        s.startswith("SELECT bookings.id") and "booking_date_time <=" in s
    ),
}
CLAIM_LABEL = "outbox claim (outbox_repository.claim_due)"


@dataclass
class PassTimes:
    """One Worker.run_once pass, in seconds, with what it did."""

    total: float
    expire: float
    cancel: float
    dispatch: float
    handlers: float
    ranking: float
    expired: int
    cancelled: int
    events: int
    failed: int

    @property
    def rest(self) -> float:
        """Outside the timers and the dispatch: the heartbeat and session set-up."""
        return self.total - self.expire - self.cancel - self.dispatch

    @property
    def timers(self) -> float:
        """Both timers: expire_due_offers and cancel_unstaffed_visits."""
        return self.expire + self.cancel

    @property
    def machinery(self) -> float:
        """The pass without its handlers' work: timers, claiming and closing events, heartbeat."""
        return self.total - self.handlers

    @property
    def rank_per_offer(self) -> float:
        """The handlers' ranking time per expired offer (each one re-ranks its booking)."""
        return self.ranking / max(self.expired, 1)


@dataclass
class PassResult:
    """The timed passes at one database size and the plans of the timer queries."""

    bookings: int
    passes: list[PassTimes]
    plans: list[Explained]
    outcome: str  # what the handlers did to the due bookings in the last pass
    rerank: RankingResult  # next_candidates for one due booking, as each offer.expired handler runs it

    def median(self, attribute: str) -> float:
        """Median of one PassTimes figure over the timed passes."""
        return statistics.median(getattr(p, attribute) for p in self.passes)


def pass_probe() -> Probe:
    """Time the two timers, the outbox dispatch, its handlers and the ranking inside them."""
    probe = Probe()
    probe.wrap(timers, "expire_due_offers", "expire")
    probe.wrap(timers, "cancel_unstaffed_visits", "cancel")
    probe.wrap(Dispatcher, "dispatch_due", "dispatch")
    probe.wrap(dispatch_handlers, "dispatch_wave", "handlers")
    probe.wrap(dispatch_service, "next_candidates", "ranking")
    return probe


async def one_pass(worker: Worker, loader: Loader, probe: Probe) -> PassTimes:
    """Reset the due work (not timed), then time one full worker pass as of `now`."""
    await reset_due_work(loader)
    probe.clear()
    started = time.perf_counter()
    report = await worker.run_once(loader.now)
    total = time.perf_counter() - started
    return PassTimes(
        total=total,
        expire=probe.seconds["expire"],
        cancel=probe.seconds["cancel"],
        dispatch=probe.seconds["dispatch"],
        handlers=probe.seconds["handlers"],
        ranking=probe.seconds["ranking"],
        expired=int(probe.results.get("expire", 0)),
        cancelled=int(probe.results.get("cancel", 0)),
        events=report.events,
        failed=report.failed,
    )


async def measure_passes(
    container: Container, clock: StatementClock, loader: Loader, cfg: Config, bookings: int
) -> PassResult:
    """One unrecorded pass, then timed ones (--passes, --pass-budget); the timer statements EXPLAINed."""
    worker = Worker(container, container.bus)
    probe = pass_probe()
    try:
        await one_pass(worker, loader, probe)
        with clock.record() as calls:
            timed = await repeat(
                lambda: one_pass(worker, loader, probe), cfg.passes, cfg.pass_budget, least=min(3, cfg.passes)
            )
    finally:
        probe.close()
    outcome = await due_outcome(loader)
    plans = await explain_timers(container, loader, list(calls))
    rerank = await measure_ranking(container, clock, loader, (3, 10.0), bookings, booking_key="due1")
    return PassResult(bookings, timed, plans, outcome, rerank)


async def due_outcome(loader: Loader) -> str:
    """New offers made to the due bookings by the pass's handlers, and bookings flagged as exhausted."""
    row = await loader.admin.fetchrow(
        """SELECT (SELECT count(*) FROM offers o JOIN bench_due d ON d.id = o.booking_id WHERE o.wave > 1),
                  (SELECT count(*) FROM bookings b JOIN bench_due d USING (id) WHERE b.needs_attention),
                  (SELECT count(*) FROM bookings b JOIN bench_due USING (id) WHERE b.status = 'cancelled')"""
    )
    return f"{row[0]} new offers, {row[1]} exhausted, {row[2]} cancelled"


def first_call(calls: Sequence[Call], wanted: Callable[[str], bool]) -> Call | None:
    """The first recorded statement `wanted` accepts."""
    return next((call for call in calls if wanted(call.statement)), None)


async def explain_timers(container: Container, loader: Loader, calls: list[Call]) -> list[Explained]:
    """EXPLAIN ANALYZE the timer queries on the reset due work, and the claim once their events exist."""
    timers = {label: first_call(calls, wanted) for label, wanted in TIMER_STATEMENTS.items()}
    claim = first_call(calls, lambda s: s.startswith("UPDATE outbox_events SET"))
    await reset_due_work(loader)
    plans = [await explain(loader.admin, call, label) for label, call in timers.items() if call]
    async with container.sessions() as session:  # the timers' work, so that the claim finds due events
        await dispatch_service.expire_due_offers(session, now=loader.now)
        await dispatch_service.cancel_unstaffed_visits(session, now=loader.now, policy=container.policy)
        await session.commit()
    if claim is not None:
        plans.append(await explain(loader.admin, claim, CLAIM_LABEL))
    await reset_due_work(loader)
    return plans


# --- 3. the booking wizard's slots ---------------------------------------------------------------

# The professionals who cover Tel Aviv, offer the worst case's treatment and length and are of its gender
# (the two demo women: the bench's own women do not offer Swedish Massage 90), given one confirmed visit
# from 06:00 to 24:00 local on its day.
BLOCKED_STAGE_SQL = """
CREATE UNLOGGED TABLE {stage} AS
SELECT row_number() OVER (ORDER BY t.professional_id) AS g, md5('blocked' || t.professional_id) AS id,
       'X' || row_number() OVER (ORDER BY t.professional_id) AS number, 'confirmed'::text AS status,
       md5('cust1') AS cust_id, t.professional_id AS pro_id, t.professional_id AS offered_id,
       '{treatment}'::text AS treatment_id, 18 * 60 AS minutes, 1 AS city_idx, 'any'::text AS gender_pref,
       (date_trunc('day', $1::timestamptz AT TIME ZONE 'Asia/Jerusalem')
        + make_interval(days => {days}, hours => 6)) AT TIME ZONE 'Asia/Jerusalem' AS starts,
       $1::timestamptz - interval '1 day' AS created, $1::timestamptz - interval '1 day' AS confirmed_at,
       NULL::timestamptz AS completed_at, NULL::timestamptz AS cancelled_at
FROM professional_treatments t
JOIN professional_cities pc ON pc.professional_id = t.professional_id
JOIN bench_city c ON c.id = pc.city_id AND c.idx = 1
JOIN users u ON u.id = t.professional_id
WHERE t.treatment_id = '{treatment}' AND t.duration_minutes = {minutes}
  AND ('{gender}' = 'any' OR u.gender = '{gender}')"""

UNBLOCK_SQL = (
    "DELETE FROM booking_status_history WHERE booking_id IN (SELECT id FROM bench_stage_blocked)",
    "DELETE FROM bookings WHERE id IN (SELECT id FROM bench_stage_blocked)",
    "DROP TABLE bench_stage_blocked",
)
COVERAGE_INDEX = "ix_professional_coverage_best_first"


@dataclass(frozen=True)
class SlotCase:
    """One day the wizard asks about: treatment (a catalogue_values key), minutes, days ahead, gender."""

    label: str
    treatment: str
    minutes: int
    days_ahead: int
    gender: str = "any"

    def query(self, loader: Loader, city_id: str) -> SlotQuery:
        """The wizard's question for this case in Tel Aviv."""
        day = (loader.now.astimezone(BUSINESS_TZ) + timedelta(days=self.days_ahead)).date()
        treatment_id = loader.values[self.treatment]
        return SlotQuery(treatment_id, self.minutes, city_id, day, self.gender)


# What the bench's professionals offer (all: Swedish 60; the men: Swedish 90; g % 6 == 3: Deep Tissue 60,
# the women among those who offer it), on three days; the runs take them in turn. In the worst case half
# the city offers the length and half is female, but nobody both except two demo professionals, who are
# booked all day: nobody can take any of the day's visits.
BUSY_SLOT_CASES = (
    SlotCase("Swedish Massage 60, any gender, tomorrow", "swedish", 60, 1),
    SlotCase("Swedish Massage 90, male, in 3 days", "swedish", 90, 3, "male"),
    SlotCase("Deep Tissue Massage 60, female, in 6 days", "deep", 60, 6, "female"),
)
WORST_SLOT_CASE = SlotCase(
    "Swedish Massage 90, female, in 8 days, its providers booked", "swedish", 90, 8, "female"
)


@dataclass
class SlotSample:
    """One timed open_slots call: seconds, slots found, its statements."""

    seconds: float
    slots: int
    calls: list[Call]


@dataclass
class SlotResult:
    """Timed open_slots calls for some cases (in seconds), and what they found."""

    bookings: int
    seconds: list[float]
    database: list[float]  # the sum of the statements' round trips, per call
    statements: list[int]  # statements per call
    slots: dict[str, int]  # case -> slots found (by the last call of that case)
    blocked: int = 0  # professionals given an all-day visit for the case
    plan: Explained | None = None  # the hours query of the first case's last call, EXPLAIN ANALYZEd

    @property
    def slot_query_ms(self) -> float:
        """Median over the calls of the mean round trip of a statement (ms)."""
        return (
            statistics.median(d / max(n, 1) for d, n in zip(self.database, self.statements, strict=True))
            * 1000
        )


@dataclass
class WizardResult:
    """The slots of a day in the busy city, and the worst case."""

    busy: SlotResult
    worst: SlotResult


async def slots_once(
    container: Container, clock: StatementClock, query: SlotQuery, now: datetime
) -> SlotSample:
    """One open_slots call in a fresh session whose connection is already checked out."""
    async with container.sessions() as session:
        await session.connection()
        with clock.record() as calls:
            started = time.perf_counter()
            found = await availability.open_slots(session, now=now, policy=container.policy, query=query)
            seconds = time.perf_counter() - started
        await session.rollback()
    return SlotSample(seconds, len(found), list(calls))


async def time_slots(
    container: Container,
    clock: StatementClock,
    loader: Loader,
    cases: Sequence[SlotCase],
    limits: tuple[int, float],
) -> tuple[list[SlotSample], dict[str, int]]:
    """1 unrecorded call per case, then timed calls taking the cases in turn (`limits`: most, seconds)."""
    city_id = await loader.admin.fetchval("SELECT id FROM bench_city WHERE idx = 1")
    queries = [(case.label, case.query(loader, city_id)) for case in cases]
    turn, last = itertools.count(), {}

    async def step() -> SlotSample:
        label, query = queries[next(turn) % len(queries)]
        last[label] = await slots_once(container, clock, query, loader.now)
        return last[label]

    for _ in queries:
        await step()
    samples = await repeat(step, limits[0], limits[1], least=min(5, limits[0]))
    return samples, last


async def slot_result(
    loader: Loader, samples: list[SlotSample], last: dict[str, SlotSample], bookings: int
) -> SlotResult:
    """The figures of the timed calls; EXPLAIN ANALYZE of the hours query of the first case's last call."""
    label, sample = next(iter(last.items()))
    call = hours_query(sample.calls)
    plan = await explain(loader.admin, call, f"hours query of {label}") if call else None
    return SlotResult(
        bookings=bookings,
        seconds=[s.seconds for s in samples],
        database=[sum(c.seconds for c in s.calls) for s in samples],
        statements=[len(s.calls) for s in samples],
        slots={label: s.slots for label, s in last.items()},
        plan=plan,
    )


def hours_query(calls: Sequence[Call]) -> Call | None:
    """The statement that fetches the hours of everyone who could take the visit (the day's big read)."""
    return next((c for c in calls if "FROM working_hours" in c.statement), None)


async def measure_worst_slots(
    container: Container, clock: StatementClock, loader: Loader, limits: tuple[int, float], bookings: int
) -> SlotResult:
    """Block the case's providers for its day, time the calls, EXPLAIN the hours query, unblock."""
    case = WORST_SLOT_CASE
    treatment = loader.values[case.treatment]
    extra = {"days": case.days_ahead, "treatment": treatment, "minutes": case.minutes, "gender": case.gender}
    await loader.stage("blocked", BLOCKED_STAGE_SQL, (), **extra)
    try:
        blocked = await loader.count("bench_stage_blocked")
        samples, last = await time_slots(container, clock, loader, [case], limits)
        result = await slot_result(loader, samples, last, bookings)
        result.blocked = blocked
    finally:
        await loader.timed("blocked providers' visits removed", UNBLOCK_SQL)
    return result


async def measure_wizard(
    container: Container, clock: StatementClock, loader: Loader, limits: tuple[int, float], bookings: int
) -> WizardResult:
    """open_slots for the busy city's days, then for the worst case."""
    samples, last = await time_slots(container, clock, loader, BUSY_SLOT_CASES, limits)
    busy = await slot_result(loader, samples, last, bookings)
    worst = await measure_worst_slots(container, clock, loader, limits, bookings)
    return WizardResult(busy, worst)


# --- reporting ----------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    """Seconds as milliseconds with one decimal."""
    return f"{seconds * 1000:.1f}"


def spread(values: Sequence[float]) -> str:
    """'p50 / p95 / max' in milliseconds."""
    return " / ".join(ms(v) for v in (percentile(values, 50), percentile(values, 95), max(values)))


def ranking_parts(result: RankingResult) -> list[tuple[str, str]]:
    """(part, 'p50 / p95 / max') rows: where the time of next_candidates goes."""
    others = [
        t - q - f - r
        for t, q, f, r in zip(result.total, result.query, result.facts, result.rank, strict=True)
    ]
    return [
        ("part", "p50 / p95 / max ms"),
        ("next_candidates (total)", spread(result.total)),
        ("  best-first query (best_free_professionals)", spread(result.query)),
        ("  professional_facts of those picked", spread(result.facts)),
        ("  domain.matching.evaluate of those picked", spread(result.rank)),
        ("  needs_of and the rest", spread(others)),
        ("database round trips (sum over all statements)", spread(result.database)),
    ]


def statement_row(stat: StatementStat) -> tuple[str, ...]:
    """One statement: rows, client round trip, PostgreSQL planning + execution, JIT, seq scans."""
    e = stat.explained
    return (
        stat.label,
        f"{e.rows:,}",
        f"{stat.round_trip_ms:.1f}",
        f"{e.planning_ms + e.execution_ms:.1f}",
        f"{e.jit_ms:.1f}",
        ", ".join(sorted(set(e.seq_scans))) or "-",
    )


def print_ranking(result: RankingResult, title: str) -> None:
    """Where the time of next_candidates goes, and every statement with its plan figures."""
    print(f"\nnext_candidates for {title}, {len(result.total)} warm runs, {result.bookings:,} bookings")
    print(f"  professionals picked {result.candidates:,}")
    print(f"  rows loaded: {result.fact_rows}")
    print_table(ranking_parts(result))
    print("\n  statements of the last run (PG figures: EXPLAIN ANALYZE of the same statement)")
    header = ("statement", "rows", "round trip ms (p50)", "PG plan+exec ms", "of which JIT ms", "seq scans")
    print_table([header, *(statement_row(s) for s in result.statements)])


PASS_HEADER = (
    "bookings",
    "pass ms",
    "min-max ms",
    "expire timer",
    "cancel timer",
    "outbox dispatch",
    "  handlers",
    "    ranking",
    "rest",
    "expired/cancelled/events/failed",
)
PASS_PARTS = ("expire", "cancel", "dispatch", "handlers", "ranking", "rest")


def pass_row(r: PassResult) -> tuple[str, ...]:
    """One size: median pass, its range, the median of each part, and what the last pass did."""
    totals = [p.total for p in r.passes]
    last = r.passes[-1]
    return (
        f"{r.bookings:,}",
        ms(r.median("total")),
        f"{ms(min(totals))}-{ms(max(totals))}",
        *(ms(r.median(part)) for part in PASS_PARTS),
        f"{last.expired}/{last.cancelled}/{last.events}/{last.failed}",
    )


def print_passes(results: Sequence[PassResult]) -> None:
    """Median pass and its parts for every size."""
    print("\nworker pass (Worker.run_once) over the same due work, median of the timed passes (ms)")
    print_table([PASS_HEADER, *(pass_row(r) for r in results)])
    for r in results:
        print(f"  handlers' work on the due bookings at {r.bookings:,}: {r.outcome}")


def print_plans(result: PassResult) -> None:
    """The plan trees of the timer queries and the outbox claim at one size."""
    print(f"\nplans at {result.bookings:,} bookings (EXPLAIN ANALYZE on the reset due work)")
    for plan in result.plans:
        print(f"  {plan.label}: {plan.planning_ms + plan.execution_ms:.2f} ms, {plan.rows} rows")
        for line in plan.nodes:
            print(f"      {line}")


def plan_summary(plan: Explained | None) -> str:
    """Planning + execution ms of the hours query, whether it walks the coverage index (and how far)."""
    if plan is None:
        return "-"
    walk = next((line for line in plan.nodes if COVERAGE_INDEX in line), None)
    read = re.search(r"\(rows (\d+)\)", walk) if walk else None
    index = f"{COVERAGE_INDEX}, {int(read.group(1)):,} rows read" if read else "NOT the coverage index"
    scans = ", ".join(sorted(set(plan.seq_scans))) or "no seq scan"
    return f"{plan.planning_ms:.1f} + {plan.execution_ms:.1f} ms (plan + exec), {index}, {scans}"


def slot_rows(result: SlotResult, title: str) -> list[tuple[str, str, str, str]]:
    """Summary rows of one open_slots measurement."""
    statements = sorted(set(result.statements))
    return [
        (f"{title} p50/p95/max ms ({result.bookings:,} bookings)", spread(result.seconds), "", ""),
        ("  slots found per day", " / ".join(str(n) for n in result.slots.values()), "", ""),
        ("  SQL statements per call", "/".join(str(n) for n in statements), "", ""),
        ("  database round trips per call", spread(result.database), "", ""),
        ("  mean round trip per statement (median of calls)", f"{result.slot_query_ms:.2f} ms", "", ""),
        ("  hours query in PostgreSQL (EXPLAIN ANALYZE)", plan_summary(result.plan), "", ""),
    ]


def wizard_rows(result: WizardResult) -> list[tuple[str, str, str, str]]:
    """Summary rows of the wizard's slots: the busy city and the worst case."""
    busy = slot_rows(result.busy, "wizard slots of a day, Tel Aviv")
    return [*busy, *slot_rows(result.worst, "wizard slots, nobody free")]


def print_wizard(result: WizardResult) -> None:
    """The cases, what each found, and the plan trees of the hours query of each measurement."""
    print(f"\nopen_slots (the wizard's time step) in Tel Aviv, {result.busy.bookings:,} bookings")
    for label, found in (*result.busy.slots.items(), *result.worst.slots.items()):
        print(f"  {label}: {found} slots")
    print(f"  worst case: {result.worst.blocked} providers of the treatment in the city booked all day")
    print_table([("calls", "p50 / p95 / max ms"), *slot_spreads(result)])
    for plan in (result.busy.plan, result.worst.plan):
        if plan is not None:
            print(f"  {plan.label}: {plan_summary(plan)}, {plan.rows} rows")
            for line in plan.nodes:
                print(f"      {line}")


def slot_spreads(result: WizardResult) -> list[tuple[str, str]]:
    """(calls, 'p50 / p95 / max') of both measurements."""
    return [
        (f"busy city, {len(result.busy.seconds)} calls", spread(result.busy.seconds)),
        (f"nobody free, {len(result.worst.seconds)} calls", spread(result.worst.seconds)),
    ]


@dataclass
class Results:
    """Everything the run measured."""

    started_at: str
    background_cores: float
    ranking: RankingResult
    small: PassResult
    large: PassResult
    ranking_large: RankingResult | None = None
    slots: WizardResult | None = None
    slots_large: WizardResult | None = None


def ranking_rows(result: RankingResult) -> list[tuple[str, str, str, str]]:
    """Summary rows of one ranking measurement."""
    p95_ms = percentile(result.total, 95) * 1000
    return [
        (
            f"next_candidates p50/p95/max ms ({result.bookings:,} bookings)",
            spread(result.total),
            f"p95 < {TARGET_RANK_P95_MS:.0f} ms",
            verdict(p95_ms < TARGET_RANK_P95_MS),
        ),
        ("  best-first query (best_free_professionals)", spread(result.query), "", ""),
        ("  professional_facts of those picked", spread(result.facts), "", ""),
        ("  database round trips (all statements)", spread(result.database), "", ""),
        ("  domain.matching.evaluate of those picked", spread(result.rank), "", ""),
        ("  professionals picked", f"{result.candidates:,}", "", ""),
    ]


def pass_rows(r: Results) -> list[tuple[str, str, str, str]]:
    """Summary rows of the due-work passes."""
    ratio = r.large.median("total") / r.small.median("total")
    scans = sorted({t for p in r.large.plans for t in p.seq_scans if t in TIMER_TABLES})

    def both(attribute: str) -> str:
        return f"{ms(r.small.median(attribute))} -> {ms(r.large.median(attribute))}"

    return [
        (f"worker pass median ms, {r.small.bookings:,} bookings", ms(r.small.median("total")), "", ""),
        (f"worker pass median ms, {r.large.bookings:,} bookings", ms(r.large.median("total")), "", ""),
        ("  timers (expire + cancel) median ms, small -> large", both("timers"), "", ""),
        ("  pass without the handlers' work, small -> large", both("machinery"), "", ""),
        ("  handlers' ranking per expired offer, small -> large", both("rank_per_offer"), "", ""),
        (
            "pass time ratio large / small",
            f"{ratio:.2f}x",
            f"<= {TARGET_PASS_RATIO:.1f}x",
            verdict(ratio <= TARGET_PASS_RATIO),
        ),
        (
            f"seq scans on {'/'.join(TIMER_TABLES)} in timer + claim plans at {r.large.bookings:,}",
            ", ".join(scans) or "none",
            "none",
            verdict(not scans),
        ),
    ]


def summary_rows(r: Results) -> list[tuple[str, str, str, str]]:
    """(figure, measured, target, result) rows of the final table."""
    rows = ranking_rows(r.ranking)
    if r.ranking_large is not None:
        rows += ranking_rows(r.ranking_large)[:1]
    rows += pass_rows(r)
    for wizard in (r.slots, r.slots_large):
        if wizard is not None:
            rows += wizard_rows(wizard)
    return rows


def print_summary(cfg: Config, r: Results) -> None:
    """The final table."""
    due = f"{cfg.due_offers} offers expiring + {cfg.unstaffed} unstaffed visits per pass"
    print(f"\n=== {r.started_at} - {os.cpu_count()} CPUs, {cfg.pros:,} professionals, {due} ===")
    print_table([("figure", "measured", "target", "result"), *summary_rows(r)])
    print(f"background load before start: {r.background_cores:.2f} cores busy")


# --- main -----------------------------------------------------------------------------------------


def target_start(now: datetime) -> datetime:
    """Tomorrow 10:00 Israeli time: the visit of the booking to rank candidates for."""
    local = (now + timedelta(days=1)).astimezone(BUSINESS_TZ)
    return local.replace(hour=10, minute=0, second=0, microsecond=0).astimezone(UTC)


async def prepare(cfg: Config, container: Container, loader: Loader) -> None:
    """Demo data, then the professionals and the first bookings in bulk."""
    async with container.sessions() as session:
        await load_demo_data(session, now=loader.now, passwords=Passwords(time_cost=1, memory_kib=1024))
        await session.commit()
    await loader.run("UPDATE outbox_events SET status = 'done', handled_at = $1::timestamptz")
    loader.values = await catalogue_values(loader, cfg)
    await load_professionals(loader)
    await load_bookings(loader, cfg)
    await refresh_standings(container, loader)


async def refresh_standings(container: Container, loader: Loader) -> None:
    """Every professional's standing and coverage, as the worker keeps them (one transaction per batch)."""
    started = time.perf_counter()
    ids = [r[0] for r in await loader.admin.fetch("SELECT user_id FROM professional_profiles ORDER BY 1")]
    for first in range(0, len(ids), standing_service.BATCH):
        async with container.sessions() as session:
            batch = ids[first : first + standing_service.BATCH]
            await standing_service.refresh_standing(session, batch, now=loader.now)
            await session.commit()
    await loader.run(ANALYZE_SQL)
    log(f"  standings of {len(ids):,} professionals refreshed: {time.perf_counter() - started:.1f}s")


async def measure(cfg: Config, container: Container, loader: Loader, background: float) -> Results:
    """Both measurements: ranking and passes at --small, then passes (and ranking) at --large."""
    clock = StatementClock(container)
    started_at = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    log(f"ranking: 1 + up to {cfg.rank_runs} runs or {cfg.rank_budget:.0f}s ...")
    ranking = await measure_ranking(container, clock, loader, (cfg.rank_runs, cfg.rank_budget), cfg.small)
    log(f"wizard slots: 1 + up to {cfg.slot_runs} calls or {cfg.slot_budget:.0f}s, twice ...")
    slots = await measure_wizard(container, clock, loader, (cfg.slot_runs, cfg.slot_budget), cfg.small)
    log(f"worker passes at {cfg.small:,} bookings: 1 + up to {cfg.passes} or {cfg.pass_budget:.0f}s ...")
    small = await measure_passes(container, clock, loader, cfg, cfg.small)
    log(f"growing to {cfg.large:,} bookings ...")
    await grow_bookings(loader, cfg, cfg.large)
    log(f"worker passes at {cfg.large:,} bookings: 1 + up to {cfg.passes} or {cfg.pass_budget:.0f}s ...")
    large = await measure_passes(container, clock, loader, cfg, cfg.large)
    results = Results(started_at, background, ranking, small, large, slots=slots)
    if cfg.rank_runs_large:
        log(f"ranking again at {cfg.large:,} bookings: 1 + {cfg.rank_runs_large} runs ...")
        limits = (cfg.rank_runs_large, cfg.rank_budget)
        results.ranking_large = await measure_ranking(container, clock, loader, limits, cfg.large)
    if cfg.slot_runs_large:
        log(f"wizard slots again at {cfg.large:,} bookings: up to {cfg.slot_runs_large} calls, twice ...")
        limits = (cfg.slot_runs_large, cfg.slot_budget)
        results.slots_large = await measure_wizard(container, clock, loader, limits, cfg.large)
    log("done measuring")
    return results


async def bench(cfg: Config, database: str, background: float) -> Results:
    """Set up, measure, report; the engine and the loading connection are closed whatever happens."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    container = build_container(bench_settings(database_url(cfg.pg_host, database)), clock=SettableClock(now))
    loader = await open_loader(cfg.pg_host, database, now, target_start(now))
    try:
        log("loading data ...")
        await prepare(cfg, container, loader)
        results = await measure(cfg, container, loader, background)
    finally:
        await loader.admin.close(timeout=10)
        await container.close()
    target = f"the Tel Aviv booking ({cfg.pros:,} professionals, {cfg.city_pros:,} cover Tel Aviv)"
    print_ranking(results.ranking, target)
    if results.ranking_large is not None:
        print_ranking(results.ranking_large, target)
    print_passes([results.small, results.large])
    for size in (results.small, results.large):
        print_plans(size)
        print_ranking(size.rerank, "due booking 1 (Deep Tissue 90, male wanted) as its offer.expired handler")
    for wizard in (results.slots, results.slots_large):
        if wizard is not None:
            print_wizard(wizard)
    return results


def run(cfg: Config, resources: BenchResources) -> None:
    """The whole benchmark; `resources` records what to clean up."""
    configure_logging(level="WARNING", json_lines=False)
    background = busy_cores(1.0)
    log(f"background load: {background:.2f} of {os.cpu_count()} cores busy")
    warn_if_busy(background)
    database = resources.create_database()
    log(f"database {database}: migrating ...")
    upgrade_database(database_url(cfg.pg_host, database))
    remaining = cfg.time_limit - elapsed()
    results = asyncio.run(asyncio.wait_for(bench(cfg, database, background), timeout=remaining))
    print_summary(cfg, results)
    write_json(cfg.json_path, cfg, results=asdict(results))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run, and always drop the database (every step of the cleanup is bounded in time)."""
    cfg = parse_args(argv)
    resources = BenchResources(pg_host=cfg.pg_host, keep=cfg.keep_database)
    errors = (RuntimeError, OSError, subprocess.SubprocessError, asyncpg.PostgresError)
    return run_and_clean_up(lambda: run(cfg, resources), resources, errors, cfg.time_limit)


if __name__ == "__main__":
    sys.exit(main())
