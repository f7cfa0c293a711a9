"""Page security without a browser: CSRF refusals, security headers, sessions, the cancel cut-off."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import httpx
import jinja2
import pytest

from masu.bootstrap import Container, build_container
from masu.clock import SettableClock
from masu.web.app import create_app
from masu.web.ui.headers import CONTENT_SECURITY_POLICY
from masu.web.ui.templates import templates
from tests.conftest import STRONG_SECRET, settings_for
from tests.factories import CUSTOMER, book, csrf_of, login


async def _log_in(client: httpx.AsyncClient) -> None:
    token = csrf_of((await client.get("/login")).text)
    data = {"phone": CUSTOMER[0], "password": CUSTOMER[1], "csrf_token": token}
    response = await client.post("/login", data=data)
    assert response.status_code == 303, response.text


@pytest.mark.slow
def test_a_form_posted_without_its_csrf_token_is_refused_by_the_live_server(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as http:
        form = http.get("/login")
        data = {"phone": CUSTOMER[0], "password": CUSTOMER[1]}
        assert http.post("/login", data=data).status_code == 403
        assert http.post("/login", data={**data, "csrf_token": "0" * 64}).status_code == 403
        logged_in = http.post("/login", data={**data, "csrf_token": csrf_of(form.text)})
        assert logged_in.status_code == 303
        assert http.post("/logout").status_code == 403  # still logged in after a forged logout
        assert http.get("/bookings").status_code == 200


async def test_every_page_carries_the_security_headers(client: httpx.AsyncClient) -> None:
    for path in ("/", "/login", "/register", "/static/app.css", "/health"):
        response = await client.get(path)
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in response.headers
    page = (await client.get("/")).text
    assert "<style" not in page
    assert "style=" not in page
    assert re.search(r"<script(?![^>]*\bsrc=)", page) is None  # no inline scripts


def test_the_pages_templates_escape_what_they_show_and_refuse_a_name_never_passed() -> None:
    environment = templates.env
    assert environment.from_string("<p>{{ name }}</p>").render(name="<script>") == "<p>&lt;script&gt;</p>"
    with pytest.raises(jinja2.UndefinedError):
        environment.from_string("<p>{{ forgotten }}</p>").render()
    with pytest.raises(jinja2.UndefinedError):
        environment.from_string("{% if errors.city %}!{% endif %}").render(errors={})
    assert environment.from_string("{% if errors.get('city') %}!{% endif %}").render(errors={}) == ""


async def test_production_adds_hsts_and_secure_cookies(database_url: str, clock: SettableClock) -> None:
    settings = settings_for(
        database_url, NODE_ENV="production", SECRET_KEY=STRONG_SECRET, METRICS_PUBLIC=True
    )
    container = build_container(settings, clock=clock)
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="https://masu.test") as http:
        response = await http.get("/login")
        assert response.headers["strict-transport-security"].startswith("max-age=")
        assert "secure" in response.headers["set-cookie"].lower()
        await _log_in(http)
    await container.close()


async def test_session_cookie_is_httponly_samesite_and_void_once_changed(client: httpx.AsyncClient) -> None:
    token = csrf_of((await client.get("/login")).text)
    data = {"phone": CUSTOMER[0], "password": CUSTOMER[1], "csrf_token": token}
    response = await client.post("/login", data=data)
    session = next(c for c in response.headers.get_list("set-cookie") if c.startswith("masu_session="))
    assert "HttpOnly" in session
    assert "SameSite=lax" in session
    value = session.split(";")[0].split("=", 1)[1]
    for changed in (_one_changed(value, 0), _one_changed(value, len(value) - 1)):
        client.cookies.set("masu_session", changed)
        assert (await client.get("/bookings")).status_code == 303  # a changed cookie is no session
    client.cookies.set("masu_session", value)
    assert (await client.get("/bookings")).status_code == 200


async def test_a_csrf_token_of_another_key_or_changed_by_one_character_is_refused(
    client: httpx.AsyncClient, database_url: str, clock: SettableClock
) -> None:
    elsewhere = build_container(settings_for(database_url, SECRET_KEY=STRONG_SECRET), clock=clock)
    transport = httpx.ASGITransport(app=create_app(elsewhere))
    async with httpx.AsyncClient(transport=transport, base_url="http://masu.test") as other:
        foreign = csrf_of((await other.get("/login")).text)
        nonce = other.cookies["masu_csrf"]
    await elsewhere.close()
    client.cookies.set("masu_csrf", nonce)
    own = csrf_of((await client.get("/login")).text)  # the same nonce, this server's key
    data = {"phone": CUSTOMER[0], "password": CUSTOMER[1]}
    for refused in (foreign, _one_changed(own, 0), _one_changed(own, len(own) - 1)):
        assert (await client.post("/login", data={**data, "csrf_token": refused})).status_code == 403
    assert (await client.post("/login", data={**data, "csrf_token": own})).status_code == 303


def _one_changed(value: str, index: int) -> str:
    """`value` with the character at `index` replaced by another of hex and base64url alike."""
    other = "1" if value[index] == "0" else "0"
    return value[:index] + other + value[index + 1 :]


async def test_login_only_follows_next_within_the_site(client: httpx.AsyncClient) -> None:
    token = csrf_of((await client.get("/login")).text)
    data = {"phone": CUSTOMER[0], "password": CUSTOMER[1], "csrf_token": token, "next": "//evil.example/"}
    response = await client.post("/login", data=data)
    assert response.headers["location"] == "/"


async def test_pro_and_admin_homes_need_their_role(client: httpx.AsyncClient) -> None:
    assert (await client.get("/pro")).headers["location"] == "/login?next=%2Fpro"
    await _log_in(client)
    assert (await client.get("/pro")).status_code == 403
    assert (await client.get("/admin")).status_code == 403


async def test_after_the_cutoff_there_is_no_cancel_button_and_a_post_is_refused(
    client: httpx.AsyncClient, clock: SettableClock, container: Container
) -> None:
    booking = await book(client, await login(client, CUSTOMER))
    starts = datetime.fromisoformat(booking["bookingDateTime"])
    clock.set(starts - container.policy.cancellation_cutoff + timedelta(minutes=1))
    await _log_in(client)
    page = await client.get(f"/bookings/{booking['id']}?lang=en")
    assert page.status_code == 200
    assert "Cancel booking" not in page.text
    token = csrf_of(page.text)
    refused = await client.post(f"/bookings/{booking['id']}/cancel", data={"csrf_token": token})
    assert refused.status_code == 409
    assert "the cancellation cut-off has passed" in refused.text
    assert 'data-status="pending_professional"' in refused.text
