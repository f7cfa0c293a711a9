"""The admin's management forms in process: parsing, errors by fields, nothing half written, who may post."""

from __future__ import annotations

import httpx
import pytest

from masu.domain.errors import Conflict, NotFound, ValidationFailed
from masu.web.pages.admin.catalogue_forms import (
    FormRefused,
    city_changes,
    duration_rows,
    new_city,
    new_coupon,
    new_surcharge,
    refused_by_service,
    treatment_in,
)
from masu.web.pages.admin.manage_texts import TEXTS
from tests.factories import ADMIN, CUSTOMER, PROFESSIONAL, csrf_of, login, page_login

KEYS = TEXTS["en"].keys()


def _errors(parse: object, form: dict[str, str]) -> dict[str, str]:
    with pytest.raises(FormRefused) as refused:
        parse(form)  # type: ignore[operator]
    assert set(refused.value.errors.values()) <= KEYS, "every error has a text"
    return refused.value.errors


# --- the texts ----------------------------------------------------------------------------------------------


def test_hebrew_and_english_have_the_same_texts() -> None:
    assert TEXTS["he"].keys() == TEXTS["en"].keys()
    assert all(text.strip() for texts in TEXTS.values() for text in texts.values())


# --- parsing, without a database ----------------------------------------------------------------------------


def test_a_city_needs_a_name_and_coordinates() -> None:
    errors = _errors(new_city, {"name": "", "latitude": "north", "longitude": "200"})
    assert errors == {
        "name": "bad_city_name",
        "latitude": "bad_city_latitude",
        "longitude": "bad_city_longitude",
    }
    city = new_city({"name": " Eilat ", "name_he": "", "latitude": "29.55", "longitude": "34.95"})
    assert (city.name, city.name_he, city.latitude) == ("Eilat", None, 29.55)


def test_an_edited_city_is_active_only_when_ticked() -> None:
    form = {"name": "Eilat", "latitude": "29.5", "longitude": "34.9"}
    assert city_changes(form)["is_active"] is False
    assert city_changes({**form, "is_active": "1"})["is_active"] is True


def test_a_coupon_is_checked_like_the_api_checks_it() -> None:
    errors = _errors(new_coupon, {"code": "x", "kind": "percent", "value": "-5", "usage_limit": "0"})
    assert errors == {
        "code": "bad_coupon_code",
        "value": "bad_coupon_value",
        "usage_limit": "bad_coupon_usage_limit",
    }
    assert _errors(new_coupon, {"code": "SALE", "kind": "percent", "value": "150"}) == {
        "value": "bad_coupon_value"
    }
    window = {"valid_from": "2026-12-10T10:00", "valid_until": "2026-12-01T10:00"}
    assert _errors(new_coupon, {"code": "SALE", "kind": "fixed", "value": "20", **window}) == {
        "valid_until": "bad_coupon_valid_until"
    }
    assert _errors(new_coupon, {"code": "SALE", "kind": "fixed", "value": "20", "valid_from": "soon"}) == {
        "valid_from": "bad_coupon_valid_from"
    }
    # an unreadable date and a wrong field are reported together
    assert _errors(new_coupon, {"code": "", "kind": "fixed", "value": "20", "valid_until": "later"}) == {
        "code": "bad_coupon_code",
        "valid_until": "bad_coupon_valid_until",
    }


def test_a_coupon_form_reads_israel_time_and_a_decimal_comma() -> None:
    coupon = new_coupon(
        {"code": "Winter-10", "kind": "fixed", "value": "12,5", "valid_from": "2026-12-01T10:00"}
    )
    assert coupon.fields()["value"] == 1250
    assert coupon.valid_from is not None
    assert coupon.valid_from.utcoffset() is not None
    assert coupon.valid_from.isoformat() == "2026-12-01T10:00:00+02:00"


def test_a_surcharge_names_its_wrong_amount_and_times() -> None:
    form = {
        "description": "Night",
        "start": "25:00",
        "end": "",
        "amount_kind": "percent",
        "amount_value": "0",
    }
    assert _errors(new_surcharge, form) == {
        "start": "bad_surcharge_start",
        "end": "bad_surcharge_end",
        "amount_value": "bad_surcharge_amount_value",
    }
    fields = new_surcharge(
        {**form, "start": "21:00", "end": "24:00", "amount_value": "15", "weekday": "friday"}
    ).fields()
    assert (fields["weekday"], fields["start_minute"], fields["end_minute"]) == (4, 21 * 60, 24 * 60)
    assert (fields["amount_kind"], fields["amount_value"], fields["share_kind"]) == ("percent", 1500, None)


def test_a_treatment_form_names_the_wrong_duration_line() -> None:
    form = {
        "name": "Hot stones",
        "category": "massage",
        "pricing_type": "duration",
        "d0_minutes": "60",
        "d0_price": "300",
        "d0_professional_pay": "200",
        # line 1 left empty; line 2 has a negative price
        "d2_minutes": "90",
        "d2_price": "-1",
        "d2_professional_pay": "250",
    }
    assert _errors(treatment_in, form) == {"d2_price": "bad_treatment_d_price"}
    spec = treatment_in({**form, "d2_price": "420.5", "is_active": "1"}).spec()
    assert [(d.minutes, d.price, d.professional_pay) for d in spec.durations] == [
        (60, 30000, 20000),
        (90, 42050, 25000),
    ]
    assert spec.is_active
    assert spec.fixed_price is None


def test_every_stored_duration_has_its_line_on_the_form() -> None:
    assert duration_rows({}) == range(5)
    assert duration_rows({"d6_minutes": "120"}) == range(8)
    form = {
        f"d{i}_{k}": v
        for i in range(7)
        for k, v in (("minutes", str(30 + 15 * i)), ("price", "100"), ("professional_pay", "60"))
    }
    spec = treatment_in({"name": "Long", "category": "massage", "pricing_type": "duration", **form}).spec()
    assert [d.minutes for d in spec.durations] == [30 + 15 * i for i in range(7)]


def test_a_fixed_price_treatment_ignores_the_duration_lines() -> None:
    form = {
        "name": "Facial",
        "category": "facial",
        "pricing_type": "fixed",
        "price": "250",
        "d0_minutes": "x",
    }
    model = treatment_in({**form, "professional_pay": "150"})
    assert model.spec().fixed_price == 25000
    assert model.durations == []
    with pytest.raises(ValidationFailed) as refused:
        treatment_in(form).spec()
    assert refused_by_service("treatment", refused.value, KEYS) == {
        "professional_pay": "refused_treatment_professional_pay"
    }


def test_service_refusals_land_next_to_their_field() -> None:
    assert refused_by_service("city", Conflict("taken", code="city_exists"), KEYS) == {
        "name": "refused_city_exists"
    }
    assert refused_by_service("surcharge", ValidationFailed("onDate", "both"), KEYS) == {
        "on_date": "refused_surcharge_on_date"
    }
    assert refused_by_service("city", ValidationFailed("elsewhere", "?"), KEYS) == {"form": "refused_other"}
    assert refused_by_service("city", NotFound("gone"), KEYS) == {"form": "refused_other"}


# --- through the app, in process ----------------------------------------------------------------------------


async def _admin_json(client: httpx.AsyncClient, path: str) -> list[dict[str, object]]:
    headers = await login(client, ADMIN)
    response = await client.get(f"/api/v1/admin/{path}", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json())


async def test_only_admins_see_the_management_pages(client: httpx.AsyncClient) -> None:
    paths = ("/admin/professionals", "/admin/catalogue", "/admin/catalogue/coupons/new")
    for path in paths:
        assert (await client.get(path)).headers["location"].startswith("/login?next=")
    for who in (CUSTOMER, PROFESSIONAL):
        client.cookies.clear()
        await page_login(client, who)
        for path in paths:
            assert (await client.get(path)).status_code == 403, (who, path)
        token = csrf_of((await client.get(paths[0])).text)  # the refusal page's own logout form
        refused = await client.post("/admin/catalogue/cities/new", data={"csrf_token": token, "name": "Arad"})
        assert refused.status_code == 403


async def test_a_wrong_city_is_shown_again_and_nothing_is_written(client: httpx.AsyncClient) -> None:
    await page_login(client, ADMIN)
    before = await _admin_json(client, "cities")
    token = csrf_of((await client.get("/admin/catalogue/cities/new?lang=en")).text)
    data = {"csrf_token": token, "name": "", "latitude": "31.26", "longitude": "35.21"}
    refused = await client.post("/admin/catalogue/cities/new", data=data)
    assert refused.status_code == 422
    assert 'id="name-error"' in refused.text
    assert "Enter a name of 2 to 50 characters." in refused.text
    assert 'value="31.26"' in refused.text  # what was typed stays
    taken = await client.post("/admin/catalogue/cities/new", data={**data, "name": before[0]["name"]})
    assert taken.status_code == 409
    assert "A city with this name exists." in taken.text
    assert await _admin_json(client, "cities") == before
    added = await client.post("/admin/catalogue/cities/new", data={**data, "name": "Arad"})
    assert added.status_code == 303
    assert added.headers["location"] == "/admin/catalogue?done=city_created#city"
    assert "Arad" in [c["name"] for c in await _admin_json(client, "cities")]


async def test_a_treatment_saved_through_the_form_is_what_the_api_shows(client: httpx.AsyncClient) -> None:
    await page_login(client, ADMIN)
    token = csrf_of((await client.get("/admin/catalogue/treatments/new")).text)
    form = {
        "csrf_token": token,
        "name": "Hot stones",
        "category": "massage",
        "pricing_type": "duration",
        "is_active": "1",
        "d0_minutes": "60",
        "d0_price": "300",
        "d0_professional_pay": "200",
        "d1_minutes": "60",
        "d1_price": "350",
        "d1_professional_pay": "220",
    }
    twice = await client.post("/admin/catalogue/treatments/new", data=form)
    assert twice.status_code == 422
    assert 'id="durations-error"' in twice.text
    assert "Hot stones" not in [t["name"] for t in await _admin_json(client, "treatments")]
    created = await client.post("/admin/catalogue/treatments/new", data={**form, "d1_minutes": "90"})
    assert created.status_code == 303
    stored = next(t for t in await _admin_json(client, "treatments") if t["name"] == "Hot stones")
    assert stored["durations"] == [
        {"minutes": 60, "price": 300, "professionalPay": 200},
        {"minutes": 90, "price": 350, "professionalPay": 220},
    ]
    edit = await client.get(f"/admin/catalogue/treatments/{stored['id']}")
    assert 'value="350"' in edit.text
    form.pop("is_active")  # an unticked box is not posted at all: the treatment is withdrawn
    saved = await client.post(
        f"/admin/catalogue/treatments/{stored['id']}", data={**form, "d1_minutes": "90"}
    )
    assert saved.status_code == 303
    stored = next(t for t in await _admin_json(client, "treatments") if t["name"] == "Hot stones")
    assert stored["isActive"] is False


async def test_coupon_and_surcharge_edits_and_deactivation(client: httpx.AsyncClient) -> None:
    await page_login(client, ADMIN)
    token = csrf_of((await client.get("/admin/catalogue/coupons/new")).text)
    made = await client.post(
        "/admin/catalogue/coupons/new",
        data={"csrf_token": token, "code": "spring-20", "kind": "percent", "value": "20", "usage_limit": "5"},
    )
    assert made.status_code == 303
    coupon = next(c for c in await _admin_json(client, "coupons") if c["code"] == "SPRING-20")
    assert (coupon["value"], coupon["usageLimit"], coupon["isActive"]) == (20, 5, True)
    wrong = await client.post(
        f"/admin/catalogue/coupons/{coupon['id']}", data={"csrf_token": token, "usage_limit": "many"}
    )
    assert wrong.status_code == 422
    assert "</dt><dd>0</dd>" in wrong.text, "the refused form still says how often it was used"
    off = await client.post(
        f"/admin/catalogue/coupons/{coupon['id']}", data={"csrf_token": token, "usage_limit": ""}
    )
    assert off.status_code == 303
    coupon = next(c for c in await _admin_json(client, "coupons") if c["code"] == "SPRING-20")
    assert (coupon["usageLimit"], coupon["isActive"]) == (None, False)

    rule = {"csrf_token": token, "description": "Late evening", "start": "21:00", "end": "24:00"}
    both = {
        **rule,
        "weekday": "friday",
        "on_date": "2026-12-25",
        "amount_kind": "percent",
        "amount_value": "10",
    }
    refused = await client.post("/admin/catalogue/surcharges/new", data={**both, "is_active": "1"})
    assert refused.status_code == 422
    assert 'id="on_date-error"' in refused.text
    before = await _admin_json(client, "surcharges")
    assert "Late evening" not in [r["description"] for r in before]
    both.pop("on_date")
    assert (
        await client.post("/admin/catalogue/surcharges/new", data={**both, "is_active": "1"})
    ).status_code == 303
    added = next(r for r in await _admin_json(client, "surcharges") if r["description"] == "Late evening")
    assert added["amount"] == {"kind": "percent", "value": 10}
    gone = await client.post(
        f"/admin/catalogue/surcharges/{added['id']}/deactivate", data={"csrf_token": token}
    )
    assert gone.status_code == 303
    added = next(r for r in await _admin_json(client, "surcharges") if r["description"] == "Late evening")
    assert added["isActive"] is False
    assert (await client.get("/admin/catalogue/surcharges/no-such-rule")).status_code == 404
    assert (await client.get("/admin/catalogue?done=surcharge_deactivated&lang=en")).status_code == 200


async def test_approve_and_suspend_in_process(client: httpx.AsyncClient) -> None:
    await page_login(client, ADMIN)
    listed = await _admin_json(client, "professionals")
    target = listed[0]
    token = csrf_of((await client.get("/admin/professionals")).text)
    done = await client.post(
        f"/admin/professionals/{target['id']}/suspend", data={"csrf_token": token, "shown_status": "approved"}
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/admin/professionals?done=suspended&status=approved"
    assert (
        await client.get(f"/api/v1/admin/professionals/{target['id']}", headers=await login(client, ADMIN))
    ).json()["status"] == "suspended"
    page = await client.get("/admin/professionals?status=suspended&lang=en")
    assert f'data-professional="{target["id"]}" data-status="suspended"' in page.text
    detail = await client.get(f"/admin/professionals/{target['id']}?lang=en")
    assert detail.status_code == 200
    assert "Weekly hours" in detail.text
    assert (
        await client.post(f"/admin/professionals/{target['id']}/delete", data={"csrf_token": token})
    ).status_code == 404
    assert (await client.get("/admin/professionals/nobody")).status_code == 404
