"""The booking wizard in-process, where the clock can move: late confirmations, taken times, bad picks."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import httpx
import sqlalchemy as sa

from masu.bootstrap import Container
from masu.clock import SettableClock
from masu.persistence.models import Booking, City, Treatment, WorkingHours
from masu.web.pages.customer.wizard_form import TIME_CODES, form_field, message_key
from masu.web.pages.customer.wizard_texts import WIZARD
from tests.factories import CUSTOMER, csrf_of, page_login

THURSDAY = "2026-12-03"  # the test clock stands at Tuesday 1 December 2026, 10:00 in Israel


async def _log_in(client: httpx.AsyncClient) -> str:
    """Log in as the demo customer through the page form; the CSRF token of the session's forms."""
    await page_login(client, CUSTOMER)
    return csrf_of((await client.get("/book")).text)


async def _picks(container: Container, at: str = "12:00") -> dict[str, str]:
    async with container.sessions() as session:
        swedish = (
            await session.execute(sa.select(Treatment.id).where(Treatment.name == "Swedish Massage"))
        ).scalar_one()
        tel_aviv = (await session.execute(sa.select(City.id).where(City.name == "Tel Aviv"))).scalar_one()
    return {"treatment": swedish, "duration": "60", "city": tel_aviv, "date": THURSDAY, "time": at}


async def _bookings(container: Container) -> int:
    async with container.sessions() as session:
        return int((await session.execute(sa.select(sa.func.count()).select_from(Booking))).scalar_one())


async def test_each_step_asks_for_what_is_missing_and_names_what_was_wrong(
    client: httpx.AsyncClient, container: Container
) -> None:
    await _log_in(client)
    picks = await _picks(container)

    first = await client.get("/book")
    unknown_duration = await client.get("/book", params={**picks, "duration": "45", "time": ""})
    far_date = await client.get("/book", params={**picks, "date": "2027-03-01", "time": ""})
    odd_time = await client.get("/book", params={**picks, "time": "12:10"})
    details = await client.get("/book", params=picks)

    assert first.status_code == 200
    assert 'aria-current="step">Treatment' in first.text
    assert unknown_duration.status_code == 422
    assert "Choose one of the durations offered." in unknown_duration.text
    assert far_date.status_code == 422
    assert 'id="date-error"' in far_date.text
    assert odd_time.status_code == 422
    assert 'id="time-error"' in odd_time.text
    assert details.status_code == 200
    assert 'aria-current="step">Address and recipient' in details.text


async def test_a_confirmation_once_the_time_is_too_near_goes_back_to_the_times(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    token = await _log_in(client)
    form = {**await _picks(container, "12:00"), "street": "Herzl 10", "for_whom": "me", "csrf_token": token}
    summary = await client.post("/book/summary", data=form)
    # Thursday 11:00: the visit is an hour away, within the lead time (and a fresh session on that clock).
    clock.advance(timedelta(days=2, hours=1))
    form["csrf_token"] = await _log_in(client)
    before = await _bookings(container)

    late = await client.post("/book", data=form)

    assert summary.status_code == 200
    assert 'data-total="250"' in summary.text
    assert late.status_code == 303
    assert "gone=1" in late.headers["location"]
    assert await _bookings(container) == before  # nothing half-made


async def test_a_time_nobody_is_free_for_any_more_goes_back_to_the_times(
    client: httpx.AsyncClient, container: Container
) -> None:
    token = await _log_in(client)
    form = {**await _picks(container, "12:00"), "street": "Herzl 10", "for_whom": "me", "csrf_token": token}
    async with container.sessions() as session:  # every professional stops working at noon
        await session.execute(sa.update(WorkingHours).values(end_minute=12 * 60))
        await session.commit()
    before = await _bookings(container)

    taken = await client.post("/book", data=form)

    assert taken.status_code == 303
    assert taken.headers["location"].startswith("/book?")
    assert "gone=1" in taken.headers["location"]
    assert "time=" not in taken.headers["location"]
    assert await _bookings(container) == before
    shown = await client.get(taken.headers["location"])
    assert "That time has just been taken." in shown.text


async def test_the_wizard_forms_need_their_csrf_token(
    client: httpx.AsyncClient, container: Container
) -> None:
    await _log_in(client)
    form = {**await _picks(container), "street": "Herzl 10", "for_whom": "me"}
    before = await _bookings(container)

    refused = await client.post("/book", data=form)
    forged = await client.post("/book", data={**form, "csrf_token": "forged"})

    assert (refused.status_code, forged.status_code) == (403, 403)
    assert await _bookings(container) == before


async def test_confirming_the_same_summary_twice_at_once_makes_one_booking(
    client: httpx.AsyncClient, container: Container
) -> None:
    token = await _log_in(client)
    form = {**await _picks(container, "15:00"), "street": "Herzl 10", "for_whom": "me", "csrf_token": token}
    summary = await client.post("/book/summary", data=form)
    key = re.search(r'name="request_key" value="([^"]+)"', summary.text)
    assert key is not None, "the summary's confirm form carries a one-time key"
    before = await _bookings(container)

    confirm = {**form, "request_key": key[1]}
    together = await asyncio.gather(*(client.post("/book", data=confirm) for _ in range(3)))
    again = await client.post("/book", data=confirm)
    fresh = await client.post("/book/summary", data=form)
    other_key = re.search(r'name="request_key" value="([^"]+)"', fresh.text)

    assert [answer.status_code for answer in together] == [303, 303, 303]
    targets = {answer.headers["location"] for answer in [*together, again]}
    assert len(targets) == 1
    assert targets.pop().startswith("/bookings/")
    assert await _bookings(container) == before + 1
    assert other_key is not None
    assert other_key[1] != key[1]


def test_a_time_refused_when_the_booking_is_made_has_its_own_text_in_each_language() -> None:
    # The wizard checks the time just before making the booking, so this shows only when someone takes
    # the last free professional in between; the message then says why, above the form.
    for code in TIME_CODES:
        key = message_key(form_field("bookingDateTime"), code)
        assert key == code
        assert all(key in WIZARD[lang] for lang in ("en", "he"))
