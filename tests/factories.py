"""Helpers that act like clients of the API: log in, look things up, book."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa

from masu.bootstrap import Container
from masu.persistence.models import Notification
from masu.services.operations.demo_data import PRO_FIRST_NAMES, professional_phone
from tests.conftest import NOW

ADMIN = ("0500000001", "admin-demo-pass")
CUSTOMER = ("0520000001", "customer-demo-pass")
OTHER_CUSTOMER = ("0520000002", "customer-demo-pass")
THIRD_CUSTOMER = ("0520000003", "customer-demo-pass")
PROFESSIONAL = ("0540000001", "pro-demo-pass")
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


async def login(client: httpx.AsyncClient, who: tuple[str, str]) -> dict[str, str]:
    """Authorization headers for a demo user."""
    response = await client.post("/api/v1/auth/login", json={"phone": who[0], "password": who[1]})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['accessToken']}"}


async def treatment_named(client: httpx.AsyncClient, name: str) -> dict[str, Any]:
    """The public record of a demo treatment."""
    treatments = (await client.get("/api/v1/treatments")).json()
    return next(t for t in treatments if t["name"] == name)


def visit_at(days: int = 3, hour_local: int = 12) -> str:
    """An ISO time `days` after the test's now, at a local (Israel winter, +02:00) hour."""
    day = (NOW + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour_local).isoformat() + "+02:00"


# A visit's steps as a professional takes them in time: on the way 20 minutes ahead, started on time,
# completed when the treatment is over (the rules refuse each step earlier than its time allows).
VISIT_STEPS = ("on-way", "start", "complete")


def step_time(move: str, starts_at: datetime, minutes: int) -> datetime:
    """When a punctual professional takes `move` on a visit booked at `starts_at` for `minutes`."""
    offsets = {
        "on-way": timedelta(minutes=-20),
        "start": timedelta(0),
        "complete": timedelta(minutes=minutes),
    }
    return starts_at + offsets[move]


def booking_body(treatment_id: str, **overrides: Any) -> dict[str, Any]:
    """A valid booking request for a Swedish massage-like treatment, with overrides."""
    body: dict[str, Any] = {
        "treatmentId": treatment_id,
        "durationMinutes": 60,
        "bookingDateTime": visit_at(),
        "recipientName": "Dana Levi",
        "recipientPhone": "052-1234567",
        "recipientEmail": "dana@example.com",
        "address": {"street": "Herzl 10", "city": "Tel Aviv", "building": "3", "apartment": "12"},
        "therapistGenderPreference": "any",
        "notes": "Parking behind the building",
    }
    body.update(overrides)
    return body


async def book(client: httpx.AsyncClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    """Create a Swedish massage booking and return it (asserts 201)."""
    treatment = await treatment_named(client, "Swedish Massage")
    response = await client.post(
        "/api/v1/bookings", json=booking_body(treatment["id"], **overrides), headers=headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def user_id_of(client: httpx.AsyncClient, who: tuple[str, str]) -> str:
    """The id of a demo user, as `GET /api/v1/me` tells them."""
    return str((await client.get("/api/v1/me", headers=await login(client, who))).json()["id"])


def professional(name: str) -> tuple[str, str]:
    """The login of a demo professional by display name ("Avi Pro")."""
    return professional_phone(PRO_FIRST_NAMES.index(name.removesuffix(" Pro"))), "pro-demo-pass"


def csrf_of(page: str) -> str:
    """The CSRF token of a page's forms (the test fails when the page has none)."""
    found = CSRF_FIELD.search(page)
    assert found is not None, "the page has no CSRF field"
    return found.group(1)


async def page_login(client: httpx.AsyncClient, who: tuple[str, str], *, lang: str = "en") -> None:
    """Log in through the page form as a browser would, forgetting any earlier session; pages in `lang`."""
    client.cookies.clear()
    token = csrf_of((await client.get(f"/login?lang={lang}")).text)
    answer = await client.post("/login", data={"phone": who[0], "password": who[1], "csrf_token": token})
    assert answer.status_code == 303, answer.text


async def code_sent_to(container: Container, phone: str) -> str:
    """The newest phone code texted to `phone`, read off its SMS as its owner would."""
    async with container.sessions() as session:
        query = (
            sa.select(Notification.body)
            .where(Notification.template == "phone-code", Notification.recipient == phone)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(1)
        )
        body = (await session.execute(query)).scalar_one()
    found = re.search(r"\b(\d{6})\b", body)
    assert found is not None, f"no code in {body!r}"
    return found.group(1)


async def sign_up(
    client: httpx.AsyncClient, container: Container, **registration: Any
) -> tuple[dict[str, Any], dict[str, str]]:
    """Register through the API and prove the phone with the texted code: the user and auth headers."""
    registered = await client.post("/api/v1/auth/register", json=registration)
    assert registered.status_code == 201, registered.text
    user = registered.json()["user"]
    code = await code_sent_to(container, user["phone"])
    verified = await client.post("/api/v1/auth/verify-phone", json={"phone": user["phone"], "code": code})
    assert verified.status_code == 200, verified.text
    return verified.json()["user"], {"Authorization": f"Bearer {verified.json()['accessToken']}"}
