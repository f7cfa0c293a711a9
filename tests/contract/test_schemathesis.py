"""The OpenAPI document against the real app: generated requests for every operation, as each kind of caller.

Schemathesis builds requests from the document (valid ones and broken ones) and runs all of its checks on
every answer. The run passes only with no server error and no answer the document does not describe. Each
caller has a server of its own, and two callers run at once in processes of their own (about 2 minutes here);
under `make test` each worker runs the callers of the tests it is given.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema
from schemathesis.engine.statistic import Statistic

from tests.factories import ADMIN, CUSTOMER, PROFESSIONAL
from tests.live_server import running_server
from tests.workers import worker_count

EXAMPLES_PER_OPERATION = 25
PARALLEL_RUNS = 2
SEED = 20261201
IDENTITIES: dict[str, tuple[str, str] | None] = {
    "anonymous": None,
    "customer": CUSTOMER,
    "professional": PROFESSIONAL,
    "admin": ADMIN,
}
GATEWAY_KEY = "contract-test-gateway-key-0123456789"
# positive_data_acceptance wants every request the schema allows accepted. These operations also judge what a
# JSON Schema cannot say, and answer 422 for it by contract (docs/api.md: "a field breaks a rule"); each is
# named here with the rule, so a 422 anywhere else still fails the run.
RULES_BEYOND_THE_SCHEMA: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/auth/register"): "a real Israeli mobile number; the name rule (letters of any script)",
    ("POST", "/api/v1/auth/codes"): "a real Israeli mobile number",
    ("POST", "/api/v1/auth/verify-phone"): "the code texted to the phone",
    ("POST", "/api/v1/auth/login/code"): "the code texted to the phone",
    ("POST", "/api/v1/auth/password/reset"): "the code texted to the phone",
    ("POST", "/api/v1/me/password"): "the current password",
    (
        "POST",
        "/api/v1/bookings",
    ): "the treatment, city and coupon exist; the visit lies in the booking window",
    ("GET", "/api/v1/bookings"): "a cursor this server issued",
    ("GET", "/api/v1/admin/bookings"): "a cursor this server issued",
    ("GET", "/api/v1/admin/reviews"): "a cursor this server issued",
    ("GET", "/api/v1/professionals/{professionalId}/reviews"): "a cursor this server issued",
    ("GET", "/api/v1/admin/reports"): "a calendar day; `to` not before `from`; a bounded period",
    ("POST", "/api/v1/admin/treatments"): "the pricing type decides which prices are needed",
    ("PUT", "/api/v1/admin/treatments/{treatmentId}"): "the pricing type decides which prices are needed",
    ("POST", "/api/v1/admin/coupons"): "a percentage is at most 100; validUntil after validFrom",
    ("PATCH", "/api/v1/admin/coupons/{couponId}"): "validUntil after validFrom; a limit not below the uses",
    ("POST", "/api/v1/admin/surcharges"): "a weekday or a date, not both; end after start",
    ("PATCH", "/api/v1/admin/surcharges/{ruleId}"): "a weekday or a date, not both; end after start",
    ("POST", "/api/v1/admin/professionals"): "a real Israeli mobile number; the name rule",
    ("PUT", "/api/v1/admin/professionals/{professionalId}/treatments"): "each treatment and duration exists",
    ("PUT", "/api/v1/admin/professionals/{professionalId}/cities"): "each city exists",
    ("PUT", "/api/v1/admin/professionals/{professionalId}/location"): "both coordinates or neither",
    ("PUT", "/api/v1/admin/professionals/{professionalId}/hours"): "end after start, no overlaps in a day",
    ("POST", "/api/v1/admin/bookings/{bookingId}/assign"): "the professional exists",
    ("POST", "/api/v1/bookings/{bookingId}/review"): "the rating is an integer as written (1.0 is refused)",
}
# negative_data_rejection wants a value of the wrong JSON type refused. The admin catalogue's models also read
# the admin pages' form text (numbers, "1" for a ticked box, times as text), so they take a number written as
# a string, a boolean as 0/1 and a time as Unix seconds, as pydantic's lax mode does; and a query's times are
# text anyway, so `from`/`to` of the bookings list take Unix seconds too.
READS_FORM_TEXT: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/admin/treatments"): "the treatment form",
    ("PUT", "/api/v1/admin/treatments/{treatmentId}"): "the treatment form",
    ("POST", "/api/v1/admin/cities"): "the city form",
    ("PATCH", "/api/v1/admin/cities/{cityId}"): "the city form",
    ("POST", "/api/v1/admin/coupons"): "the coupon form",
    ("PATCH", "/api/v1/admin/coupons/{couponId}"): "the coupon form",
    ("POST", "/api/v1/admin/surcharges"): "the surcharge form",
    ("PATCH", "/api/v1/admin/surcharges/{ruleId}"): "the surcharge form",
    ("GET", "/api/v1/admin/bookings"): "`from` and `to` as Unix seconds",
}
ACCEPTED_OR_A_RULE = ["2xx", "3xx", 401, 403, 404, 409, 422, 429, "5xx"]


@dataclass
class Run:
    """What one run did: operations, cases, failing checks by kind, the first failures in words."""

    operations: set[str] = field(default_factory=set)
    statistic: Statistic = field(default_factory=Statistic)
    failures: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    where: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self, identity: str) -> str:
        kinds = ", ".join(f"{name} {count}" for name, count in sorted(self.failures.items())) or "none"
        return (
            f"{identity}: {len(self.operations)} operations, {self.statistic.total_cases} cases, "
            f"{sum(self.failures.values())} failures ({kinds}), {self.seconds:.0f} s"
        )


def _config(document_has_links: bool, workdir: Path) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            # The run's own cache, never .schemathesis/ in the working directory: what an earlier run or
            # another caller's run (in parallel) left there would change what this run sends.
            "cache": {"directory": str(workdir / "schemathesis-cache")},
            "workers": 1,
            "continue-on-failure": True,
            "generation": {
                "max-examples": EXAMPLES_PER_OPERATION,
                "no-shrink": True,
                "database": "none",
                "allow-x00": False,  # every string refuses NUL by contract (docs/api.md), not by its schema
            },
            "checks": {"enabled": True},
            "phases": {"stateful": {"enabled": document_has_links}},
            "operations": [
                {
                    "include-method": method,
                    "include-path": path,
                    "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED_OR_A_RULE}},
                }
                for method, path in RULES_BEYOND_THE_SCHEMA
            ]
            + [
                {
                    "include-method": method,
                    "include-path": path,
                    "checks": {"negative_data_rejection": {"enabled": False}},
                }
                for method, path in READS_FORM_TEXT
            ],
        }
    )


def _has_links(document: dict[str, Any]) -> bool:
    return any(
        "links" in response
        for path in document["paths"].values()
        for operation in path.values()
        for response in operation.get("responses", {}).values()
    )


def _serving(template: Path, workdir: Path) -> contextlib.AbstractContextManager[str]:
    """`masu serve` on a fresh copy of the demo database (its own throttles too), in a process of its own."""
    target = workdir / "masu.db"
    shutil.copy(template, target)
    env = {
        "PAYMENT_GATEWAY": "sandbox",
        "PAYMENT_GATEWAY_KEY": GATEWAY_KEY,
        # Generated password changes would lock the caller's own phone within five tries; the lock has tests
        # of its own, and a locked caller could not log in again after "log out everywhere".
        "LOGIN_FAILURES_PER_PHONE": "100000/15 minutes",
    }
    return running_server(f"sqlite+aiosqlite:///{target}", env=env)


def _log_in_as(schema: Any, base_url: str, who: tuple[str, str]) -> None:
    phone, password = who

    @schema.auth()
    class BearerLogin:
        """A fresh token for the identity; schemathesis logs in again after a 401 (log out everywhere)."""

        def get(self, case: Any, ctx: Any) -> str:
            response = httpx.post(
                f"{base_url}/api/v1/auth/login", json={"phone": phone, "password": password}
            )
            assert response.status_code == 200, response.text
            return str(response.json()["accessToken"])

        def set(self, case: Any, data: str, ctx: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def _run(base_url: str, who: tuple[str, str] | None, workdir: Path) -> Run:
    document = httpx.get(f"{base_url}/openapi.json").json()
    config = _config(_has_links(document), workdir)
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json", config=config)
    if who is not None:
        _log_in_as(schema, base_url, who)
    run = Run()
    started = time.perf_counter()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished) and event.is_test_scenario:
            _record(run, event)
        elif isinstance(event, events.NonFatalError):
            run.errors.append(f"{event.label}: {event.info.title}: {event.info.message}"[:500])
        elif isinstance(event, events.FatalError):
            run.errors.append(repr(event.exception))
    run.seconds = time.perf_counter() - started
    return run


def _record(run: Run, event: events.ScenarioFinished) -> None:
    recorder = event.recorder
    run.statistic.on_scenario_finished(recorder)
    if event.label:
        run.operations.add(event.label)
    for case_id, checks in recorder.checks.items():
        for check in checks:
            if check.failure_info is None:
                continue
            run.failures[check.name] += 1
            case = recorder.cases[case_id].value
            interaction = recorder.interactions.get(case_id)
            answer = interaction.response if interaction is not None else None
            status = answer.status_code if answer is not None else None
            key = f"{check.name}: {case.method} {case.path} -> {status}"
            run.where[key] += 1
            if key not in run.examples and answer is not None:
                failure = check.failure_info.failure
                said = " ".join(str(getattr(failure, "message", "")).split())[:200]
                run.examples[key] = f"{failure.title}: {said} | {answer.content[:160]!r}"


@dataclass(frozen=True)
class Outcome:
    """What the test needs of one caller's run, small enough to come back from another process."""

    summary: str
    cases: int
    errors: list[str]
    failures: list[str]


def _run_as(identity: str, template: Path, workdir: Path) -> Outcome:
    """One caller's whole run against a server of its own (in a process of the pool)."""
    with _serving(template, workdir) as base_url:
        run = _run(base_url, IDENTITIES[identity], workdir)
    found = [f"{count} x {key}  ({run.examples.get(key, '')})" for key, count in run.where.most_common(60)]
    return Outcome(
        run.summary(identity), run.statistic.total_cases, run.errors, found if run.failures else []
    )


@dataclass
class Outcomes:
    """The callers' runs, each started when a test first asks: in a run of one process every caller's run
    starts then, two at a time (each keeps a process busy, its server another; CI has 2 cores). A worker of
    a parallel run is given some of the module's tests only, and runs those callers alone: the other
    workers keep the cores busy."""

    pool: ProcessPoolExecutor
    template: Path
    workdirs: pytest.TempPathFactory
    started: dict[str, Future[Outcome]] = field(default_factory=dict)

    def __getitem__(self, identity: str) -> Outcome:
        for caller in IDENTITIES if worker_count() == 1 else [identity]:
            if caller not in self.started:
                workdir = self.workdirs.mktemp(caller)
                self.started[caller] = self.pool.submit(_run_as, caller, self.template, workdir)
        return self.started[identity].result()


@pytest.fixture(scope="module")
def outcomes(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcomes]:
    """The callers' runs, in processes of a pool (their own servers each)."""
    spawn = multiprocessing.get_context("spawn")  # a clean interpreter, not a fork of pytest's threads
    with ProcessPoolExecutor(max_workers=PARALLEL_RUNS, mp_context=spawn) as pool:
        yield Outcomes(pool, sqlite_template, tmp_path_factory)


@pytest.mark.parametrize("identity", list(IDENTITIES))
def test_every_answer_is_in_the_document(
    outcomes: Outcomes, identity: str, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = outcomes[identity]
    with capsys.disabled():
        print(f"\n[schemathesis] {outcome.summary}")
    assert not outcome.errors, outcome.errors
    assert outcome.cases > 0
    assert not outcome.failures, "\n".join([outcome.summary, *outcome.failures])
