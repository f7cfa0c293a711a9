"""Reviews from the account: the customer's review form on the booking page, and the admin's resend."""

from __future__ import annotations

from datetime import timedelta

import httpx

from masu.bootstrap import Container
from masu.clock import SettableClock
from masu.worker.runner import Worker
from tests.factories import ADMIN, CUSTOMER, OTHER_CUSTOMER, csrf_of, login, page_login
from tests.review_helpers import Treated, booking_row, cycle, treat


async def _requested(client: httpx.AsyncClient, container: Container, clock: SettableClock) -> Treated:
    """A treated booking whose review request the worker has sent."""
    treated = await treat(client, container, clock)
    await _worker_pass(container, clock)
    assert (await booking_row(container, treated.booking_id)).review_request_sent_at is not None
    return treated


async def _worker_pass(container: Container, clock: SettableClock) -> None:
    await Worker(container, container.bus).run_once(clock.now())
    await Worker(container, container.bus).run_once(clock.now())  # events emitted by the first pass


async def _review_requests(client: httpx.AsyncClient, admin: dict[str, str], booking_id: str) -> list[str]:
    rows = (await client.get(f"/api/v1/admin/notifications?bookingId={booking_id}", headers=admin)).json()
    return [row["channel"] for row in rows if row["template"] == "review-request"]


# --- the admin's resend ---------------------------------------------------------------------------------


async def test_the_admin_resends_the_request_and_the_schedule_stays(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    treated = await _requested(client, container, clock)
    admin = await login(client, ADMIN)
    first = await _review_requests(client, admin, treated.booking_id)
    schedule = await cycle(container, treated.booking_id)
    clock.advance(timedelta(hours=2))

    resent = await client.post(f"/api/v1/admin/bookings/{treated.booking_id}/review-request", headers=admin)
    await _worker_pass(container, clock)

    assert resent.status_code == 202, resent.text
    assert resent.json() == {"bookingId": treated.booking_id, "status": "queued"}
    assert first
    assert sorted(await _review_requests(client, admin, treated.booking_id)) == sorted(first * 2)
    assert await cycle(container, treated.booking_id) == schedule  # the reminders keep their times


async def test_a_resend_is_refused_once_the_window_has_passed(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    treated = await _requested(client, container, clock)
    url = f"/api/v1/admin/bookings/{treated.booking_id}/review-request"
    clock.advance(timedelta(days=30))  # past the close, before the worker has closed it

    too_late = await client.post(url, headers=await login(client, ADMIN))
    by_customer = await client.post(url, headers=await login(client, CUSTOMER))

    assert too_late.status_code == 409
    assert "window" in too_late.json()["detail"]
    assert by_customer.status_code == 403


async def test_a_resend_is_refused_once_the_customer_has_reviewed(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    treated = await _requested(client, container, clock)
    admin = await login(client, ADMIN)
    review = {"rating": 5}
    sent = await client.post(
        f"/api/v1/bookings/{treated.booking_id}/review", json=review, headers=treated.customer
    )
    resent = await client.post(f"/api/v1/admin/bookings/{treated.booking_id}/review-request", headers=admin)
    assert sent.status_code == 201
    assert resent.status_code == 409


async def test_the_admin_page_resends_and_says_so(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    treated = await _requested(client, container, clock)
    await page_login(client, ADMIN)
    url = f"/admin/bookings/{treated.booking_id}"
    page = (await client.get(f"{url}?lang=en")).text
    assert "Resend review request" in page

    done = await client.post(f"{url}/review-request", data={"csrf_token": csrf_of(page)})

    assert done.status_code == 303
    assert "The review request was queued again." in (await client.get(done.headers["location"])).text


# --- the customer's review from the booking page --------------------------------------------------------


async def test_the_customer_reviews_from_the_booking_page(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    treated = await _requested(client, container, clock)
    await page_login(client, CUSTOMER)
    url = f"/bookings/{treated.booking_id}"
    page = (await client.get(f"{url}?lang=en")).text
    assert "Leave a review" in page

    no_rating = await client.post(f"{url}/review", data={"csrf_token": csrf_of(page), "comment": "Great"})
    long = await client.post(
        f"{url}/review", data={"csrf_token": csrf_of(page), "rating": "4", "comment": "x" * 1001}
    )
    done = await client.post(
        f"{url}/review", data={"csrf_token": csrf_of(page), "rating": "4", "comment": "Lovely hands"}
    )
    twice = await client.post(f"{url}/review", data={"csrf_token": csrf_of(page), "rating": "5"})

    assert no_rating.status_code == 422
    assert 'id="rating-error"' in no_rating.text
    assert ">Great</textarea>" in no_rating.text
    assert long.status_code == 422
    assert 'id="comment-error"' in long.text
    assert done.status_code == 303
    shown = (await client.get(done.headers["location"])).text
    assert "Thank you for your review." in shown
    assert 'data-rating="4"' in shown
    assert "Lovely hands" in shown
    assert "Leave a review" not in shown
    assert twice.status_code == 409
    assert (await booking_row(container, treated.booking_id)).status == "completed"


async def test_another_customers_booking_is_not_found(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    treated = await _requested(client, container, clock)
    await page_login(client, OTHER_CUSTOMER)
    token = csrf_of((await client.get("/bookings?lang=en")).text)
    url = f"/bookings/{treated.booking_id}"
    assert (await client.get(url)).status_code == 404
    assert (await client.post(f"{url}/review", data={"csrf_token": token, "rating": "1"})).status_code == 404
    assert (await booking_row(container, treated.booking_id)).status == "pending_review"
