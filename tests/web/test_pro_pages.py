"""The professional pages in-process, where the clock can move: late answers, withdraw, hours, cities, pay."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx

from masu.bootstrap import Container
from masu.clock import SettableClock
from masu.worker.runner import Worker
from tests.factories import ADMIN, CUSTOMER, book, csrf_of, login, page_login, professional

VISIT = "2026-12-04T12:00:00+02:00"  # Friday noon in Tel Aviv: four demo professionals are offered it
VISIT_UTC = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
AVI = professional("Avi Pro")
RINA = professional("Rina Pro")


async def _post(client: httpx.AsyncClient, url: str, **data: str | list[str]) -> httpx.Response:
    """Post a page form with the token of the dashboard's forms."""
    token = csrf_of((await client.get("/pro")).text)
    return await client.post(url, data={"csrf_token": token, **data})


async def _offered(client: httpx.AsyncClient, container: Container) -> dict[str, object]:
    """Book the Friday visit as the demo customer and run one worker pass, which offers it."""
    booking = await book(client, await login(client, CUSTOMER), bookingDateTime=VISIT)
    await Worker(container, container.bus).run_once(container.clock.now())
    return booking


def _offer_id(html: str) -> str:
    found = re.search(r'action="/pro/offers/([^/]+)/accept"', html)
    assert found is not None, "an open offer is shown"
    return found.group(1)


async def test_the_dashboard_shows_the_offer_city_only_with_its_answer_by_time(
    client: httpx.AsyncClient, container: Container
) -> None:
    await _offered(client, container)
    await page_login(client, AVI)
    page = await client.get("/pro")

    assert page.status_code == 200
    for shown in (
        "Swedish Massage",
        "Tel Aviv",
        "170 ₪",
        "04/12/2026 12:00",
        "Answer by",
        "data-expires-at=",
    ):
        assert shown in page.text
    assert "Herzl 10" not in page.text  # the address only once the booking is theirs
    assert "<script>" not in page.text
    assert 'src="/static/countdown.js"' in page.text
    assert "csrf_token" in page.text


async def test_an_answer_after_the_deadline_is_refused_with_its_reason_not_an_error(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    await _offered(client, container)
    await page_login(client, AVI)
    offer_id = _offer_id((await client.get("/pro")).text)
    token = csrf_of((await client.get("/pro")).text)
    clock.advance(timedelta(minutes=16))

    late = await client.post(f"/pro/offers/{offer_id}/accept", data={"csrf_token": token})

    assert late.status_code == 409
    assert "This offer has expired." in late.text
    assert f'action="/pro/offers/{offer_id}/accept"' not in late.text  # no longer listed as open


async def test_the_loser_of_a_race_is_told_the_booking_is_taken(
    client: httpx.AsyncClient, container: Container
) -> None:
    await _offered(client, container)
    await page_login(client, RINA)
    rina_offer = _offer_id((await client.get("/pro")).text)
    await page_login(client, AVI)
    won = await _post(client, f"/pro/offers/{_offer_id((await client.get('/pro')).text)}/accept")
    await page_login(client, RINA)

    lost = await client.post(
        f"/pro/offers/{rina_offer}/accept", data={"csrf_token": csrf_of((await client.get("/pro")).text)}
    )

    assert (won.status_code, won.headers["location"]) == (303, "/pro?done=accepted")
    assert lost.status_code == 409
    assert "already been taken by another professional" in lost.text


async def test_withdrawing_needs_a_reason_next_to_the_field_then_re_offers_the_booking(
    client: httpx.AsyncClient, container: Container
) -> None:
    booking = await _offered(client, container)
    await page_login(client, AVI)
    await _post(client, f"/pro/offers/{_offer_id((await client.get('/pro')).text)}/accept")
    url = f"/pro/bookings/{booking['id']}/withdraw"

    empty = await _post(client, url, reason=" ")
    given = await _post(client, url, reason="My car broke down")
    state = (await client.get(f"/api/v1/bookings/{booking['id']}", headers=await login(client, ADMIN))).json()

    assert empty.status_code == 422
    assert f'id="reason-{booking["id"]}-error"' in empty.text
    assert "Write a reason of 2 to 500 characters." in empty.text
    assert (given.status_code, given.headers["location"]) == (303, "/pro?done=withdrawn")
    assert (state["status"], state["professionalId"]) == ("pending_professional", None)


async def test_the_visit_moves_along_and_its_pay_appears_under_earnings(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    booking = await _offered(client, container)
    await page_login(client, AVI)
    await _post(client, f"/pro/offers/{_offer_id((await client.get('/pro')).text)}/accept")
    assigned = await client.get("/pro")
    too_early = await _post(client, f"/pro/bookings/{booking['id']}/on_way", confirmed="1")
    asked = await client.get(f"/pro/bookings/{booking['id']}/on_way")
    unconfirmed = await _post(client, f"/pro/bookings/{booking['id']}/on_way")
    moves = []
    for move, at in (
        ("on_way", VISIT_UTC - timedelta(hours=3)),
        ("start", VISIT_UTC),
        ("complete", VISIT_UTC + timedelta(minutes=30)),
    ):
        clock.set(at)
        await page_login(client, AVI)
        moves.append(await _post(client, f"/pro/bookings/{booking['id']}/{move}", confirmed="1"))
    again = await _post(client, f"/pro/bookings/{booking['id']}/start", confirmed="1")
    earnings = await client.get("/pro/earnings")
    final = (await client.get(f"/api/v1/bookings/{booking['id']}", headers=await login(client, ADMIN))).json()

    assert "Herzl 10" in assigned.text
    assert "I&#39;m on my way" in assigned.text
    assert too_early.status_code == 409
    assert "Too early to be on the way: you can mark it from 04/12/2026 09:00." in too_early.text
    assert asked.status_code == 200
    assert "Tell the customer you are on your way to this visit?" in asked.text
    assert unconfirmed.status_code == 200
    assert 'name="confirmed" value="1"' in unconfirmed.text
    assert [m.headers.get("location") for m in moves] == [
        "/pro?done=on_way",
        "/pro?done=started",
        "/pro?done=completed",
    ]
    assert again.status_code == 409  # a stale button: the page says so instead of failing
    assert booking["bookingNumber"] in earnings.text
    row = re.search(rf'data-booking-number="{booking["bookingNumber"]}">(.*?)</tr>', earnings.text, re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>([^<]*) ₪</td>", row.group(1))
    assert cells == [
        _number(final["priceDetails"][name])
        for name in (
            "baseProfessionalPayment",
            "surchargesProfessionalPayment",
            "paymentBonus",
            "totalProfessionalPayment",
        )
    ]


def _number(shekels: float) -> str:
    return str(int(shekels)) if float(shekels).is_integer() else str(shekels)


async def test_a_customer_cannot_open_the_dashboard(client: httpx.AsyncClient) -> None:
    await page_login(client, CUSTOMER)
    for path in ("/pro", "/pro/schedule", "/pro/earnings"):
        assert (await client.get(path)).status_code == 403


async def test_hours_are_saved_and_an_overlap_is_named_at_its_interval(client: httpx.AsyncClient) -> None:
    await page_login(client, AVI)
    token = csrf_of((await client.get("/pro/schedule")).text)

    overlap = await client.post(
        "/pro/schedule/hours",
        data={
            "csrf_token": token,
            "h0-0-start": "08:00",
            "h0-0-end": "12:00",
            "h0-1-start": "11:00",
            "h0-1-end": "14:00",
        },
    )
    saved = await client.post(
        "/pro/schedule/hours",
        data={
            "csrf_token": token,
            "h0-0-start": "09:00",
            "h0-0-end": "00:00",
            "h4-0-start": "10:00",
            "h4-0-end": "13:30",
        },
    )
    shown = await client.get(saved.headers["location"])

    assert overlap.status_code == 422
    assert 'id="h0-1-error"' in overlap.text
    assert "overlaps another one" in overlap.text
    assert (saved.status_code, saved.headers["location"]) == (303, "/pro/schedule?saved=hours")
    assert "Working hours saved." in shown.text
    assert 'id="h0-0-end" name="h0-0-end" type="time" value="00:00"' in shown.text
    assert 'value="13:30"' in shown.text
    assert 'id="h1-0-start" name="h1-0-start" type="time" value=""' in shown.text  # Tuesday is free now


async def test_cities_are_saved_and_a_choice_is_required(client: httpx.AsyncClient) -> None:
    await page_login(client, AVI)
    form = (await client.get("/pro/schedule")).text
    cities = re.findall(r'name="city" value="([^"]+)"', form)

    none = await client.post("/pro/schedule/cities", data={"csrf_token": csrf_of(form)})
    unknown = await client.post("/pro/schedule/cities", data={"csrf_token": csrf_of(form), "city": "x" * 24})
    saved = await client.post("/pro/schedule/cities", data={"csrf_token": csrf_of(form), "city": cities[:1]})
    shown = (await client.get("/pro/schedule")).text

    assert (none.status_code, unknown.status_code) == (422, 422)
    assert "Choose at least one city." in none.text
    assert "Choose cities from the list." in unknown.text
    assert saved.headers["location"] == "/pro/schedule?saved=cities"
    assert shown.count("checked") == 1


async def test_earnings_leave_out_a_visit_closed_before_it_could_have_been_given(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    booking = await _offered(client, container)
    await page_login(client, AVI)
    await _post(client, f"/pro/offers/{_offer_id((await client.get('/pro')).text)}/accept")
    closed = await client.post(
        f"/api/v1/bookings/{booking['id']}/complete",
        headers=await login(client, ADMIN),
        json={"reason": "closed by the office"},
    )
    early = await client.get("/pro/earnings")
    clock.set(VISIT_UTC)  # a 60-minute visit started 30 minutes early could be over now
    await page_login(client, AVI)
    later = await client.get("/pro/earnings")

    assert closed.status_code == 200, closed.text
    assert booking["bookingNumber"] not in early.text
    assert booking["bookingNumber"] in later.text
