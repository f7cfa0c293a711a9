"""POST /api/v1/bookings books only times the wizard would offer: someone must be free to take the visit.

The demo world (tests/conftest.py): Avi, Rina, Shira and Efrat cover Tel Aviv, everyone works 08:00-22:00
every day, and the test clock stands at Tuesday 1 December 2026, 10:00 in Israel.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import (
    ADMIN,
    CUSTOMER,
    OTHER_CUSTOMER,
    book,
    booking_body,
    login,
    treatment_named,
    user_id_of,
)

FRIDAY = "2026-12-04"
TEL_AVIV = ("Avi Pro", "Rina Pro", "Shira Pro", "Efrat Pro")


def _at(local_time: str) -> str:
    return f"{FRIDAY}T{local_time}:00+02:00"


async def _post(client: httpx.AsyncClient, headers: dict[str, str], **overrides: Any) -> httpx.Response:
    treatment = await treatment_named(client, "Swedish Massage")
    return await client.post(
        "/api/v1/bookings", json=booking_body(treatment["id"], **overrides), headers=headers
    )


def _refusal(response: httpx.Response) -> tuple[int, str, list[str]]:
    problem = response.json()
    return response.status_code, problem.get("code", ""), [e["field"] for e in problem.get("errors", [])]


async def _professional_ids(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, str]:
    listed = (await client.get("/api/v1/admin/professionals", headers=admin)).json()
    return {p["name"]: p["id"] for p in listed}


@pytest.mark.parametrize(
    ("local_time", "code"),
    [
        ("07:00", "no_professional_available"),  # a start the wizard may offer, but nobody works before 08:00
        ("21:30", "no_professional_available"),  # the hour's visit would end after everyone's 22:00
        ("12:10", "not_a_start_time"),  # visits start on the hour or at half past
        ("22:30", "not_a_start_time"),  # after the day's last start, 22:00
        ("03:00", "not_a_start_time"),
    ],
)
async def test_a_time_nobody_could_take_is_422_on_the_booking_time(
    client: httpx.AsyncClient, local_time: str, code: str
) -> None:
    refused = await _post(client, await login(client, CUSTOMER), bookingDateTime=_at(local_time))

    assert _refusal(refused) == (422, code, ["bookingDateTime"]), refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")


async def test_the_first_and_last_times_the_working_day_allows_are_booked(client: httpx.AsyncClient) -> None:
    headers = await login(client, CUSTOMER)

    first = await book(client, headers, bookingDateTime=_at("08:00"))
    last = await book(client, headers, bookingDateTime=_at("21:00"))

    assert (first["bookingDateTime"], last["bookingDateTime"]) == (
        f"{FRIDAY}T06:00:00Z",
        f"{FRIDAY}T19:00:00Z",
    )
    assert first["statusHistory"][0]["reason"] is None


async def test_a_day_nobody_works_is_refused_and_one_professional_working_opens_it(
    client: httpx.AsyncClient,
) -> None:
    admin = await login(client, ADMIN)
    pros = await _professional_ids(client, admin)
    for name in TEL_AVIV:  # Friday off for everyone in Tel Aviv
        week = [{"weekday": day, "start": "08:00", "end": "22:00"} for day in ("monday", "tuesday", "sunday")]
        assert (
            await client.put(f"/api/v1/admin/professionals/{pros[name]}/hours", json=week, headers=admin)
        ).is_success
    customer = await login(client, CUSTOMER)

    refused = await _post(client, customer, bookingDateTime=_at("12:00"))
    friday = [{"weekday": "friday", "start": "11:00", "end": "13:00"}]
    opened = await client.put(
        f"/api/v1/admin/professionals/{pros['Rina Pro']}/hours", json=friday, headers=admin
    )
    in_her_hours = await _post(client, customer, bookingDateTime=_at("12:00"))
    past_her_hours = await _post(client, customer, bookingDateTime=_at("12:30"))

    assert _refusal(refused) == (422, "no_professional_available", ["bookingDateTime"])
    assert opened.is_success, opened.text
    assert in_her_hours.status_code == 201, in_her_hours.text
    assert _refusal(past_her_hours) == (422, "no_professional_available", ["bookingDateTime"])


async def test_when_everyone_in_the_city_has_a_visit_then_the_time_and_its_travel_buffer_are_refused(
    client: httpx.AsyncClient,
) -> None:
    admin, customer = await login(client, ADMIN), await login(client, CUSTOMER)
    pros = await _professional_ids(client, admin)
    for name in TEL_AVIV:
        booking = await book(client, customer, bookingDateTime=_at("12:00"))
        assigned = await client.post(
            f"/api/v1/admin/bookings/{booking['id']}/assign",
            json={"professionalId": pros[name]},
            headers=admin,
        )
        assert assigned.status_code == 200, assigned.text
    other = await login(client, OTHER_CUSTOMER)

    at_noon = await _post(client, other, bookingDateTime=_at("12:00"))
    # The noon visits end at 13:00; a professional needs the 30-minute travel buffer before the next one.
    at_one = await _post(client, other, bookingDateTime=_at("13:00"))
    before = await _post(client, other, bookingDateTime=_at("10:30"))
    after = await _post(client, other, bookingDateTime=_at("13:30"))
    elsewhere = await _post(
        client, other, bookingDateTime=_at("12:00"), address={"street": "Jaffa Road 1", "city": "Jerusalem"}
    )

    assert _refusal(at_noon) == (422, "no_professional_available", ["bookingDateTime"])
    assert _refusal(at_one) == (422, "no_professional_available", ["bookingDateTime"])
    assert (before.status_code, after.status_code, elsewhere.status_code) == (201, 201, 201)


async def test_a_gender_wish_nobody_free_can_meet_is_refused(client: httpx.AsyncClient) -> None:
    admin = await login(client, ADMIN)
    pros = await _professional_ids(client, admin)
    mornings = [{"weekday": "friday", "start": "08:00", "end": "12:00"}]
    for woman in ("Rina Pro", "Efrat Pro"):
        await client.put(f"/api/v1/admin/professionals/{pros[woman]}/hours", json=mornings, headers=admin)
    deep_tissue = await treatment_named(client, "Deep Tissue Massage")
    customer = await login(client, CUSTOMER)

    async def at_three(gender: str) -> httpx.Response:
        body = booking_body(deep_tissue["id"], bookingDateTime=_at("15:00"), therapistGenderPreference=gender)
        return await client.post("/api/v1/bookings", json=body, headers=customer)

    assert _refusal(await at_three("female")) == (422, "no_professional_available", ["bookingDateTime"])
    assert (await at_three("male")).status_code == 201
    assert (await at_three("any")).status_code == 201


async def test_an_admin_may_force_a_time_nobody_could_take_and_the_history_says_so(
    client: httpx.AsyncClient,
) -> None:
    admin, noa = await login(client, ADMIN), await user_id_of(client, CUSTOMER)

    unforced = await _post(client, admin, bookingDateTime=_at("07:00"), userId=noa)
    forced = await _post(client, admin, bookingDateTime=_at("07:00"), userId=noa, force=True)
    off_the_grid = await _post(client, admin, bookingDateTime=_at("23:15"), userId=noa, force=True)
    needless = await _post(client, admin, bookingDateTime=_at("12:00"), userId=noa, force=True)

    assert _refusal(unforced) == (422, "no_professional_available", ["bookingDateTime"])
    assert forced.status_code == 201, forced.text
    [entry] = forced.json()["statusHistory"]
    assert (entry["status"], entry["triggeredBy"]) == ("pending_professional", "admin")
    assert entry["reason"].startswith("time forced despite: no professional is free")
    assert forced.json()["userId"] == noa
    assert off_the_grid.status_code == 201, off_the_grid.text
    assert off_the_grid.json()["statusHistory"][0]["reason"].startswith(
        "time forced despite: visits start on"
    )
    assert needless.status_code == 201
    assert needless.json()["statusHistory"][0]["reason"] is None  # the time was open: nothing was forced
    events = (await client.get(f"/api/v1/admin/events?bookingId={forced.json()['id']}", headers=admin)).json()
    assert events[0]["payload"]["reason"] == entry["reason"]


async def test_force_does_not_stretch_the_booking_window(client: httpx.AsyncClient) -> None:
    admin = await login(client, ADMIN)

    too_soon = await _post(client, admin, bookingDateTime="2026-12-01T11:00:00+02:00", force=True)
    too_far = await _post(client, admin, bookingDateTime="2027-01-05T12:00:00+02:00", force=True)

    assert _refusal(too_soon)[::2] == (422, ["bookingDateTime"])
    assert _refusal(too_far)[::2] == (422, ["bookingDateTime"])


async def test_only_an_admin_may_force(client: httpx.AsyncClient) -> None:
    customer = await login(client, CUSTOMER)

    at_seven = await _post(client, customer, bookingDateTime=_at("07:00"), force=True)
    at_noon = await _post(client, customer, bookingDateTime=_at("12:00"), force=True)

    assert _refusal(at_seven) == (422, "validation_failed", ["force"])
    assert _refusal(at_noon) == (422, "validation_failed", ["force"])
