"""Throttles in one process: log-in failures per phone (the lock and its growth) and per address, sign-ups
per address, the pages' 429s in Hebrew and English, and whose address X-Forwarded-For may name.

The lock runs on the wall clock (`limits` reads it), so these tests shorten it to a second or two and wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from masu.bootstrap import build_container
from masu.clock import SettableClock
from masu.web.app import create_app
from tests.conftest import settings_for
from tests.factories import CUSTOMER, OTHER_CUSTOMER, csrf_of

PEER = "198.51.100.7"


@asynccontextmanager
async def serving(database_url: str, clock: SettableClock, **overrides: Any) -> AsyncIterator[FastAPI]:
    """The app on the test database with these settings."""
    container = build_container(settings_for(database_url, **overrides), clock=clock)
    yield create_app(container)
    await container.close()


@asynccontextmanager
async def client_at(app: FastAPI, peer: str = PEER) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests come from `peer`."""
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://masu.test") as http:
        yield http


async def api_login(http: httpx.AsyncClient, phone: str, password: str, **headers: str) -> httpx.Response:
    return await http.post("/api/v1/auth/login", json={"phone": phone, "password": password}, headers=headers)


def assert_throttled(response: httpx.Response, code: str) -> int:
    """The 429 problem with `code`; its Retry-After in seconds."""
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    return int(response.headers["Retry-After"])


async def fail_five_times(http: httpx.AsyncClient, phone: str) -> None:
    answers = [await api_login(http, phone, "wrong password") for _ in range(5)]
    assert [a.status_code for a in answers] == [401] * 5


async def test_five_failures_lock_a_phone_even_for_its_right_password_until_the_lock_ends(
    database_url: str, clock: SettableClock
) -> None:
    async with serving(database_url, clock, LOGIN_LOCK_SECONDS=1) as app, client_at(app) as http:
        await fail_five_times(http, CUSTOMER[0])
        assert assert_throttled(await api_login(http, *CUSTOMER), "login_locked") == 1
        # Another format of the same number is the same phone.
        assert_throttled(await api_login(http, "+972520000001", CUSTOMER[1]), "login_locked")
        assert (await api_login(http, *OTHER_CUSTOMER)).status_code == 200  # other phones are untouched
        await asyncio.sleep(1.2)
        assert (await api_login(http, *CUSTOMER)).status_code == 200


async def test_each_further_lock_lasts_twice_as_long_up_to_the_cap_and_a_log_in_forgets_them(
    database_url: str, clock: SettableClock
) -> None:
    settings = {"LOGIN_LOCK_SECONDS": 1, "LOGIN_LOCK_MAX_SECONDS": 2}
    async with serving(database_url, clock, **settings) as app, client_at(app) as http:
        waits = []
        for _ in range(3):
            await fail_five_times(http, CUSTOMER[0])
            waits.append(assert_throttled(await api_login(http, *CUSTOMER), "login_locked"))
            await asyncio.sleep(waits[-1] + 0.2)
        assert waits == [1, 2, 2]
        assert (await api_login(http, *CUSTOMER)).status_code == 200
        await fail_five_times(http, CUSTOMER[0])
        assert assert_throttled(await api_login(http, *CUSTOMER), "login_locked") == 1


async def test_right_passwords_never_count_even_many_at_once(database_url: str, clock: SettableClock) -> None:
    async with serving(database_url, clock) as app, client_at(app) as http:
        assert [(await api_login(http, *CUSTOMER)).status_code for _ in range(12)] == [200] * 12
        for _ in range(3):  # four failures, then a success that forgets them
            assert [(await api_login(http, CUSTOMER[0], "wrong")).status_code for _ in range(4)] == [401] * 4
            assert (await api_login(http, *CUSTOMER)).status_code == 200
        answers = await asyncio.gather(*(api_login(http, *CUSTOMER) for _ in range(5)))
        assert [a.status_code for a in answers] == [200] * 5


async def test_failures_from_one_address_are_limited_across_phones(
    database_url: str, clock: SettableClock
) -> None:
    async with (
        serving(database_url, clock, LOGIN_FAILURES_PER_ADDRESS="3/15 minutes") as app,
        client_at(app) as sprayer,
        client_at(app, "203.0.113.9") as elsewhere,
    ):
        phones = [f"05200000{n:02d}" for n in range(10, 13)]
        assert [(await api_login(sprayer, p, "guess")).status_code for p in phones] == [401] * 3
        retry_after = assert_throttled(
            await api_login(sprayer, "0520000020", "guess"), "too_many_login_failures"
        )
        assert 890 <= retry_after <= 900
        assert_throttled(await api_login(sprayer, *CUSTOMER), "too_many_login_failures")
        assert (await api_login(elsewhere, *CUSTOMER)).status_code == 200


async def test_sign_ups_from_one_address_stop_at_the_limit(database_url: str, clock: SettableClock) -> None:
    async with (
        serving(database_url, clock) as app,
        client_at(app) as http,
        client_at(app, "203.0.113.9") as other,
    ):
        answers = [await http.post("/api/v1/auth/register", json=signup(n)) for n in range(11)]
        assert [a.status_code for a in answers] == [201] * 10 + [429]
        assert 3590 <= assert_throttled(answers[-1], "too_many_signups") <= 3600
        assert (await other.post("/api/v1/auth/register", json=signup(11))).status_code == 201


def signup(n: int) -> dict[str, str]:
    return {"name": "Tamar Cohen", "phone": f"05370000{n:02d}", "password": "a long password"}


async def test_the_login_page_answers_a_locked_phone_in_the_page_language(
    database_url: str, clock: SettableClock
) -> None:
    async with serving(database_url, clock) as app, client_at(app) as http:
        for lang, message in (
            ("he", "יותר מדי ניסיונות. אפשר לנסות שוב בעוד 1 דק׳."),
            ("en", "Too many attempts. Try again in 1 min."),
        ):
            token = csrf_of((await http.get(f"/login?lang={lang}")).text)
            phone = CUSTOMER[0] if lang == "he" else OTHER_CUSTOMER[0]
            form = {"phone": phone, "csrf_token": token}
            wrong = [
                (await http.post("/login", data={**form, "password": "nope"})).status_code for _ in range(5)
            ]
            assert wrong == [401] * 5
            refused = await http.post("/login", data={**form, "password": CUSTOMER[1]})
            assert refused.status_code == 429
            assert 0 < int(refused.headers["Retry-After"]) <= 60
            assert message in refused.text
            assert f'<html lang="{lang}"' in refused.text
            assert 'name="phone"' in refused.text  # the form again, to try later
            assert "masu_session" not in refused.headers.get("set-cookie", "")


async def test_the_sign_up_page_answers_the_limit_in_the_page_language(
    database_url: str, clock: SettableClock
) -> None:
    async with serving(database_url, clock, SIGNUPS_PER_ADDRESS="2/hour") as app, client_at(app) as http:
        for n in range(2):
            http.cookies.clear()
            token = csrf_of((await http.get("/register")).text)
            created = await http.post("/register", data={**signup(n), "csrf_token": token})
            assert created.status_code == 303, created.text
        for lang, message in (
            ("he", "יותר מדי הרשמות מהרשת הזו. אפשר לנסות שוב בעוד 60 דק׳."),
            ("en", "Too many sign-ups from this network. Try again in 60 min."),
        ):
            http.cookies.clear()
            token = csrf_of((await http.get(f"/register?lang={lang}")).text)
            refused = await http.post("/register", data={**signup(5), "csrf_token": token})
            assert refused.status_code == 429
            assert int(refused.headers["Retry-After"]) > 3500
            assert message in refused.text
            assert 'value="Tamar Cohen"' in refused.text  # what was typed is kept


async def test_forwarded_for_counts_only_from_a_trusted_proxy(
    database_url: str, clock: SettableClock
) -> None:
    def forwarded(chain: str) -> dict[str, str]:
        return {"X-Forwarded-For": chain}

    limits = {"SIGNUPS_PER_ADDRESS": "1/hour"}
    async with serving(database_url, clock, **limits) as app, client_at(app) as http:
        first = await http.post("/api/v1/auth/register", json=signup(1), headers=forwarded("192.0.2.1"))
        second = await http.post("/api/v1/auth/register", json=signup(2), headers=forwarded("192.0.2.2"))
        assert (first.status_code, second.status_code) == (201, 429)  # the header is the client's own word

    trusted = {**limits, "TRUSTED_PROXIES": f"10.0.0.0/8, {PEER}"}
    async with serving(database_url, clock, **trusted) as app, client_at(app) as http:
        posts = [
            ("192.0.2.1", 201),
            ("192.0.2.2", 201),
            ("192.0.2.2", 429),
            # What the client wrote left of the address our proxies saw is ignored.
            ("192.0.2.99, 192.0.2.2", 429),
            ("192.0.2.2, 10.1.2.3", 429),
            ("192.0.2.3, 10.1.2.3", 201),
        ]
        for n, (chain, status) in enumerate(posts, start=10):
            answer = await http.post("/api/v1/auth/register", json=signup(n), headers=forwarded(chain))
            assert answer.status_code == status, (chain, answer.text)
