"""Phone ownership: codes by SMS to sign up, log in and reset a password; nothing else until it is proved."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import sqlalchemy as sa

from masu.bootstrap import Container, build_container
from masu.clock import SettableClock
from masu.persistence.models import Booking, Notification, PhoneCode
from masu.web.app import create_app
from tests.conftest import settings_for
from tests.factories import ADMIN, CUSTOMER, book, booking_body, code_sent_to, login, sign_up, treatment_named
from tests.services.test_notification_handlers import settle

NEW = {"name": "Rivka Ben-David", "phone": "054-7654321", "password": "a long password", "language": "en"}
PHONE = "+972547654321"


async def _register(client: httpx.AsyncClient) -> dict[str, object]:
    registered = await client.post("/api/v1/auth/register", json=NEW)
    assert registered.status_code == 201, registered.text
    return dict(registered.json())


async def _texts_to(container: Container, phone: str) -> list[Notification]:
    async with container.sessions() as session:
        query = (
            sa.select(Notification).where(Notification.recipient == phone).order_by(Notification.created_at)
        )
        return list((await session.execute(query)).scalars())


async def _bookings(container: Container) -> int:
    async with container.sessions() as session:
        return int((await session.execute(sa.select(sa.func.count()).select_from(Booking))).scalar_one())


async def test_sign_up_texts_a_code_and_only_a_proved_phone_books(
    client: httpx.AsyncClient, container: Container
) -> None:
    registered = await _register(client)
    assert registered["verification"] == {"expiresInSeconds": 600, "resendAfterSeconds": 60}
    assert registered["user"]["phoneVerified"] is False  # type: ignore[index]
    [text] = await _texts_to(container, PHONE)
    assert (text.template, text.channel, text.language, text.urgent) == ("phone-code", "sms", "en", True)

    password_login = await login(client, (NEW["phone"], NEW["password"]))
    treatment = await treatment_named(client, "Swedish Massage")
    before = await _bookings(container)
    refused = await client.post(
        "/api/v1/bookings", json=booking_body(treatment["id"]), headers=password_login
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "phone_unverified")
    assert await _bookings(container) == before

    code = await code_sent_to(container, PHONE)
    wrong = "000000" if code != "000000" else "111111"
    bad = await client.post("/api/v1/auth/verify-phone", json={"phone": PHONE, "code": wrong})
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "code")
    good = await client.post("/api/v1/auth/verify-phone", json={"phone": NEW["phone"], "code": code})
    assert good.status_code == 200, good.text
    assert good.json()["user"]["phoneVerified"] is True
    headers = {"Authorization": f"Bearer {good.json()['accessToken']}"}
    await book(client, headers)
    again = await client.post("/api/v1/auth/verify-phone", json={"phone": PHONE, "code": code})
    assert again.status_code == 422, "a code is spent once"


async def test_the_code_is_kept_only_as_a_keyed_hash(client: httpx.AsyncClient, container: Container) -> None:
    await _register(client)
    code = await code_sent_to(container, PHONE)
    async with container.sessions() as session:
        [row] = (await session.execute(sa.select(PhoneCode))).scalars()
    assert code not in row.code_hash
    assert len(row.code_hash) == 64
    assert row.expires_at - row.created_at == timedelta(minutes=10)


async def test_five_tries_even_when_guessed_at_once(client: httpx.AsyncClient, container: Container) -> None:
    await _register(client)
    code = await code_sent_to(container, PHONE)
    wrong = [f"{(int(code) + n) % 10**6:06d}" for n in range(1, 13)]
    answers = await asyncio.gather(
        *(client.post("/api/v1/auth/verify-phone", json={"phone": PHONE, "code": guess}) for guess in wrong)
    )
    assert {answer.status_code for answer in answers} == {422}
    async with container.sessions() as session:
        assert (await session.execute(sa.select(PhoneCode.attempts))).scalar_one() == 5
    right = await client.post("/api/v1/auth/verify-phone", json={"phone": PHONE, "code": code})
    assert right.status_code == 422, "after five tries even the right code is refused"


async def test_a_code_expires_after_ten_minutes(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    await _register(client)
    code = await code_sent_to(container, PHONE)
    clock.advance(timedelta(minutes=10))
    late = await client.post("/api/v1/auth/verify-phone", json={"phone": PHONE, "code": code})
    assert late.status_code == 422


async def test_resend_after_a_minute_and_at_most_five_a_day(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    await _register(client)
    first = await code_sent_to(container, PHONE)
    ask = {"phone": PHONE, "purpose": "verify"}
    too_soon = await client.post("/api/v1/auth/codes", json=ask)
    assert (too_soon.status_code, too_soon.headers["Retry-After"]) == (429, "60")
    for _ in range(4):
        clock.advance(timedelta(seconds=61))
        assert (await client.post("/api/v1/auth/codes", json=ask)).status_code == 202
    clock.advance(timedelta(seconds=61))
    sixth = await client.post("/api/v1/auth/codes", json=ask)
    assert sixth.status_code == 429
    assert int(sixth.headers["Retry-After"]) >= 3000  # the phone's hourly throttle, or its day's codes
    assert len(await _texts_to(container, PHONE)) == 5
    newest = await code_sent_to(container, PHONE)
    if newest != first:
        stale = await client.post("/api/v1/auth/verify-phone", json={"phone": PHONE, "code": first})
        assert stale.status_code == 422, "only the newest code counts"
    assert (await client.post("/api/v1/auth/verify-phone", json={"phone": PHONE, "code": newest})).is_success


async def test_asking_for_a_code_never_tells_whether_a_phone_has_an_account(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    unknown = await client.post("/api/v1/auth/codes", json={"phone": "0549999999", "purpose": "login"})
    known = await client.post("/api/v1/auth/codes", json={"phone": CUSTOMER[0], "purpose": "login"})
    assert (
        (unknown.status_code, unknown.json())
        == (known.status_code, known.json())
        == (
            202,
            {"expiresInSeconds": 600, "resendAfterSeconds": 60},
        )
    )
    assert await _texts_to(container, "+972549999999") == []
    assert [t.template for t in await _texts_to(container, "+972520000001")] == ["phone-code"]
    asked_again = [
        await client.post("/api/v1/auth/codes", json={"phone": phone, "purpose": "login"})
        for phone in ("0549999999", CUSTOMER[0])
    ]
    assert [(r.status_code, r.json()["code"], r.headers["retry-after"]) for r in asked_again] == [
        (429, "rate_limited", "60")
    ] * 2, "within the minute, a phone with an account and one without are refused alike"
    clock.advance(timedelta(seconds=61))
    verified_again = await client.post("/api/v1/auth/codes", json={"phone": CUSTOMER[0], "purpose": "verify"})
    assert verified_again.status_code == 202
    assert len(await _texts_to(container, "+972520000001")) == 1, (
        "a verified phone is not sent a sign-up code"
    )


async def test_log_in_by_code_and_a_code_opens_only_its_own_door(
    client: httpx.AsyncClient, container: Container
) -> None:
    await client.post("/api/v1/auth/codes", json={"phone": CUSTOMER[0], "purpose": "login"})
    code = await code_sent_to(container, "+972520000001")
    as_reset = await client.post(
        "/api/v1/auth/password/reset", json={"phone": CUSTOMER[0], "code": code, "newPassword": "taken over!"}
    )
    assert as_reset.status_code == 422, "a log-in code does not reset the password"
    logged_in = await client.post("/api/v1/auth/login/code", json={"phone": CUSTOMER[0], "code": code})
    assert logged_in.status_code == 200, logged_in.text
    me = await client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {logged_in.json()['accessToken']}"}
    )
    assert me.json()["phone"] == "+972520000001"


async def test_reset_a_forgotten_password_by_code(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    await client.post("/api/v1/auth/codes", json={"phone": CUSTOMER[0], "purpose": "reset"})
    code = await code_sent_to(container, "+972520000001")
    short = await client.post(
        "/api/v1/auth/password/reset", json={"phone": CUSTOMER[0], "code": code, "newPassword": "short"}
    )
    assert (short.status_code, short.json()["errors"][0]["field"]) == (422, "newPassword")
    reset = await client.post(
        "/api/v1/auth/password/reset",
        json={"phone": CUSTOMER[0], "code": code, "newPassword": "a brand new password"},
    )
    assert reset.status_code == 200, reset.text
    old = await client.post("/api/v1/auth/login", json={"phone": CUSTOMER[0], "password": CUSTOMER[1]})
    assert old.status_code == 401
    await login(client, (CUSTOMER[0], "a brand new password"))


async def test_an_unverified_account_is_sent_nothing_but_codes(
    client: httpx.AsyncClient, container: Container
) -> None:
    registered = await _register(client)
    admin = await login(client, ADMIN)
    await book(client, admin, userId=registered["user"]["id"], recipientPhone="052-7777777")  # type: ignore[index]
    await settle(container)
    assert [t.template for t in await _texts_to(container, PHONE)] == ["phone-code"]
    assert "booking-received" in [t.template for t in await _texts_to(container, "+972527777777")]


async def test_a_welcome_coupon_is_once_per_phone(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    _, headers = await sign_up(client, container, **NEW)
    await book(client, headers, couponCode="WELCOME10")
    async with container.sessions() as session:
        # The account gives up the phone (a new number); the phone's next account is someone else's.
        await session.execute(
            sa.text("UPDATE users SET phone = '+972547650000' WHERE phone = :p"), {"p": PHONE}
        )
        await session.commit()
    clock.advance(timedelta(minutes=1))
    _, second = await sign_up(client, container, **{**NEW, "name": "Rivka Cohen"})
    treatment = await treatment_named(client, "Swedish Massage")
    again = await client.post(
        "/api/v1/bookings", json=booking_body(treatment["id"], couponCode="WELCOME10"), headers=second
    )
    assert (again.status_code, again.json()["code"]) == (422, "coupon_used_by_user")


async def test_code_requests_from_one_address_are_throttled_whatever_the_phone(
    client: httpx.AsyncClient,
) -> None:
    answers = [
        await client.post("/api/v1/auth/codes", json={"phone": f"05499{n:05d}", "purpose": "login"})
        for n in range(21)
    ]
    assert [a.status_code for a in answers] == [202] * 20 + [429]
    assert answers[-1].json()["code"] == "too_many_codes"
    assert int(answers[-1].headers["Retry-After"]) > 0


async def test_a_phone_gets_at_most_the_day_s_codes_then_one_more_a_day_after_the_first(
    database_url: str, clock: SettableClock
) -> None:
    # The hourly throttle (wall clock) is lifted here, so only the daily cap (the app's clock) is judged.
    container = build_container(settings_for(database_url, CODE_SENDS_PER_PHONE="1000/hour"), clock=clock)
    transport = httpx.ASGITransport(app=create_app(container))
    first_at = clock.now()
    request = {"phone": CUSTOMER[0], "purpose": "login"}
    async with httpx.AsyncClient(transport=transport, base_url="http://masu.test") as http:
        answers = []
        for _ in range(container.settings.MAX_PHONE_CODES_PER_DAY + 1):
            answers.append(await http.post("/api/v1/auth/codes", json=request))
            clock.advance(timedelta(minutes=2))  # past the minute between two codes
        clock.set(first_at + timedelta(days=1))
        next_day = await http.post("/api/v1/auth/codes", json=request)
    codes = [n for n in await _texts_to(container, "+972520000001") if n.template == "phone-code"]
    await container.close()

    assert [a.status_code for a in answers] == [202] * container.settings.MAX_PHONE_CODES_PER_DAY + [429]
    assert answers[-1].json()["code"] == "rate_limited"
    assert "codes a day" in answers[-1].json()["detail"]
    assert int(answers[-1].headers["Retry-After"]) > 0
    assert next_day.status_code == 202
    assert len(codes) == container.settings.MAX_PHONE_CODES_PER_DAY + 1
