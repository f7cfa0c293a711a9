"""Sessions and tokens that end: log-out, log out everywhere and a password change revoke them; CSRF tokens
are bound to the session; production cookies carry the `__Host-` prefix."""

from __future__ import annotations

from datetime import timedelta

import httpx
import sqlalchemy as sa

from masu.bootstrap import Container, build_container
from masu.clock import SettableClock
from masu.persistence.models import BrowserSessionRecord
from masu.web.app import create_app
from masu.worker.runner import Worker
from tests.conftest import STRONG_SECRET, settings_for
from tests.factories import CUSTOMER, OTHER_CUSTOMER, csrf_of, login, page_login


async def test_after_logout_the_saved_cookie_opens_nothing(client: httpx.AsyncClient) -> None:
    await page_login(client, CUSTOMER)
    saved = client.cookies["masu_session"]
    token = csrf_of((await client.get("/bookings")).text)
    assert (await client.post("/logout", data={"csrf_token": token})).status_code == 303
    client.cookies.set("masu_session", saved)
    answer = await client.get("/bookings")
    assert (answer.status_code, answer.headers["location"]) == (303, "/login?next=%2Fbookings")


async def test_logging_out_everywhere_ends_cookies_and_bearer_tokens(client: httpx.AsyncClient) -> None:
    bearer = await login(client, CUSTOMER)
    await page_login(client, CUSTOMER)
    saved = client.cookies["masu_session"]
    assert (await client.get("/api/v1/me", headers=bearer)).status_code == 200
    other = await login(client, OTHER_CUSTOMER)

    token = csrf_of((await client.get("/account")).text)
    answer = await client.post("/account/logout-everywhere", data={"csrf_token": token})
    assert (answer.status_code, answer.headers["location"]) == (303, "/login")
    assert (await client.get("/api/v1/me", headers=bearer)).status_code == 401
    client.cookies.set("masu_session", saved)
    assert (await client.get("/bookings")).status_code == 303
    assert (await client.get("/api/v1/me", headers=other)).status_code == 200  # nobody else's

    fresh = await login(client, CUSTOMER)
    assert (await client.post("/api/v1/me/logout-everywhere", headers=fresh)).status_code == 204
    assert (await client.get("/api/v1/me", headers=fresh)).status_code == 401


async def test_a_password_change_revokes_cookies_and_tokens(client: httpx.AsyncClient) -> None:
    bearer = await login(client, CUSTOMER)
    await page_login(client, CUSTOMER)
    body = {"currentPassword": "not it", "newPassword": "a brand new password"}
    wrong = await client.post("/api/v1/me/password", json=body, headers=bearer)
    assert (wrong.status_code, wrong.json()["errors"][0]["field"]) == (422, "currentPassword")

    changed = await client.post(
        "/api/v1/me/password", json={**body, "currentPassword": CUSTOMER[1]}, headers=bearer
    )
    assert changed.status_code == 200, changed.text
    assert (await client.get("/api/v1/me", headers=bearer)).status_code == 401
    new = {"Authorization": f"Bearer {changed.json()['accessToken']}"}
    assert (await client.get("/api/v1/me", headers=new)).status_code == 200
    assert (await client.get("/bookings")).status_code == 303  # the page session ended too
    old_login = {"phone": CUSTOMER[0], "password": CUSTOMER[1]}
    assert (await client.post("/api/v1/auth/login", json=old_login)).status_code == 401

    await page_login(client, (CUSTOMER[0], "a brand new password"))
    before = client.cookies["masu_session"]
    token = csrf_of((await client.get("/account?lang=en")).text)
    form = {
        "csrf_token": token,
        "current_password": "a brand new password",
        "new_password": "third password!",
    }
    answer = await client.post("/account/password", data=form)
    assert (answer.status_code, answer.headers["location"]) == (303, "/account?password_changed=1")
    assert "Your password was changed." in (await client.get("/account?password_changed=1")).text
    assert (await client.get("/api/v1/me", headers=new)).status_code == 401
    client.cookies.set("masu_session", before)
    assert (await client.get("/bookings")).status_code == 303


async def test_a_planted_csrf_cookie_and_its_token_fail_with_the_victims_session(
    client: httpx.AsyncClient,
) -> None:
    attacker_token = csrf_of((await client.get("/login")).text)
    attacker_nonce = client.cookies["masu_csrf"]
    await page_login(client, CUSTOMER)  # the victim
    victim_session = client.cookies["masu_session"]
    client.cookies.clear()
    client.cookies.set("masu_session", victim_session)
    client.cookies.set("masu_csrf", attacker_nonce)
    refused = await client.post("/logout", data={"csrf_token": attacker_token})
    assert refused.status_code == 403
    assert (await client.get("/bookings")).status_code == 200  # still logged in
    own = csrf_of((await client.get("/bookings")).text)
    assert (await client.post("/logout", data={"csrf_token": own})).status_code == 303


async def test_production_cookies_carry_the_host_prefix(database_url: str, clock: SettableClock) -> None:
    settings = settings_for(
        database_url, NODE_ENV="production", SECRET_KEY=STRONG_SECRET, METRICS_PUBLIC=True
    )
    container = build_container(settings, clock=clock)
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="https://masu.test") as http:
        form = await http.get("/login")
        data = {"phone": CUSTOMER[0], "password": CUSTOMER[1], "csrf_token": csrf_of(form.text)}
        answer = await http.post("/login", data=data)
        cookies = answer.headers.get_list("set-cookie")
        for name in ("__Host-masu_session=", "__Host-masu_csrf="):
            cookie = next(c for c in cookies if c.startswith(name))
            assert "Secure" in cookie
            assert "Path=/" in cookie
            assert "Domain" not in cookie
        assert (await http.get("/bookings")).status_code == 200
    await container.close()


async def test_the_worker_deletes_sessions_once_they_expire_and_keeps_live_ones(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    await page_login(client, CUSTOMER)
    clock.advance(timedelta(hours=6))
    await page_login(client, OTHER_CUSTOMER)
    other = (await client.get("/api/v1/me", headers=await login(client, OTHER_CUSTOMER))).json()["id"]
    worker = Worker(container, container.bus)

    clock.advance(timedelta(minutes=container.settings.ACCESS_TOKEN_TTL_MINUTES) - timedelta(hours=6))
    await worker.run_once(clock.now())  # the first session has just expired, the second has 6 hours left
    after_first = await _session_owners(container)
    clock.advance(timedelta(hours=6))
    await worker.run_once(clock.now())

    assert after_first == [other]
    assert await _session_owners(container) == []
    assert (await client.get("/bookings")).status_code == 303


async def _session_owners(container: Container) -> list[str]:
    async with container.sessions() as session:
        return list((await session.execute(sa.select(BrowserSessionRecord.user_id))).scalars())
