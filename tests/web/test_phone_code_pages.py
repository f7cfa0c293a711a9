"""The code pages as a browser posts them: confirm a new phone, log in by code, reset a password."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from masu.bootstrap import Container
from masu.clock import SettableClock
from tests.factories import CUSTOMER, code_sent_to, csrf_of

PHONE = "+972547654321"


async def _sign_up(client: httpx.AsyncClient, *, next_url: str = "") -> httpx.Response:
    token = csrf_of((await client.get("/register?lang=en")).text)
    form = {
        "csrf_token": token,
        "name": "Tamar Bar",
        "phone": "054-7654321",
        "password": "a-long-enough-password",
        "language": "en",
        "next": next_url,
    }
    return await client.post("/register", data=form)


async def _post_code(client: httpx.AsyncClient, action: str, page: str, **fields: str) -> httpx.Response:
    form = {"csrf_token": csrf_of(page), "phone": PHONE, **fields}
    return await client.post(action, data=form)


async def test_signing_up_asks_for_the_code_and_only_then_logs_in(
    client: httpx.AsyncClient, container: Container
) -> None:
    answer = await _sign_up(client, next_url="/bookings")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/verify-phone?phone=%2B972547654321&next=%2Fbookings"
    assert (await client.get("/bookings")).status_code == 303, "no session before the phone is proved"

    page = (await client.get(answer.headers["location"])).text
    assert "Enter the six-digit code we texted to" in page
    assert 'autocomplete="one-time-code"' in page
    code = await code_sent_to(container, PHONE)
    wrong = await _post_code(client, "/verify-phone", page, code="000000" if code != "000000" else "111111")
    assert wrong.status_code == 422
    assert re.search(r'id="code-error"[^>]*>The code is wrong', wrong.text)

    right = await _post_code(client, "/verify-phone", wrong.text, code=code, next="/bookings")
    assert (right.status_code, right.headers["location"]) == (303, "/bookings")
    bookings = await client.get("/bookings")
    assert bookings.status_code == 200
    assert "Tamar Bar" in bookings.text


async def test_the_sign_up_form_keeps_the_page_that_asked_for_a_log_in(client: httpx.AsyncClient) -> None:
    page = (await client.get("/register?next=%2Fbookings&lang=en")).text
    assert '<input type="hidden" name="next" value="/bookings">' in page
    assert '<input type="hidden" name="next" value="">' in (await client.get("/register?lang=en")).text


async def test_a_new_code_waits_a_minute_and_the_page_says_so(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    answer = await _sign_up(client)
    page = (await client.get(answer.headers["location"])).text
    too_soon = await _post_code(client, "/codes/send", page, purpose="verify")
    assert (too_soon.status_code, too_soon.headers["Retry-After"]) == (429, "60")
    assert "A new code can be sent in 60 seconds." in too_soon.text
    clock.advance(timedelta(seconds=61))
    again = await _post_code(client, "/codes/send", too_soon.text, purpose="verify")
    assert again.status_code == 200
    assert "We texted you a new code." in again.text
    assert (
        await _post_code(client, "/verify-phone", again.text, code=await code_sent_to(container, PHONE))
    ).is_redirect


async def test_a_password_log_in_of_an_unproved_phone_goes_to_the_code(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    await _sign_up(client)
    clock.advance(timedelta(minutes=2))
    token = csrf_of((await client.get("/login?lang=en")).text)
    form = {"csrf_token": token, "phone": PHONE, "password": "a-long-enough-password", "next": "/bookings"}
    answer = await client.post("/login", data=form)
    assert answer.headers["location"].startswith("/verify-phone?phone=%2B972547654321")
    assert (await client.get("/bookings")).status_code == 303
    page = (await client.get(answer.headers["location"])).text
    done = await _post_code(client, "/verify-phone", page, code=await code_sent_to(container, PHONE))
    assert done.status_code == 303


async def test_log_in_by_code_from_the_login_page(client: httpx.AsyncClient, container: Container) -> None:
    login_page = (await client.get("/login?lang=en")).text
    assert 'href="/login/code"' in login_page
    assert 'href="/password/forgot"' in login_page
    phone_step = (await client.get("/login/code")).text
    sent = await client.post(
        "/codes/send", data={"csrf_token": csrf_of(phone_step), "purpose": "login", "phone": CUSTOMER[0]}
    )
    assert sent.status_code == 200
    code = await code_sent_to(container, "+972520000001")
    form = {"csrf_token": csrf_of(sent.text), "phone": CUSTOMER[0], "code": code}
    logged_in = await client.post("/login/code", data=form)
    assert (logged_in.status_code, logged_in.headers["location"]) == (303, "/")
    assert (await client.get("/bookings")).status_code == 200


async def test_an_unknown_phone_gets_the_same_page_and_no_text(client: httpx.AsyncClient) -> None:
    phone_step = (await client.get("/login/code?lang=en")).text
    sent = await client.post(
        "/codes/send", data={"csrf_token": csrf_of(phone_step), "purpose": "login", "phone": "0549999999"}
    )
    assert sent.status_code == 200
    assert "We texted you a new code." in sent.text
    bad = await client.post(
        "/codes/send", data={"csrf_token": csrf_of(phone_step), "purpose": "login", "phone": "12"}
    )
    assert bad.status_code == 422
    assert 'id="phone-error"' in bad.text


async def test_a_forgotten_password_is_replaced_by_code(
    client: httpx.AsyncClient, container: Container
) -> None:
    phone_step = (await client.get("/password/forgot?lang=en")).text
    sent = await client.post(
        "/codes/send", data={"csrf_token": csrf_of(phone_step), "purpose": "reset", "phone": CUSTOMER[0]}
    )
    code = await code_sent_to(container, "+972520000001")
    form = {"csrf_token": csrf_of(sent.text), "phone": CUSTOMER[0], "code": code, "password": "short"}
    short = await client.post("/password/reset", data=form)
    assert short.status_code == 422
    assert 'id="password-error"' in short.text
    form |= {"csrf_token": csrf_of(short.text), "password": "a brand new password"}
    assert (await client.post("/password/reset", data=form)).status_code == 303
    client.cookies.clear()
    old = await client.post("/api/v1/auth/login", json={"phone": CUSTOMER[0], "password": CUSTOMER[1]})
    new = await client.post(
        "/api/v1/auth/login", json={"phone": CUSTOMER[0], "password": "a brand new password"}
    )
    assert (old.status_code, new.status_code) == (401, 200)


async def test_the_code_pages_speak_hebrew(client: httpx.AsyncClient) -> None:
    answer = await _sign_up(client)
    page = (await client.get(answer.headers["location"] + "&lang=he")).text
    assert 'dir="rtl"' in page
    assert "נא להזין את הקוד בן שש הספרות שנשלח אל" in page
    assert '<bdi dir="ltr">+972547654321</bdi>' in page
