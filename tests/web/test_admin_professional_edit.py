"""The admin's forms on a professional's page, in process: what they write, what they refuse, who may post."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from masu.web.pages.admin.catalogue_forms import FormRefused
from masu.web.pages.admin.manage_texts import TEXTS
from masu.web.pages.admin.professional_edit import location_of, offered_of
from tests.factories import ADMIN, CUSTOMER, book, csrf_of, login, page_login, treatment_named

VISIT = "2026-12-04T12:00:00+02:00"  # a Friday noon the demo's Tel Aviv professionals work


# --- parsing, without a database ----------------------------------------------------------------------------


def test_a_location_is_checked_as_the_api_checks_it() -> None:
    assert location_of({"base_latitude": "32,08", "base_longitude": "34.78", "service_radius_km": "12"}) == (
        (32.08, 34.78),
        12,
    )
    assert location_of({"base_latitude": "", "base_longitude": " ", "service_radius_km": ""}) == (None, None)
    with pytest.raises(FormRefused) as wrong:
        location_of({"base_latitude": "40", "base_longitude": "east", "service_radius_km": "0"})
    assert wrong.value.errors == {
        "base_latitude": "bad_pro_base_latitude",
        "base_longitude": "bad_pro_base_longitude",
        "service_radius_km": "bad_pro_service_radius_km",
    }
    with pytest.raises(FormRefused) as alone:
        location_of({"base_latitude": "32.1"})
    assert alone.value.errors == {"base_longitude": "refused_pro_base_longitude"}
    assert set(wrong.value.errors.values()) | set(alone.value.errors.values()) <= TEXTS["en"].keys()


def test_ticked_options_keep_the_own_pay_they_had() -> None:
    offered = offered_of(["t1:60", "t2", "t1:60", "t1:90"], {("t1", 60): 21000})
    assert [(o.treatment_id, o.duration_minutes, o.professional_pay) for o in offered] == [
        ("t1", 60, 21000),
        ("t2", None, None),
        ("t1", 90, None),
    ]


# --- through the app ----------------------------------------------------------------------------------------


async def _avi(client: httpx.AsyncClient) -> dict[str, Any]:
    """The demo professional Avi as the JSON API shows him to an admin."""
    headers = await login(client, ADMIN)
    listed = (await client.get("/api/v1/admin/professionals", headers=headers)).json()
    avi = next(p for p in listed if p["name"] == "Avi Pro")
    return dict((await client.get(f"/api/v1/admin/professionals/{avi['id']}", headers=headers)).json())


async def _city_id(client: httpx.AsyncClient, name: str) -> str:
    cities = (await client.get("/api/v1/admin/cities", headers=await login(client, ADMIN))).json()
    return str(next(c["id"] for c in cities if c["name"] == name))


async def _token(client: httpx.AsyncClient, professional_id: str) -> str:
    await page_login(client, ADMIN)
    page = await client.get(f"/admin/professionals/{professional_id}")
    assert page.status_code == 200
    return csrf_of(page.text)


async def test_hours_cities_treatments_and_location_saved_through_the_page(client: httpx.AsyncClient) -> None:
    avi = await _avi(client)
    path = f"/admin/professionals/{avi['id']}"
    token = await _token(client, avi["id"])
    swedish = await treatment_named(client, "Swedish Massage")
    facial = await treatment_named(client, "Classic Facial")
    hours = {"h6-0-start": "09:00", "h6-0-end": "13:00", "h6-1-start": "14:00", "h6-1-end": "00:00"}
    jerusalem = await _city_id(client, "Jerusalem")
    offers = [f"{swedish['id']}:90", facial["id"]]
    location = {"base_latitude": "32.0853", "base_longitude": "34.7818", "service_radius_km": "15"}

    saves = [
        await client.post(f"{path}/hours", data={"csrf_token": token, **hours}),
        await client.post(f"{path}/cities", data={"csrf_token": token, "city": [jerusalem]}),
        await client.post(f"{path}/treatments", data={"csrf_token": token, "offer": offers}),
        await client.post(f"{path}/location", data={"csrf_token": token, **location}),
    ]
    after = await _avi(client)
    page = await client.get(f"{path}?saved=location&lang=en")

    assert [s.status_code for s in saves] == [303] * 4
    assert saves[0].headers["location"] == f"{path}?saved=hours#hours"
    assert sorted((h["weekday"], h["start"], h["end"]) for h in after["hours"]) == [
        ("sunday", "09:00", "13:00"),
        ("sunday", "14:00", "24:00"),
    ]
    assert after["cityIds"] == [jerusalem]
    assert sorted((t["name"], t["durationMinutes"]) for t in after["treatments"]) == [
        ("Classic Facial", None),
        ("Swedish Massage", 90),
    ]
    assert (after["baseLatitude"], after["baseLongitude"], after["serviceRadiusKm"]) == (32.0853, 34.7818, 15)
    assert "The base location was saved." in page.text
    assert 'id="h6-1-end" name="h6-1-end" type="time" value="00:00"' in page.text
    assert page.text.count('name="offer" value=') > len(offers)  # the unticked options are offered too
    assert page.text.count(" checked") == len(offers) + 1  # the boxes of two treatments and one city


async def test_a_wrong_interval_or_latitude_is_named_at_its_field_and_nothing_changes(
    client: httpx.AsyncClient,
) -> None:
    avi = await _avi(client)
    path = f"/admin/professionals/{avi['id']}"
    token = await _token(client, avi["id"])

    interval = await client.post(
        f"{path}/hours",
        data={
            "csrf_token": token,
            "h6-0-start": "09:00",
            "h6-0-end": "12:00",
            "h0-1-start": "18:00",
            "h0-1-end": "10:00",
        },
    )
    latitude = await client.post(
        f"{path}/location",
        data={
            "csrf_token": token,
            "base_latitude": "40.5",
            "base_longitude": "34.78",
            "service_radius_km": "",
        },
    )
    overlap = await client.post(
        f"{path}/hours",
        data={
            "csrf_token": token,
            "h1-0-start": "08:00",
            "h1-0-end": "12:00",
            "h1-1-start": "11:00",
            "h1-1-end": "13:00",
        },
    )

    assert (interval.status_code, latitude.status_code, overlap.status_code) == (422, 422, 422)
    assert re.search(r'id="h0-1-error" role="alert">The end must be after the start\.<', interval.text)
    assert 'value="18:00"' in interval.text  # what was typed stays
    assert re.search(
        r'id="base_latitude-error" role="alert">Enter a latitude between 29 and 34', latitude.text
    )
    assert 'value="40.5"' in latitude.text
    assert 'id="h1-1-error"' in overlap.text
    assert "overlaps another one" in overlap.text
    assert await _avi(client) == avi


async def test_a_customer_may_not_change_a_professional(client: httpx.AsyncClient) -> None:
    avi = await _avi(client)
    path = f"/admin/professionals/{avi['id']}"
    await page_login(client, CUSTOMER)
    refused_page = await client.get(path)
    token = csrf_of(refused_page.text)  # the refusal page's own logout form

    posts = [
        await client.post(f"{path}/{form}", data={"csrf_token": token, "base_latitude": "32"})
        for form in ("hours", "cities", "treatments", "location")
    ]

    assert refused_page.status_code == 403
    assert [p.status_code for p in posts] == [403] * 4
    assert await _avi(client) == avi


async def test_a_professional_no_longer_covering_the_city_is_no_candidate_there(
    client: httpx.AsyncClient,
) -> None:
    booking = await book(client, await login(client, CUSTOMER), bookingDateTime=VISIT)
    avi = await _avi(client)
    tel_aviv = await _city_id(client, "Tel Aviv")
    others = [city for city in avi["cityIds"] if city != tel_aviv]
    assert others, "the demo's professionals cover two cities"
    before = await _avi_candidate(client, booking["id"])
    token = await _token(client, avi["id"])

    removed = await client.post(
        f"/admin/professionals/{avi['id']}/cities", data={"csrf_token": token, "city": others}
    )
    after = await _avi_candidate(client, booking["id"])

    assert removed.status_code == 303
    assert before["eligible"] is True
    assert (after["eligible"], after["reasons"]) == (False, ["city_not_covered"])


async def _avi_candidate(client: httpx.AsyncClient, booking_id: str) -> dict[str, Any]:
    response = await client.get(
        f"/api/v1/admin/bookings/{booking_id}/candidates", headers=await login(client, ADMIN)
    )
    assert response.status_code == 200, response.text
    return dict(next(c for c in response.json() if c["name"] == "Avi Pro"))


async def test_an_unknown_professional_or_city_is_refused(client: httpx.AsyncClient) -> None:
    avi = await _avi(client)
    token = await _token(client, avi["id"])

    nobody = await client.post("/admin/professionals/nobody/hours", data={"csrf_token": token})
    unknown = await client.post(
        f"/admin/professionals/{avi['id']}/cities", data={"csrf_token": token, "city": "x" * 24}
    )

    assert nobody.status_code == 404
    assert unknown.status_code == 422
    assert 'id="city-error"' in unknown.text
    assert await _avi(client) == avi
