"""Start-up as operators see it: production refuses weak secrets, development warns, no demo data."""

from __future__ import annotations

import json
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.live_server import MASU, masu_environment, run_masu
from tests.test_config import WEAK_SECRETS

pytestmark = pytest.mark.slow


def _run(
    command: list[str], database_url: str, env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        env=masu_environment(database_url, env),
        cwd=cwd,  # no stray .env file is read
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _create_app(database_url: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # What uvicorn runs in each server process of `masu serve`.
    code = "from masu.asgi import application; application()"
    return _run([sys.executable, "-c", code], database_url, env, cwd)


@pytest.mark.parametrize("secret", WEAK_SECRETS[:4])
def test_masu_serve_refuses_a_weak_secret_in_production(tmp_path: Path, secret: str) -> None:
    env = {"NODE_ENV": "production", "SECRET_KEY": secret, "METRICS_PUBLIC": "true"}
    served = _run(
        [str(MASU), "serve", "--port", "1"], f"sqlite+aiosqlite:///{tmp_path / 'm.db'}", env, tmp_path
    )
    assert served.returncode != 0
    assert "refuses this SECRET_KEY" in served.stderr
    assert secret.strip() == "" or secret not in served.stderr  # the refusal never repeats the secret


def test_the_app_starts_in_production_with_a_strong_secret(tmp_path: Path) -> None:
    env = {
        "NODE_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "METRICS_TOKEN": secrets.token_hex(32),
    }
    created = _create_app(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}", env, tmp_path)
    assert created.returncode == 0, created.stderr
    assert "insecure_secret_key" not in created.stderr + created.stdout


def test_development_start_up_warns_about_the_development_secret(tmp_path: Path) -> None:
    env = {"NODE_ENV": "development", "LOG_LEVEL": "INFO"}
    created = _create_app(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}", env, tmp_path)
    assert created.returncode == 0, created.stderr
    lines = [
        json.loads(line) for line in (created.stdout + created.stderr).splitlines() if line.startswith("{")
    ]
    warnings = [line for line in lines if line.get("event") == "insecure_secret_key"]
    assert len(warnings) == 1
    assert warnings[0]["level"] == "warning"
    assert "development value" in warnings[0]["problem"]


def test_seed_demo_refuses_to_run_in_production(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    run_masu("db", "upgrade", database_url=database_url)
    env = {"NODE_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(32), "METRICS_PUBLIC": "true"}
    seeded = _run([str(MASU), "seed", "--demo"], database_url, env, tmp_path)
    assert seeded.returncode == 1
    assert "never loaded with NODE_ENV=production" in " ".join(seeded.stdout.split())
    with sqlite3.connect(tmp_path / "m.db") as database:
        assert database.execute("SELECT count(*) FROM users").fetchone() == (0,)
