"""Admins onboard professionals, approve or suspend them, and set what, where and when they work."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import ADMIN, CUSTOMER, login, treatment_named

NEW_PRO = {
    "name": "Hila Levi",
    "phone": "054-9876543",
    "password": "hila-secret-pass",
    "email": "hila@example.com",
    "gender": "female",
    "language": "en",
}
PROS = "/api/v1/admin/professionals"
UNKNOWN_ID = "0123456789abcdef0123456789abcdef"


async def admin(client: httpx.AsyncClient) -> dict[str, str]:
    """The demo admin's headers."""
    return await login(client, ADMIN)


async def onboard(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    """Create the new professional through the API (asserts 201)."""
    response = await client.post(PROS, json=NEW_PRO, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def city_ids(client: httpx.AsyncClient, *names: str) -> list[str]:
    """The ids of demo cities by name."""
    cities = {c["name"]: c["id"] for c in (await client.get("/api/v1/cities")).json()}
    return [cities[name] for name in names]


def field_of(response: httpx.Response) -> str:
    """The field a 422 names."""
    assert response.status_code == 422, response.text
    return str(response.json()["errors"][0]["field"])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", PROS),
        ("POST", PROS),
        ("GET", f"{PROS}/{UNKNOWN_ID}"),
        ("POST", f"{PROS}/{UNKNOWN_ID}/approve"),
        ("PUT", f"{PROS}/{UNKNOWN_ID}/hours"),
        ("PUT", f"{PROS}/{UNKNOWN_ID}/location"),
    ],
)
async def test_customers_are_refused_and_anonymous_callers_challenged(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    customer = await login(client, CUSTOMER)
    assert (await client.request(method, path, headers=customer, json=[])).status_code == 403
    assert (await client.request(method, path, json=[])).status_code == 401


async def test_new_professional_waits_for_approval_then_logs_in(client: httpx.AsyncClient) -> None:
    headers = await admin(client)
    created = await onboard(client, headers)
    assert {k: v for k, v in created.items() if k != "id"} == {
        "name": "Hila Levi",
        "phone": "+972549876543",
        "email": "hila@example.com",
        "gender": "female",
        "language": "en",
        "status": "pending_approval",
        "isActive": True,
        "approvedAt": None,
        "createdAt": "2026-12-01T08:00:00Z",
        "treatments": [],
        "cityIds": [],
        "baseLatitude": None,
        "baseLongitude": None,
        "serviceRadiusKm": None,
        "hours": [],
    }
    pending = (await client.get(PROS, params={"status": "pending_approval"}, headers=headers)).json()
    assert [p["name"] for p in pending] == ["Hila Levi"]

    approved = await client.post(f"{PROS}/{created['id']}/approve", headers=headers)
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["approvedAt"]) == ("approved", "2026-12-01T08:00:00Z")
    assert (await client.get(PROS, params={"status": "pending_approval"}, headers=headers)).json() == []
    approved_list = (await client.get(PROS, params={"status": "approved"}, headers=headers)).json()
    assert len(approved_list) == 21

    pro = await login(client, (NEW_PRO["phone"], NEW_PRO["password"]))
    me = (await client.get("/api/v1/me", headers=pro)).json()
    assert (me["name"], me["roles"]) == ("Hila Levi", ["professional"])


async def test_professional_treatments_cities_and_hours_are_replaced_and_read_back(
    client: httpx.AsyncClient,
) -> None:
    headers = await admin(client)
    pro = await onboard(client, headers)
    swedish = await treatment_named(client, "Swedish Massage")
    facial = await treatment_named(client, "Classic Facial")
    tel_aviv, haifa = await city_ids(client, "Tel Aviv", "Haifa")

    offered = [
        {"treatmentId": swedish["id"], "durationMinutes": 90, "professionalPay": 260.5},
        {"treatmentId": facial["id"]},
    ]
    response = await client.put(f"{PROS}/{pro['id']}/treatments", json=offered, headers=headers)
    assert response.status_code == 200, response.text
    assert sorted(response.json()["treatments"], key=lambda t: t["name"]) == [
        {
            "treatmentId": facial["id"],
            "name": "Classic Facial",
            "durationMinutes": None,
            "professionalPay": None,
        },
        {
            "treatmentId": swedish["id"],
            "name": "Swedish Massage",
            "durationMinutes": 90,
            "professionalPay": 260.5,
        },
    ]

    response = await client.put(
        f"{PROS}/{pro['id']}/cities", json={"cityIds": [haifa, tel_aviv]}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["cityIds"] == sorted([haifa, tel_aviv])

    hours = [
        {"weekday": "sunday", "start": "16:00", "end": "24:00"},
        {"weekday": "sunday", "start": "08:00", "end": "14:00"},
        {"weekday": "friday", "start": "08:00", "end": "13:30"},
    ]
    response = await client.put(f"{PROS}/{pro['id']}/hours", json=hours, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["hours"] == [
        {"weekday": "friday", "start": "08:00", "end": "13:30"},
        {"weekday": "sunday", "start": "08:00", "end": "14:00"},
        {"weekday": "sunday", "start": "16:00", "end": "24:00"},
    ]

    read = (await client.get(f"{PROS}/{pro['id']}", headers=headers)).json()
    assert (read["cityIds"], read["hours"]) == (response.json()["cityIds"], response.json()["hours"])
    listed = {p["id"]: p for p in (await client.get(PROS, headers=headers)).json()}
    assert [c["name"] for c in listed[pro["id"]]["cities"]] == ["Haifa", "Tel Aviv"]
    assert [t["name"] for t in listed[pro["id"]]["treatments"]] == ["Classic Facial", "Swedish Massage"]


async def test_suspended_professional_keeps_the_account(client: httpx.AsyncClient) -> None:
    headers = await admin(client)
    pro = await onboard(client, headers)
    await client.post(f"{PROS}/{pro['id']}/approve", headers=headers)
    suspended = await client.post(f"{PROS}/{pro['id']}/suspend", headers=headers)
    assert suspended.status_code == 200, suspended.text
    read = (await client.get(f"{PROS}/{pro['id']}", headers=headers)).json()
    assert (read["name"], read["status"], read["isActive"]) == ("Hila Levi", "suspended", True)
    listed = (await client.get(PROS, params={"status": "suspended"}, headers=headers)).json()
    assert [(p["id"], p["status"]) for p in listed] == [(pro["id"], "suspended")]


async def test_taken_phone_is_a_409(client: httpx.AsyncClient) -> None:
    response = await client.post(PROS, json={**NEW_PRO, "phone": "0540000001"}, headers=await admin(client))
    assert response.status_code == 409
    assert response.json()["code"] == "phone_taken"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phone": "03-1234567"}, "phone"),
        ({"gender": None}, "gender"),
        ({"gender": "other"}, "gender"),
        ({"password": "short"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"language": "fr"}, "language"),
        ({"name": "Nul\u0000l"}, "name"),
    ],
)
async def test_invalid_new_professional_is_a_422_naming_the_field(
    client: httpx.AsyncClient, changes: dict[str, Any], field: str
) -> None:
    response = await client.post(PROS, json={**NEW_PRO, **changes}, headers=await admin(client))
    assert field_of(response) == field


async def test_unknown_treatment_or_duration_is_refused(client: httpx.AsyncClient) -> None:
    headers = await admin(client)
    pro = await onboard(client, headers)
    swedish = await treatment_named(client, "Swedish Massage")
    path = f"{PROS}/{pro['id']}/treatments"
    unknown = [{"treatmentId": swedish["id"], "durationMinutes": 60}, {"treatmentId": UNKNOWN_ID}]
    assert field_of(await client.put(path, json=unknown, headers=headers)) == "treatments.1.treatmentId"
    bad_duration = [{"treatmentId": swedish["id"], "durationMinutes": 75}]
    assert (
        field_of(await client.put(path, json=bad_duration, headers=headers)) == "treatments.0.durationMinutes"
    )
    twice = [{"treatmentId": swedish["id"], "durationMinutes": 60}] * 2
    assert field_of(await client.put(path, json=twice, headers=headers)) == "treatments"
    negative_pay = [{"treatmentId": swedish["id"], "durationMinutes": 60, "professionalPay": -1}]
    assert field_of(await client.put(path, json=negative_pay, headers=headers)) == "0.professionalPay"
    assert (await client.get(f"{PROS}/{pro['id']}", headers=headers)).json()["treatments"] == []


@pytest.mark.parametrize(
    ("hours", "field"),
    [
        (
            [
                {"weekday": "monday", "start": "08:00", "end": "14:00"},
                {"weekday": "monday", "start": "13:00", "end": "18:00"},
            ],
            "hours.1",
        ),
        ([{"weekday": "monday", "start": "14:00", "end": "08:00"}], "0.end"),
        ([{"weekday": "monday", "start": "08:00", "end": "08:00"}], "0.end"),
        ([{"weekday": "monday", "start": "24:00", "end": "24:00"}], "0.start"),
        ([{"weekday": "monday", "start": "8:00", "end": "12:00"}], "0.start"),
        ([{"weekday": "funday", "start": "08:00", "end": "12:00"}], "0.weekday"),
        ([{"weekday": "monday", "start": "08:00"}], "0.end"),
    ],
)
async def test_invalid_hours_are_a_422_naming_the_field(
    client: httpx.AsyncClient, hours: list[dict[str, str]], field: str
) -> None:
    headers = await admin(client)
    pro = await onboard(client, headers)
    assert field_of(await client.put(f"{PROS}/{pro['id']}/hours", json=hours, headers=headers)) == field


async def test_unknown_city_is_refused(client: httpx.AsyncClient) -> None:
    headers = await admin(client)
    pro = await onboard(client, headers)
    (haifa,) = await city_ids(client, "Haifa")
    path = f"{PROS}/{pro['id']}/cities"
    assert (
        field_of(await client.put(path, json={"cityIds": [haifa, UNKNOWN_ID]}, headers=headers))
        == "cityIds.1"
    )
    assert field_of(await client.put(path, json={"cityIds": ["bad id"]}, headers=headers)) == "cityIds.0"
    assert field_of(await client.put(path, json={}, headers=headers)) == "cityIds"


async def test_a_base_and_radius_let_a_professional_cover_cities_off_their_list(
    client: httpx.AsyncClient,
) -> None:
    headers = await admin(client)
    pro = await onboard(client, headers)
    path = f"{PROS}/{pro['id']}/location"

    placed = await client.put(
        path,
        json={"baseLatitude": 32.0853, "baseLongitude": 34.7818, "serviceRadiusKm": 10},
        headers=headers,
    )

    assert placed.status_code == 200, placed.text
    assert (placed.json()["baseLatitude"], placed.json()["serviceRadiusKm"]) == (32.0853, 10)
    assert (
        field_of(await client.put(path, json={"serviceRadiusKm": 10}, headers=headers)) == "serviceRadiusKm"
    )
    assert field_of(await client.put(path, json={"baseLatitude": 32.0}, headers=headers)) == "baseLongitude"
    far = {"baseLatitude": 40.0, "baseLongitude": 34.8}
    assert field_of(await client.put(path, json=far, headers=headers)) == "baseLatitude"
    cleared = await client.put(path, json={}, headers=headers)
    assert (cleared.json()["baseLatitude"], cleared.json()["serviceRadiusKm"]) == (None, None)


async def test_unknown_professional_is_a_404(client: httpx.AsyncClient) -> None:
    headers = await admin(client)
    customer_id = (await client.get("/api/v1/me", headers=await login(client, CUSTOMER))).json()["id"]
    for professional_id in (UNKNOWN_ID, customer_id):
        assert (await client.get(f"{PROS}/{professional_id}", headers=headers)).status_code == 404
        assert (await client.post(f"{PROS}/{professional_id}/approve", headers=headers)).status_code == 404
        cities = await client.put(f"{PROS}/{professional_id}/cities", json={"cityIds": []}, headers=headers)
        assert cities.status_code == 404
    assert field_of(await client.get(PROS, params={"status": "retired"}, headers=headers)) == "status"
