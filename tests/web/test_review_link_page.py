"""The review link /review/{token}: no login, one review, useless once the booking left pending_review."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import sqlalchemy as sa

from masu.bootstrap import Container
from masu.clock import SettableClock
from masu.domain.reviews import review_token
from masu.persistence.models import Review
from masu.web.app import create_app
from masu.worker.runner import Worker
from tests.review_helpers import booking_row, treat

FORM_TOKEN = re.compile(r'name="form_token" value="([0-9a-f]+)"')


def _form_token(page: httpx.Response) -> str:
    found = FORM_TOKEN.search(page.text)
    assert found is not None, page.text
    return found.group(1)


async def _reviews_of(container: Container, booking_id: str) -> list[tuple[int, str | None]]:
    async with container.sessions() as session:
        rows = await session.execute(
            sa.select(Review.rating, Review.comment).where(Review.booking_id == booking_id)
        )
        return [(rating, comment) for rating, comment in rows.all()]


def _another_browser(container: Container) -> httpx.AsyncClient:
    """A client with no cookies of its own, as a browser on another site (or another device) would be."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(container)), base_url="http://masu.test"
    )


async def test_the_link_takes_one_review_without_login(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    treated = await treat(client, container, clock)
    token = review_token(treated.booking_id, container.settings.SECRET_KEY)
    anonymous = client  # no Authorization header on any of its requests below: nobody is logged in

    page = await anonymous.get(f"/review/{token}")
    sent = await anonymous.post(
        f"/review/{token}", data={"rating": "5", "comment": "  Wonderful  ", "form_token": _form_token(page)}
    )
    thanks = await anonymous.get(sent.headers["location"])
    again = await anonymous.post(f"/review/{token}", data={"rating": "1", "form_token": _form_token(page)})
    later = await anonymous.get(f"/review/{token}")

    assert page.status_code == 200
    assert '<html lang="he" dir="rtl">' in page.text
    for shown in (
        "Swedish Massage",
        "04/12/2026 12:00",
        "Avi",
        'name="rating"',
        f'action="/review/{token}?lang=he"',
    ):
        assert shown in page.text
    assert "Avi Pro" not in page.text  # the professional's first name only
    assert page.headers["referrer-policy"] == "no-referrer"
    assert (sent.status_code, sent.headers["location"]) == (303, f"/review/{token}?done=1&lang=he")
    assert "תודה על חוות הדעת" in thanks.text
    assert 'name="rating"' not in thanks.text
    assert again.status_code == 409
    assert 'name="rating"' not in again.text
    assert 'name="rating"' not in later.text
    assert "כבר התקבלה חוות דעת" in later.text
    assert await _reviews_of(container, treated.booking_id) == [(5, "Wonderful")]
    booking = await booking_row(container, treated.booking_id)
    assert booking.status == "completed"


async def test_forged_links_are_404_and_do_nothing(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    treated = await treat(client, container, clock)
    token = review_token(treated.booking_id, container.settings.SECRET_KEY)
    booking_id, signature = token.split(".")
    forged = f"{booking_id}.{'0' * len(signature)}"
    form_token = _form_token(await client.get(f"/review/{token}"))

    assert (await client.get(f"/review/{forged}")).status_code == 404
    posted = await client.post(f"/review/{forged}", data={"rating": "5", "form_token": form_token})
    assert posted.status_code == 404
    assert (await client.get("/review/not-a-token")).status_code == 404
    assert (await client.get(f"/review/{review_token('no-such-booking', 'x')}")).status_code == 404
    assert (
        await client.get(f"/review/{review_token('nobooking', container.settings.SECRET_KEY)}")
    ).status_code == 404
    assert await _reviews_of(container, treated.booking_id) == []


async def test_a_post_from_another_site_is_refused(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    treated = await treat(client, container, clock)
    token = review_token(treated.booking_id, container.settings.SECRET_KEY)
    page = await client.get(f"/review/{token}")
    # Another site can make the browser post, but cannot read the form token or send our cookie with it.
    elsewhere = _another_browser(container)

    no_cookie = await elsewhere.post(
        f"/review/{token}", data={"rating": "1", "form_token": _form_token(page)}
    )
    wrong_token = await client.post(f"/review/{token}", data={"rating": "1", "form_token": "0" * 64})
    no_token = await client.post(f"/review/{token}", data={"rating": "1"})

    assert (no_cookie.status_code, wrong_token.status_code, no_token.status_code) == (403, 403, 403)
    assert 'name="rating"' in no_cookie.text  # a fresh form, to send again in person
    assert await _reviews_of(container, treated.booking_id) == []
    assert (await booking_row(container, treated.booking_id)).status == "pending_review"
    await elsewhere.aclose()


async def test_bad_input_comes_back_with_the_message_and_what_was_typed(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    treated = await treat(client, container, clock)
    token = review_token(treated.booking_id, container.settings.SECRET_KEY)
    form_token = _form_token(await client.get(f"/review/{token}?lang=en"))

    no_rating = await client.post(
        f"/review/{token}?lang=en", data={"comment": "kept", "form_token": form_token}
    )
    too_high = await client.post(f"/review/{token}?lang=en", data={"rating": "9", "form_token": form_token})
    too_long = await client.post(
        f"/review/{token}?lang=en", data={"rating": "4", "comment": "x" * 1001, "form_token": form_token}
    )

    assert no_rating.status_code == 422
    assert '<html lang="en" dir="ltr">' in no_rating.text
    assert "Choose a rating from 1 to 5." in no_rating.text
    assert ">kept</textarea>" in no_rating.text
    assert too_high.status_code == 422
    assert too_long.status_code == 422
    assert "at most 1000 characters" in too_long.text
    assert await _reviews_of(container, treated.booking_id) == []


async def test_after_the_window_closed_the_page_accepts_nothing(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    treated = await treat(client, container, clock)
    token = review_token(treated.booking_id, container.settings.SECRET_KEY)
    form_token = _form_token(await client.get(f"/review/{token}"))
    worker = Worker(container, container.bus)
    for days in (0, 1, 4, 11, 18):
        await worker.run_once(treated.completed_at + timedelta(days=days))

    page = await client.get(f"/review/{token}?lang=en")
    posted = await client.post(f"/review/{token}?lang=en", data={"rating": "5", "form_token": form_token})

    assert (await booking_row(container, treated.booking_id)).status == "completed"
    assert "no longer open for a review" in page.text
    assert 'name="rating"' not in page.text
    assert posted.status_code == 409
    assert await _reviews_of(container, treated.booking_id) == []
