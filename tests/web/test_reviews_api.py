"""Reviews over the API: the owner's one review, the professional's one reply, admins hiding, the standing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from masu.bootstrap import Container
from masu.clock import SettableClock
from masu.worker.runner import Worker
from tests.factories import ADMIN, CUSTOMER, OTHER_CUSTOMER, book, login, professional
from tests.review_helpers import VISIT, booking_row, event_types, rating_of, treat


async def _review(
    client: httpx.AsyncClient, booking_id: str, headers: dict[str, str], body: Any
) -> httpx.Response:
    return await client.post(f"/api/v1/bookings/{booking_id}/review", json=body, headers=headers)


async def test_the_owner_reviews_once_and_the_booking_completes(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    treated = await treat(client, container, clock)

    created = await _review(
        client, treated.booking_id, treated.customer, {"rating": 4, "comment": "  Great  "}
    )
    again = await _review(client, treated.booking_id, treated.customer, {"rating": 5})
    booking = await client.get(f"/api/v1/bookings/{treated.booking_id}", headers=treated.customer)
    events = await client.get(
        "/api/v1/admin/events", params={"bookingId": treated.booking_id}, headers=await login(client, ADMIN)
    )

    assert created.status_code == 201, created.text
    body = created.json()
    assert set(body) == {"id", "rating", "comment", "createdAt"}
    assert (body["rating"], body["comment"], body["createdAt"]) == (4, "Great", "2026-12-04T11:00:00Z")
    assert again.status_code == 409
    assert again.json()["code"] == "already_reviewed"
    assert booking.json()["status"] == "completed"
    assert booking.json()["statusHistory"][-1]["triggeredBy"] == "customer"
    reviewed = next(e for e in events.json() if e["type"] == "booking.reviewed")
    assert reviewed["payload"]["professionalId"] == treated.professional_id


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": 4.5}, "rating"),
        ({"rating": "5"}, "rating"),
        ({"rating": True}, "rating"),
        ({}, "rating"),
        ({"rating": 5, "comment": "x" * 1001}, "comment"),
        ({"rating": 5, "stars": 5}, "stars"),
    ],
)
async def test_bad_reviews_are_422_naming_the_field(
    client: httpx.AsyncClient, container: Container, clock: SettableClock, body: dict[str, Any], field: str
) -> None:
    treated = await treat(client, container, clock)

    refused = await _review(client, treated.booking_id, treated.customer, body)

    assert refused.status_code == 422, refused.text
    assert field in [e["field"] for e in refused.json()["errors"]]
    assert (await booking_row(container, treated.booking_id)).status == "pending_review"


async def test_a_thousand_character_comment_is_accepted(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    treated = await treat(client, container, clock)

    created = await _review(
        client, treated.booking_id, treated.customer, {"rating": 1, "comment": "x" * 1000}
    )

    assert created.status_code == 201, created.text
    assert len(created.json()["comment"]) == 1000


async def test_only_the_owner_reviews_and_only_while_pending_review(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    treated = await treat(client, container, clock)
    confirmed = await book(client, treated.customer, bookingDateTime="2026-12-05T12:00:00+02:00")

    stranger = await _review(client, treated.booking_id, await login(client, OTHER_CUSTOMER), {"rating": 5})
    pro = await _review(client, treated.booking_id, treated.professional, {"rating": 5})
    admin = await _review(client, treated.booking_id, await login(client, ADMIN), {"rating": 5})
    too_early = await _review(client, confirmed["id"], treated.customer, {"rating": 5})
    missing = await _review(client, "no-such-booking", treated.customer, {"rating": 5})

    assert stranger.status_code == 404
    assert (pro.status_code, admin.status_code) == (403, 403)
    assert too_early.status_code == 409
    assert missing.status_code == 404
    assert (await booking_row(container, treated.booking_id)).status == "pending_review"


async def test_a_repeated_idempotency_key_replays_the_first_answer(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    treated = await treat(client, container, clock)
    headers = {**treated.customer, "Idempotency-Key": "review-1"}

    first = await _review(client, treated.booking_id, headers, {"rating": 5})
    replay = await _review(client, treated.booking_id, headers, {"rating": 5})

    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.json() == first.json()


async def test_the_professional_replies_once_and_the_reply_is_public(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    treated = await treat(client, container, clock)
    review = (
        await _review(client, treated.booking_id, treated.customer, {"rating": 5, "comment": "Wow"})
    ).json()
    path = f"/api/v1/reviews/{review['id']}/reply"

    empty = await client.post(path, json={"reply": "   "}, headers=treated.professional)
    by_customer = await client.post(path, json={"reply": "Me too"}, headers=treated.customer)
    by_other_pro = await client.post(
        path, json={"reply": "Hi"}, headers=await login(client, professional("Rina Pro"))
    )
    replied = await client.post(path, json={"reply": "Thank you, Dana!"}, headers=treated.professional)
    twice = await client.post(path, json={"reply": "Again"}, headers=treated.professional)
    public = await client.get(f"/api/v1/professionals/{treated.professional_id}/reviews")

    assert empty.status_code == 422
    assert (by_customer.status_code, by_other_pro.status_code) == (404, 404)
    assert replied.status_code == 200, replied.text
    assert (replied.json()["professionalReply"], replied.json()["repliedAt"]) == (
        "Thank you, Dana!",
        "2026-12-04T11:00:00Z",
    )
    assert twice.status_code == 409
    assert twice.json()["code"] == "already_replied"
    assert public.status_code == 200
    assert [(r["id"], r["rating"], r["comment"], r["professionalReply"]) for r in public.json()["items"]] == [
        (review["id"], 5, "Wow", "Thank you, Dana!")
    ]
    assert "review.replied" in await event_types(container, treated.booking_id)


async def test_public_reviews_of_someone_who_is_not_a_professional_are_404(
    client: httpx.AsyncClient, container: Container
) -> None:
    me = (await client.get("/api/v1/me", headers=await login(client, CUSTOMER))).json()

    assert (await client.get(f"/api/v1/professionals/{me['id']}/reviews")).status_code == 404
    assert (await client.get("/api/v1/professionals/nobody/reviews")).status_code == 404
    assert (await client.get("/api/v1/professionals/nobody/reviews?limit=0")).status_code == 422


async def test_a_review_moves_the_stored_rating_and_hiding_takes_it_out(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    worker = Worker(container, container.bus)
    avi_first = await treat(client, container, clock, pro="Avi Pro")
    rina = await treat(client, container, clock, pro="Rina Pro", visit=VISIT.replace("12:00", "15:00"))
    avi_second = await treat(client, container, clock, pro="Avi Pro", visit=VISIT.replace("12:00", "18:00"))
    avi = avi_first.professional_id
    await worker.run_once(clock.now())
    before = await rating_of(container, avi)

    await _review(client, avi_first.booking_id, avi_first.customer, {"rating": 5})
    low = (await _review(client, avi_second.booking_id, avi_second.customer, {"rating": 2})).json()
    await _review(client, rina.booking_id, rina.customer, {"rating": 4})
    not_yet = await rating_of(container, avi)
    await worker.run_once(clock.now())
    rated = (await rating_of(container, avi), await rating_of(container, rina.professional_id))

    admin = await login(client, ADMIN)
    by_customer = await client.post(f"/api/v1/admin/reviews/{low['id']}/hide", headers=avi_first.customer)
    hidden = await client.post(f"/api/v1/admin/reviews/{low['id']}/hide", headers=admin)
    hidden_again = await client.post(f"/api/v1/admin/reviews/{low['id']}/hide", headers=admin)
    await worker.run_once(clock.now())
    while_hidden = await rating_of(container, avi)
    public = await client.get(f"/api/v1/professionals/{avi}/reviews")
    listed = await client.get("/api/v1/admin/reviews", params={"hidden": "true"}, headers=admin)
    shown = await client.post(f"/api/v1/admin/reviews/{low['id']}/unhide", headers=admin)
    await worker.run_once(clock.now())

    assert before == (None, 0)
    assert not_yet == (None, 0)  # the standing moves when the worker handles booking.reviewed
    assert rated == ((3.5, 2), (4.0, 1))
    assert by_customer.status_code == 403
    assert (hidden.status_code, hidden.json()["isHidden"]) == (200, True)
    assert hidden.json()["bookingId"] == avi_second.booking_id
    assert hidden_again.status_code == 200
    assert while_hidden == (5.0, 1)
    assert [r["rating"] for r in public.json()["items"]] == [5]
    assert [r["id"] for r in listed.json()["items"]] == [low["id"]]
    assert (shown.status_code, shown.json()["isHidden"]) == (200, False)
    assert await rating_of(container, avi) == (3.5, 2)
    events = await event_types(container, avi_second.booking_id)
    assert (events.count("review.hidden"), events.count("review.unhidden")) == (
        1,
        1,
    )  # a no-op hide is silent
    assert (await client.post("/api/v1/admin/reviews/nope/hide", headers=admin)).status_code == 404


async def test_public_reviews_come_in_pages_newest_first(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    earlier = await treat(client, container, clock, pro="Avi Pro")
    later = await treat(client, container, clock, pro="Avi Pro", visit=VISIT.replace("12:00", "18:00"))
    for treated, rating in ((earlier, 3), (later, 5)):
        clock.advance(timedelta(minutes=5))
        await _review(client, treated.booking_id, treated.customer, {"rating": rating})
    path = f"/api/v1/professionals/{earlier.professional_id}/reviews"

    first = (await client.get(path, params={"limit": 1})).json()
    second = (await client.get(path, params={"limit": 1, "cursor": first["nextCursor"]})).json()
    bad = await client.get(path, params={"cursor": "not-a-cursor"})

    assert [r["rating"] for r in first["items"]] == [5]
    assert first["nextCursor"]
    assert ([r["rating"] for r in second["items"]], second["nextCursor"]) == ([3], None)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "cursor"
