"""Admins manage treatments, cities, coupons and surcharge rules through the API."""

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
    visit_at,
)

HOT_STONE = {
    "name": "Hot Stone Massage",
    "category": "massage",
    "description": "Warm basalt stones.",
    "pricingType": "duration",
    "durations": [
        {"minutes": 60, "price": 320, "professionalPay": 210},
        {"minutes": 90, "price": 450.5, "professionalPay": 300.25},
    ],
}


async def admin(client: httpx.AsyncClient) -> dict[str, str]:
    """The demo admin's headers."""
    return await login(client, ADMIN)


async def public_treatment_names(client: httpx.AsyncClient) -> list[str]:
    """Names in the customers' (cached) treatment list."""
    return [t["name"] for t in (await client.get("/api/v1/treatments")).json()]


def without_ids(record: dict[str, Any]) -> dict[str, Any]:
    """A record without its generated id and creation time."""
    return {k: v for k, v in record.items() if k not in {"id", "createdAt"}}


def field_of(response: httpx.Response) -> str:
    """The field a 422 names."""
    assert response.status_code == 422, response.text
    return str(response.json()["errors"][0]["field"])


# Access


ADMIN_ROUTES = [
    ("GET", "/api/v1/admin/treatments"),
    ("POST", "/api/v1/admin/treatments"),
    ("PUT", "/api/v1/admin/treatments/abc"),
    ("POST", "/api/v1/admin/cities"),
    ("PATCH", "/api/v1/admin/cities/abc"),
    ("GET", "/api/v1/admin/coupons"),
    ("POST", "/api/v1/admin/coupons"),
    ("GET", "/api/v1/admin/surcharges"),
    ("DELETE", "/api/v1/admin/surcharges/abc"),
]


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
async def test_customers_are_refused_and_anonymous_callers_challenged(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    customer = await login(client, CUSTOMER)
    assert (await client.request(method, path, headers=customer, json={})).status_code == 403
    assert (await client.request(method, path, json={})).status_code == 401


# Treatments


async def test_treatment_is_created_read_back_and_replaced(client: httpx.AsyncClient) -> None:
    headers = await admin(client)
    created = await client.post("/api/v1/admin/treatments", json=HOT_STONE, headers=headers)
    assert created.status_code == 201, created.text
    expected = {
        "name": "Hot Stone Massage",
        "category": "massage",
        "description": "Warm basalt stones.",
        "pricingType": "duration",
        "price": None,
        "professionalPay": None,
        "durationMinutes": 60,
        "allowsGenderPreference": False,
        "isActive": True,
        "durations": [
            {"minutes": 60, "price": 320, "professionalPay": 210},
            {"minutes": 90, "price": 450.5, "professionalPay": 300.25},
        ],
    }
    assert without_ids(created.json()) == expected
    treatment_id = created.json()["id"]
    read = await client.get(f"/api/v1/admin/treatments/{treatment_id}", headers=headers)
    assert read.json() == created.json()

    replacement = {
        **HOT_STONE,
        "name": "Hot Stone Therapy",
        "allowsGenderPreference": True,
        "durations": [{"minutes": 75, "price": 400, "professionalPay": 260}],
    }
    replaced = await client.put(f"/api/v1/admin/treatments/{treatment_id}", json=replacement, headers=headers)
    assert replaced.status_code == 200, replaced.text
    assert without_ids(replaced.json()) == {
        **expected,
        "name": "Hot Stone Therapy",
        "allowsGenderPreference": True,
        "durations": [{"minutes": 75, "price": 400, "professionalPay": 260}],
    }
    listed = (await client.get("/api/v1/admin/treatments", headers=headers)).json()
    assert [t["name"] for t in listed] == [
        "Classic Facial",
        "Deep Tissue Massage",
        "Hot Stone Therapy",
        "Swedish Massage",
    ]


async def test_fixed_price_treatment_shows_its_price_and_pay(client: httpx.AsyncClient) -> None:
    body = {
        "name": "Anti-Age Facial",
        "category": "facial",
        "pricingType": "fixed",
        "price": 380,
        "professionalPay": 250,
        "durationMinutes": 75,
    }
    created = await client.post("/api/v1/admin/treatments", json=body, headers=await admin(client))
    assert created.status_code == 201, created.text
    assert without_ids(created.json()) == {
        "name": "Anti-Age Facial",
        "category": "facial",
        "description": None,
        "pricingType": "fixed",
        "price": 380,
        "professionalPay": 250,
        "durationMinutes": 75,
        "allowsGenderPreference": False,
        "isActive": True,
        "durations": [],
    }


async def test_public_list_shows_a_new_treatment_at_once_and_drops_a_deactivated_one(
    client: httpx.AsyncClient,
) -> None:
    headers = await admin(client)
    assert "Hot Stone Massage" not in await public_treatment_names(client)  # now cached
    created = (await client.post("/api/v1/admin/treatments", json=HOT_STONE, headers=headers)).json()
    public = {t["name"]: t for t in (await client.get("/api/v1/treatments")).json()}
    assert public["Hot Stone Massage"]["durations"] == [
        {"minutes": 60, "price": 320},
        {"minutes": 90, "price": 450.5},
    ]

    withdrawn = {**HOT_STONE, "isActive": False}
    response = await client.put(f"/api/v1/admin/treatments/{created['id']}", json=withdrawn, headers=headers)
    assert response.json()["isActive"] is False
    assert "Hot Stone Massage" not in await public_treatment_names(client)
    admin_names = [t["name"] for t in (await client.get("/api/v1/admin/treatments", headers=headers)).json()]
    assert "Hot Stone Massage" in admin_names


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"pricingType": "fixed", "durations": []}, "price"),
        ({"pricingType": "fixed", "price": 300, "durations": []}, "professionalPay"),
        ({"pricingType": "fixed", "price": 300, "professionalPay": 200}, "durations"),
        ({"price": 300}, "price"),
        ({"durations": []}, "durations"),
        ({"category": "nails"}, "category"),
        ({"pricingType": "hourly"}, "pricingType"),
        ({"durations": [{"minutes": 10, "price": 100, "professionalPay": 50}]}, "durations.0.minutes"),
        ({"durations": [{"minutes": 60, "price": 100.555, "professionalPay": 50}]}, "durations.0.price"),
        (
            {"durations": [{"minutes": 60, "price": 100, "professionalPay": -5}]},
            "durations.0.professionalPay",
        ),
        ({"durations": [HOT_STONE["durations"][0], HOT_STONE["durations"][0]]}, "durations"),
        ({"name": " "}, "name"),
        ({"name": "Null\u0000Byte"}, "name"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_invalid_treatment_is_a_422_naming_the_field(
    client: httpx.AsyncClient, changes: dict[str, Any], field: str
) -> None:
    response = await client.post(
        "/api/v1/admin/treatments", json={**HOT_STONE, **changes}, headers=await admin(client)
    )
    assert field_of(response) == field


async def test_unknown_treatment_is_a_404(client: httpx.AsyncClient) -> None:
    headers = await admin(client)
    path = "/api/v1/admin/treatments/0123456789abcdef0123456789abcdef"
    assert (await client.get(path, headers=headers)).status_code == 404
    assert (await client.put(path, json=HOT_STONE, headers=headers)).status_code == 404
    assert field_of(await client.get("/api/v1/admin/treatments/bad%20id", headers=headers)) == "treatmentId"


# Cities


async def test_city_is_created_renamed_and_deactivated(client: httpx.AsyncClient) -> None:
    headers = await admin(client)
    assert "Eilat" not in [c["name"] for c in (await client.get("/api/v1/cities")).json()]  # now cached
    body = {"name": "Eilat", "nameHe": "אילת", "latitude": 29.5577, "longitude": 34.9519}
    created = await client.post("/api/v1/admin/cities", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert without_ids(created.json()) == {**body, "isActive": True}
    public = (await client.get("/api/v1/cities")).json()
    assert {"id": created.json()["id"], "name": "Eilat", "nameHe": "אילת"} in public

    path = f"/api/v1/admin/cities/{created.json()['id']}"
    renamed = await client.patch(path, json={"name": "Eilat Bay", "longitude": 34.95}, headers=headers)
    assert without_ids(renamed.json()) == {
        "name": "Eilat Bay",
        "nameHe": "אילת",
        "latitude": 29.5577,
        "longitude": 34.95,
        "isActive": True,
    }
    deactivated = await client.patch(path, json={"isActive": False, "nameHe": None}, headers=headers)
    assert deactivated.json()["isActive"] is False
    assert deactivated.json()["nameHe"] is None
    assert "Eilat Bay" not in [c["name"] for c in (await client.get("/api/v1/cities")).json()]
    listed = {c["name"]: c for c in (await client.get("/api/v1/admin/cities", headers=headers)).json()}
    assert len(listed) == 11
    assert listed["Eilat Bay"]["isActive"] is False


async def test_duplicate_city_name_is_a_409_even_when_inactive(client: httpx.AsyncClient) -> None:
    headers = await admin(client)
    duplicate = await client.post(
        "/api/v1/admin/cities", json={"name": "tel aviv", "latitude": 32, "longitude": 34.7}, headers=headers
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "city_exists"
    eilat = (
        await client.post(
            "/api/v1/admin/cities",
            json={"name": "Eilat", "latitude": 29.5, "longitude": 34.9},
            headers=headers,
        )
    ).json()
    await client.patch(f"/api/v1/admin/cities/{eilat['id']}", json={"isActive": False}, headers=headers)
    again = await client.post(
        "/api/v1/admin/cities", json={"name": "EILAT", "latitude": 29.5, "longitude": 34.9}, headers=headers
    )
    assert again.status_code == 409
    renamed = await client.patch(
        f"/api/v1/admin/cities/{eilat['id']}", json={"name": "Haifa"}, headers=headers
    )
    assert renamed.status_code == 409


@pytest.mark.parametrize(
    ("method", "body", "field"),
    [
        ("POST", {"name": "Eilat", "latitude": 91, "longitude": 34.9}, "latitude"),
        ("POST", {"name": "Eilat", "latitude": 29.5, "longitude": -180.5}, "longitude"),
        ("POST", {"name": "E", "latitude": 29.5, "longitude": 34.9}, "name"),
        ("POST", {"name": "Eilat", "longitude": 34.9}, "latitude"),
        ("PATCH", {"name": None}, "name"),
        ("PATCH", {"latitude": "north"}, "latitude"),
        ("PATCH", {"isActive": None}, "isActive"),
    ],
)
async def test_invalid_city_is_a_422_naming_the_field(
    client: httpx.AsyncClient, method: str, body: dict[str, Any], field: str
) -> None:
    headers = await admin(client)
    path = "/api/v1/admin/cities"
    if method == "PATCH":
        path += "/" + (await client.get(path, headers=headers)).json()[0]["id"]
    assert field_of(await client.request(method, path, json=body, headers=headers)) == field


async def test_unknown_city_is_a_404(client: httpx.AsyncClient) -> None:
    response = await client.patch(
        "/api/v1/admin/cities/0123456789abcdef", json={"isActive": False}, headers=await admin(client)
    )
    assert response.status_code == 404


# Coupons

SPRING = {
    "code": "spring-25",
    "kind": "percent",
    "value": 12.5,
    "validFrom": "2026-11-01T00:00:00+02:00",
    "validUntil": "2027-01-01T00:00:00+02:00",
    "usageLimit": 100,
    "perUserLimit": 1,
}


async def test_coupon_is_created_listed_and_changed(client: httpx.AsyncClient) -> None:
    headers = await admin(client)
    created = await client.post("/api/v1/admin/coupons", json=SPRING, headers=headers)
    assert created.status_code == 201, created.text
    assert without_ids(created.json()) == {
        "code": "SPRING-25",
        "kind": "percent",
        "value": 12.5,
        "validFrom": "2026-10-31T22:00:00Z",
        "validUntil": "2026-12-31T22:00:00Z",
        "usageLimit": 100,
        "perUserLimit": 1,
        "timesUsed": 0,
        "isActive": True,
    }
    listed = (await client.get("/api/v1/admin/coupons", headers=headers)).json()
    assert [c["code"] for c in listed] == ["SPRING-25", "WELCOME10"]

    changed = await client.patch(
        f"/api/v1/admin/coupons/{created.json()['id']}",
        json={"isActive": False, "usageLimit": None, "validUntil": "2027-02-01T10:00:00+02:00"},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    assert without_ids(changed.json()) == {
        **without_ids(created.json()),
        "isActive": False,
        "usageLimit": None,
        "validUntil": "2027-02-01T08:00:00Z",
    }


async def test_fixed_coupon_value_is_in_shekels(client: httpx.AsyncClient) -> None:
    body = {"code": "MINUS30", "kind": "fixed", "value": 30.5}
    created = await client.post("/api/v1/admin/coupons", json=body, headers=await admin(client))
    assert created.status_code == 201, created.text
    assert created.json()["value"] == 30.5
    assert created.json()["validFrom"] is None


async def test_duplicate_coupon_code_is_a_409(client: httpx.AsyncClient) -> None:
    body = {"code": "welcome10", "kind": "fixed", "value": 10}
    response = await client.post("/api/v1/admin/coupons", json=body, headers=await admin(client))
    assert response.status_code == 409
    assert response.json()["code"] == "coupon_exists"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"validFrom": "2026-11-01T00:00:00"}, "validFrom"),
        ({"validFrom": "2026-11-01T00:00:00+14:30"}, "validFrom"),  # no such offset on Earth
        ({"validUntil": "2026-10-01T00:00:00+02:00"}, "validUntil"),
        ({"value": 100.01}, "value"),
        ({"value": 0}, "value"),
        ({"value": 10.555}, "value"),
        ({"kind": "fixed", "value": 100_001}, "value"),
        ({"kind": "gift"}, "kind"),
        ({"code": "AB"}, "code"),
        ({"code": "NO SPACES"}, "code"),
        ({"usageLimit": 0}, "usageLimit"),
        ({"perUserLimit": -1}, "perUserLimit"),
    ],
)
async def test_invalid_coupon_is_a_422_naming_the_field(
    client: httpx.AsyncClient, changes: dict[str, Any], field: str
) -> None:
    response = await client.post(
        "/api/v1/admin/coupons", json={**SPRING, **changes}, headers=await admin(client)
    )
    assert field_of(response) == field


async def test_coupon_change_keeps_the_window_consistent(client: httpx.AsyncClient) -> None:
    headers = await admin(client)
    coupon = (await client.post("/api/v1/admin/coupons", json=SPRING, headers=headers)).json()
    path = f"/api/v1/admin/coupons/{coupon['id']}"
    before_start = {"validUntil": "2026-10-15T00:00:00+02:00"}
    assert field_of(await client.patch(path, json=before_start, headers=headers)) == "validUntil"
    assert (
        field_of(await client.patch(path, json={"validFrom": "2026-12-01T10:00"}, headers=headers))
        == "validFrom"
    )
    assert field_of(await client.patch(path, json={"isActive": None}, headers=headers)) == "isActive"
    unknown = await client.patch("/api/v1/admin/coupons/nope", json={"isActive": False}, headers=headers)
    assert unknown.status_code == 404


async def test_coupon_with_usage_limit_one_discounts_once(client: httpx.AsyncClient) -> None:
    headers = await admin(client)
    body = {"code": "ONCE", "kind": "fixed", "value": 30, "usageLimit": 1}
    coupon = (await client.post("/api/v1/admin/coupons", json=body, headers=headers)).json()

    first = await book(client, await login(client, CUSTOMER), couponCode="once")
    assert (first["priceDetails"]["discount"], first["priceDetails"]["finalAmount"]) == (30, 220)

    swedish = await treatment_named(client, "Swedish Massage")
    second = await client.post(
        "/api/v1/bookings",
        json=booking_body(swedish["id"], couponCode="ONCE"),
        headers=await login(client, OTHER_CUSTOMER),
    )
    assert field_of(second) == "couponCode"
    listed = {c["id"]: c for c in (await client.get("/api/v1/admin/coupons", headers=headers)).json()}
    assert listed[coupon["id"]]["timesUsed"] == 1


# Surcharge rules

FRIDAY_LUNCH = {
    "description": "Friday lunch",
    "weekday": "friday",
    "start": "11:00",
    "end": "14:00",
    "amount": {"kind": "fixed", "value": 40},
    "professionalShare": {"kind": "percent", "value": 50},
}


async def test_surcharge_is_created_listed_and_changed(client: httpx.AsyncClient) -> None:
    headers = await admin(client)
    created = await client.post("/api/v1/admin/surcharges", json=FRIDAY_LUNCH, headers=headers)
    assert created.status_code == 201, created.text
    assert without_ids(created.json()) == {**FRIDAY_LUNCH, "onDate": None, "isActive": True}
    listed = (await client.get("/api/v1/admin/surcharges", headers=headers)).json()
    assert {r["description"] for r in listed} == {"Evening visit (20:00-22:00)", "Saturday", "Friday lunch"}

    changed = await client.patch(
        f"/api/v1/admin/surcharges/{created.json()['id']}",
        json={
            "weekday": None,
            "onDate": "2026-12-25",
            "start": "22:00",
            "end": "02:00",
            "amount": {"kind": "percent", "value": 12.5},
            "professionalShare": None,
        },
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    assert without_ids(changed.json()) == {
        "description": "Friday lunch",
        "weekday": None,
        "onDate": "2026-12-25",
        "start": "22:00",
        "end": "02:00",
        "amount": {"kind": "percent", "value": 12.5},
        "professionalShare": None,
        "isActive": True,
    }


async def test_surcharge_prices_new_bookings_until_deleted(client: httpx.AsyncClient) -> None:
    headers = await admin(client)
    rule = (await client.post("/api/v1/admin/surcharges", json=FRIDAY_LUNCH, headers=headers)).json()
    customer = await login(client, CUSTOMER)

    booking = await book(client, customer, bookingDateTime=visit_at(days=3, hour_local=12))
    assert booking["priceDetails"]["surcharges"] == [
        {"description": "Friday lunch", "amount": 40, "professionalShare": 20}
    ]
    assert (booking["priceDetails"]["basePrice"], booking["priceDetails"]["finalAmount"]) == (250, 290)
    outside = await book(client, customer, bookingDateTime=visit_at(days=3, hour_local=14))
    assert outside["priceDetails"]["surcharges"] == []

    deleted = await client.delete(f"/api/v1/admin/surcharges/{rule['id']}", headers=headers)
    assert deleted.status_code == 204
    after = await book(client, customer, bookingDateTime=visit_at(days=3, hour_local=12))
    assert after["priceDetails"]["surcharges"] == []
    listed = {r["id"]: r for r in (await client.get("/api/v1/admin/surcharges", headers=headers)).json()}
    assert listed[rule["id"]]["isActive"] is False


async def test_whole_day_surcharge_on_a_date(client: httpx.AsyncClient) -> None:
    body = {
        "description": "Hanukkah",
        "onDate": "2026-12-04",
        "start": "00:00",
        "end": "24:00",
        "amount": {"kind": "percent", "value": 10},
    }
    created = await client.post("/api/v1/admin/surcharges", json=body, headers=await admin(client))
    assert created.json()["end"] == "24:00"
    booking = await book(
        client, await login(client, CUSTOMER), bookingDateTime=visit_at(days=3, hour_local=9)
    )
    assert booking["priceDetails"]["surcharges"] == [
        {"description": "Hanukkah", "amount": 25, "professionalShare": 0}
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"onDate": "2026-12-25"}, "onDate"),
        ({"weekday": "funday"}, "weekday"),
        ({"onDate": "2026-13-01", "weekday": None}, "onDate"),
        ({"start": "25:00"}, "start"),
        ({"start": "24:00"}, "start"),
        ({"end": "7pm"}, "end"),
        ({"amount": {"kind": "percent", "value": 150}}, "amount.value"),
        ({"amount": {"kind": "fixed", "value": 0}}, "amount.value"),
        ({"amount": {"kind": "bonus", "value": 5}}, "amount.kind"),
        ({"professionalShare": {"kind": "percent", "value": 100.5}}, "professionalShare.value"),
        ({"description": "x"}, "description"),
    ],
)
async def test_invalid_surcharge_is_a_422_naming_the_field(
    client: httpx.AsyncClient, changes: dict[str, Any], field: str
) -> None:
    response = await client.post(
        "/api/v1/admin/surcharges", json={**FRIDAY_LUNCH, **changes}, headers=await admin(client)
    )
    assert field_of(response) == field


async def test_surcharge_change_may_not_add_a_date_to_a_weekday_rule(client: httpx.AsyncClient) -> None:
    headers = await admin(client)
    rule = (await client.post("/api/v1/admin/surcharges", json=FRIDAY_LUNCH, headers=headers)).json()
    path = f"/api/v1/admin/surcharges/{rule['id']}"
    assert field_of(await client.patch(path, json={"onDate": "2026-12-25"}, headers=headers)) == "onDate"
    assert field_of(await client.patch(path, json={"description": None}, headers=headers)) == "description"
    assert (await client.patch("/api/v1/admin/surcharges/nope", json={}, headers=headers)).status_code == 404
    assert (await client.delete("/api/v1/admin/surcharges/nope", headers=headers)).status_code == 404
