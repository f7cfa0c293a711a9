"""How many SMS one client address can make the system send: an attacker's hour, compressed into a burst.

A live `masu serve` with its worker (its own SQLite copy of the demo data; SMS to the console, each one a row
that is counted) is attacked from 127.0.0.1 by `--clients` concurrent loops for `--duration` seconds, each
doing what costs the business money: sign up with other people's numbers (each would get a code), ask for
codes for those numbers again (verify, login, reset), and book visits "for someone else" at other people's
numbers from the one account the attacker really owns (a demo customer). The throttles are hourly or daily,
so a burst reaches the whole allowance of the hour: the figures are the SMS an address gets sent per hour.

    .venv/bin/python bench/sms_abuse.py --duration 60 --clients 8
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from bench_support import log, scratch_directory

from masu.services.operations.demo_data import CUSTOMER_PASSWORD

MASU = Path(sys.executable).parent / "masu"
ISRAEL = ZoneInfo("Asia/Jerusalem")
SETTLE_SECONDS = 15.0
ATTACKER = ("0520000001", CUSTOMER_PASSWORD)  # the one phone the attacker owns: a verified demo customer


@dataclass
class Attack:
    """What the attacker tried and what the server answered, by action and status; the numbers signed up."""

    answers: Counter[tuple[str, int]]
    signed_up: list[str]

    def record(self, action: str, response: httpx.Response) -> None:
        self.answers[(action, response.status_code)] += 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def victim() -> str:
    """Someone else's Israeli mobile number."""
    return f"05{random.choice('023458')}{random.randrange(10**7):07d}"


async def sign_up(http: httpx.AsyncClient, attack: Attack) -> None:
    body = {"name": "Dana Levi", "phone": victim(), "password": "a long password 1"}
    response = await http.post("/api/v1/auth/register", json=body)
    attack.record("sign-up", response)
    if response.status_code == 201:
        attack.signed_up.append(body["phone"])


async def ask_for_code(http: httpx.AsyncClient, attack: Attack) -> None:
    body = {
        "phone": random.choice([victim(), ATTACKER[0]]),
        "purpose": random.choice(["verify", "login", "reset"]),
    }
    attack.record("code", await http.post("/api/v1/auth/codes", json=body))


async def book_for_someone_else(
    http: httpx.AsyncClient, attack: Attack, headers: dict[str, str], treatment: str
) -> None:
    day = datetime.now(ISRAEL).date() + timedelta(days=random.randint(1, 20))
    at = datetime.combine(day, dt_time(random.randint(9, 19), 0), tzinfo=ISRAEL).isoformat()
    body = {
        "treatmentId": treatment,
        "durationMinutes": 60,
        "bookingDateTime": at,
        "recipientName": "Dana Levi",
        "recipientPhone": victim(),
        "address": {"street": "Herzl 10", "city": "Tel Aviv"},
        "therapistGenderPreference": "any",
    }
    attack.record("booking", await http.post("/api/v1/bookings", json=body, headers=headers))


async def attacker(
    base_url: str, attack: Attack, until: float, headers: dict[str, str], treatment: str
) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        while time.monotonic() < until:
            move = random.random()
            if move < 0.4:
                await sign_up(http, attack)
            elif move < 0.8:
                await ask_for_code(http, attack)
            else:
                await book_for_someone_else(http, attack, headers, treatment)


def sms_counts(database: Path) -> Counter[tuple[str, str]]:
    """SMS rows by (message, status): each sent or queued one is paid for."""
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT template, status, count(*) FROM notifications WHERE channel = 'sms' GROUP BY 1, 2"
        )
        return Counter({(template, status): count for template, status, count in rows})


def run(duration: float, clients: int) -> None:
    workdir = scratch_directory()
    database = workdir / "masu.db"
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "NODE_ENV": "development",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run([str(MASU), "db", "upgrade"], env=env, cwd=workdir, check=True, capture_output=True)
    subprocess.run([str(MASU), "seed", "--demo"], env=env, cwd=workdir, check=True, capture_output=True)
    before = sms_counts(database)
    port = free_port()
    server = subprocess.Popen(
        [str(MASU), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url)
        attack = Attack(Counter(), [])
        log(f"attacking from one address: {clients} clients for {duration:.0f} s")
        until = time.monotonic() + duration
        asyncio.run(_all(base_url, attack, until, clients))
        log(f"letting the worker handle what the attack caused ({SETTLE_SECONDS:.0f} s)")
        time.sleep(SETTLE_SECONDS)
        sent = sms_counts(database) - before
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\nrequests by action and answer ({sum(attack.answers.values())} in {duration:.0f} s):")
    for (action, status), count in sorted(attack.answers.items()):
        print(f"  {action:<8} {status}  {count:>6}")
    print("\nSMS the attack caused, by message and status:")
    for (template, status), count in sorted(sent.items()):
        print(f"  {template:<32} {status:<10} {count:>5}")
    paid = sum(count for (_, status), count in sent.items() if status in {"sent", "queued"})
    print(f"\nSMS per hour from one address: {paid} (hourly and daily limits: the burst is the whole hour)")


async def _all(base_url: str, attack: Attack, until: float, clients: int) -> None:
    """Log in once as the attacker's own account, then attack from `clients` loops at once."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        login = await http.post("/api/v1/auth/login", json={"phone": ATTACKER[0], "password": ATTACKER[1]})
        login.raise_for_status()
        headers = {"Authorization": f"Bearer {login.json()['accessToken']}"}
        treatments = (await http.get("/api/v1/treatments")).json()
        swedish = next(t["id"] for t in treatments if t["name"] == "Swedish Massage")
    await asyncio.gather(*(attacker(base_url, attack, until, headers, swedish) for _ in range(clients)))


def _wait_until_up(base_url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not come up")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of attack")
    parser.add_argument("--clients", type=int, default=8, help="concurrent attacking loops")
    args = parser.parse_args()
    run(args.duration, args.clients)


if __name__ == "__main__":
    main()
