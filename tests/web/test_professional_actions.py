"""The assigned professional's moves: on the way, start, complete, withdraw (and who may do which)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from masu.bootstrap import Container, build_container
from masu.clock import SettableClock
from masu.persistence.models import ProfessionalTreatment
from masu.web.app import create_app
from masu.worker.runner import Worker
from tests.conftest import settings_for
from tests.factories import ADMIN, CUSTOMER, OTHER_CUSTOMER, book, login

VISIT = "2026-12-04T12:00:00+02:00"  # Friday noon in Tel Aviv: four demo professionals are eligible
VISIT_UTC = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
PHONES = {
    "Avi Pro": "0540000001",
    "Rina Pro": "0540000010",
    "Shira Pro": "0540000011",
    "Efrat Pro": "0540000020",
}


@dataclass
class Assigned:
    """A booking confirmed to a professional, and the headers of the people around it."""

    booking: dict[str, Any]
    professional: str
    pro_headers: dict[str, str]
    customer_headers: dict[str, str]


async def _offers(container: Container, booking_id: str) -> list[tuple[int, str, str]]:
    async with container.sessions() as session:
        rows = await session.execute(
            sa.text(
                "SELECT o.wave, u.name, o.response_status FROM offers o"
                " JOIN users u ON u.id = o.professional_id WHERE o.booking_id = :b ORDER BY o.wave, u.name"
            ),
            {"b": booking_id},
        )
        return [(int(wave), str(name), str(status)) for wave, name, status in rows.all()]


async def _pro_headers(client: httpx.AsyncClient, name: str) -> dict[str, str]:
    return await login(client, (PHONES[name], "pro-demo-pass"))


async def _assign(client: httpx.AsyncClient, container: Container, professional: str = "Avi Pro") -> Assigned:
    """Book the Friday visit, offer it (one worker pass) and let `professional` accept it."""
    customer_headers = await login(client, CUSTOMER)
    await book(client, customer_headers, bookingDateTime=VISIT)
    await Worker(container, container.bus).run_once(container.clock.now())
    pro_headers = await _pro_headers(client, professional)
    offer = (await client.get("/api/v1/professional/offers", headers=pro_headers)).json()[0]
    accepted = await client.post(f"/api/v1/offers/{offer['id']}/accept", headers=pro_headers)
    assert accepted.status_code == 200, accepted.text
    return Assigned(accepted.json(), professional, pro_headers, customer_headers)


async def _post(
    client: httpx.AsyncClient, booking_id: str, move: str, headers: dict[str, str], **kwargs: Any
) -> httpx.Response:
    return await client.post(f"/api/v1/bookings/{booking_id}/{move}", headers=headers, **kwargs)


async def test_on_way_start_complete_reaches_pending_review(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    assigned = await _assign(client, container)
    booking_id = assigned.booking["id"]
    answers = []
    # Each step just in time: 3 h before, 30 min before, then half the hour after the start.
    for move, at in (
        ("on-way", VISIT_UTC - timedelta(hours=3)),
        ("start", VISIT_UTC - timedelta(minutes=30)),
        ("complete", VISIT_UTC),
    ):
        clock.set(at)
        answers.append(
            await _post(client, booking_id, move, await _pro_headers(client, assigned.professional))
        )

    assert [(a.status_code, a.json()["status"]) for a in answers] == [
        (200, "on_way"),
        (200, "in_treatment"),
        (200, "pending_review"),
    ]
    done = answers[-1].json()
    assert done["treatmentCompletedAt"] == "2026-12-04T10:00:00Z"
    assert done["professionalId"] == assigned.booking["professionalId"]
    history = [(h["status"], h["triggeredBy"], h["timestamp"]) for h in done["statusHistory"]]
    assert history == [
        ("pending_professional", "customer", "2026-12-01T08:00:00Z"),
        ("confirmed", "professional", "2026-12-01T08:00:00Z"),
        ("on_way", "professional", "2026-12-04T07:00:00Z"),
        ("in_treatment", "professional", "2026-12-04T09:30:00Z"),
        ("pending_review", "professional", "2026-12-04T10:00:00Z"),
    ]
    events = await client.get(
        "/api/v1/admin/events", params={"bookingId": booking_id}, headers=await login(client, ADMIN)
    )
    types = [e["type"] for e in events.json()]
    assert [t for t in types if t.startswith("booking.")] == [
        "booking.created",
        "booking.confirmed",
        "booking.on_way",
        "booking.treatment_started",
        "booking.treatment_completed",
    ]
    completed = next(e for e in events.json() if e["type"] == "booking.treatment_completed")
    assert (completed["payload"]["from"], completed["payload"]["to"]) == ("in_treatment", "pending_review")


@pytest.fixture
async def without_reviews(database_url: str, clock: SettableClock) -> AsyncIterator[Container]:
    container = build_container(settings_for(database_url, ENABLE_AUTOMATIC_REVIEWS=False), clock=clock)
    yield container
    await container.close()


async def test_with_reviews_off_complete_goes_straight_to_completed(
    without_reviews: Container, clock: SettableClock
) -> None:
    transport = httpx.ASGITransport(app=create_app(without_reviews))
    async with httpx.AsyncClient(transport=transport, base_url="http://masu.test") as client:
        assigned = await _assign(client, without_reviews)
        booking_id = assigned.booking["id"]
        clock.set(VISIT_UTC)
        headers = await _pro_headers(client, assigned.professional)
        for move in ("on-way", "start"):
            assert (await _post(client, booking_id, move, headers)).status_code == 200
        clock.advance(timedelta(minutes=30))
        done = await _post(client, booking_id, "complete", headers)

    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["treatmentCompletedAt"]) == (
        "completed",
        "2026-12-04T10:30:00Z",
    )


async def test_admin_completes_from_confirmed_but_customer_and_others_cannot(
    client: httpx.AsyncClient, container: Container
) -> None:
    assigned = await _assign(client, container)
    booking_id = assigned.booking["id"]

    owner = await _post(client, booking_id, "complete", assigned.customer_headers)
    stranger = await _post(client, booking_id, "complete", await login(client, OTHER_CUSTOMER))
    other_pro = await _post(client, booking_id, "complete", await _pro_headers(client, "Rina Pro"))
    other_pro_on_way = await _post(client, booking_id, "on-way", await _pro_headers(client, "Rina Pro"))
    admin_on_way = await _post(client, booking_id, "on-way", await login(client, ADMIN))
    admin_early = await _post(client, booking_id, "complete", await login(client, ADMIN))
    admin = await _post(
        client, booking_id, "complete", await login(client, ADMIN), json={"reason": "given off the app"}
    )

    assert (owner.status_code, owner.json()["code"]) == (403, "actor_not_allowed")
    assert stranger.status_code == 404
    assert other_pro.status_code == 404
    assert other_pro_on_way.status_code == 404
    assert (admin_on_way.status_code, admin_on_way.json()["code"]) == (403, "actor_not_allowed")
    # Four days early: refused without a reason, done with one, and the reason kept in the history.
    assert (admin_early.status_code, admin_early.json()["code"]) == (409, "too_early_to_complete")
    assert admin_early.headers["content-type"] == "application/problem+json"
    assert admin_early.json()["earliestAt"] == "2026-12-04T10:30:00Z"
    assert admin.status_code == 200, admin.text
    assert admin.json()["statusHistory"][-1]["reason"] == "given off the app"
    assert (admin.json()["status"], admin.json()["treatmentCompletedAt"]) == (
        "pending_review",
        "2026-12-01T08:00:00Z",
    )
    assert [(h["status"], h["triggeredBy"]) for h in admin.json()["statusHistory"][-2:]] == [
        ("confirmed", "professional"),
        ("pending_review", "admin"),
    ]


async def test_moves_out_of_order_are_illegal(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    assigned = await _assign(client, container)
    booking_id = assigned.booking["id"]
    clock.set(VISIT_UTC - timedelta(hours=1))
    assigned.pro_headers = await _pro_headers(client, assigned.professional)

    too_early_start = await _post(client, booking_id, "start", assigned.pro_headers)
    too_early_complete = await _post(client, booking_id, "complete", assigned.pro_headers)
    first_on_way = await _post(client, booking_id, "on-way", assigned.pro_headers)
    second_on_way = await _post(client, booking_id, "on-way", assigned.pro_headers)
    withdraw_on_way = await _post(
        client, booking_id, "withdraw", assigned.pro_headers, json={"reason": "car broke down"}
    )

    assert (too_early_start.status_code, too_early_start.json()["code"]) == (409, "illegal_transition")
    # Completing from confirmed exists (for admins), so for the professional it is the actor that is refused.
    assert (too_early_complete.status_code, too_early_complete.json()["code"]) == (403, "actor_not_allowed")
    assert first_on_way.status_code == 200
    assert (second_on_way.status_code, second_on_way.json()["code"]) == (409, "illegal_transition")
    assert (withdraw_on_way.status_code, withdraw_on_way.json()["code"]) == (409, "illegal_transition")
    read = await client.get(f"/api/v1/bookings/{booking_id}", headers=assigned.pro_headers)
    assert [h["status"] for h in read.json()["statusHistory"]] == [
        "pending_professional",
        "confirmed",
        "on_way",
    ]


async def _set_own_pay(container: Container, professional: str, agorot: int) -> None:
    """Give `professional` their own pay for a 60-minute Swedish massage."""
    async with container.sessions() as session:
        pro_id = (
            await session.execute(sa.text("SELECT id FROM users WHERE name = :n"), {"n": professional})
        ).scalar_one()
        treatment_id = (
            await session.execute(sa.text("SELECT id FROM treatments WHERE name = 'Swedish Massage'"))
        ).scalar_one()
        await session.execute(
            sa.update(ProfessionalTreatment)
            .where(
                ProfessionalTreatment.professional_id == pro_id,
                ProfessionalTreatment.treatment_id == treatment_id,
                ProfessionalTreatment.duration_minutes == 60,
            )
            .values(professional_pay=agorot)
        )
        await session.commit()


async def test_withdraw_returns_the_booking_to_dispatch_without_the_withdrawn_professional(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    await _set_own_pay(container, "Avi Pro", 20000)
    assigned = await _assign(client, container, "Avi Pro")
    booking_id = assigned.booking["id"]
    assert assigned.booking["priceDetails"]["totalProfessionalPayment"] == 200  # Avi's own rate

    clock.advance(timedelta(minutes=5))
    withdrawn = await _post(client, booking_id, "withdraw", assigned.pro_headers, json={"reason": "I am ill"})

    assert withdrawn.status_code == 200, withdrawn.text
    body = withdrawn.json()
    assert (body["status"], body["professionalId"], body["confirmedAt"]) == (
        "pending_professional",
        None,
        "2026-12-01T08:00:00Z",
    )
    pay = body["priceDetails"]
    assert (pay["totalProfessionalPayment"], pay["companyFee"]) == (170, 80)
    assert body["statusHistory"][-1] == {
        "status": "pending_professional",
        "timestamp": "2026-12-01T08:05:00Z",
        "triggeredBy": "professional",
        "actorId": assigned.booking["professionalId"],
        "reason": "I am ill",
    }
    assert ("Avi Pro", "declined") in {
        (name, status) for _, name, status in await _offers(container, booking_id)
    }
    gone = await client.get(f"/api/v1/bookings/{booking_id}", headers=assigned.pro_headers)
    assert gone.status_code == 404  # no longer theirs

    await Worker(container, container.bus).run_once(clock.now())
    offers = await _offers(container, booking_id)
    assert offers == [
        (1, "Avi Pro", "declined"),
        (1, "Efrat Pro", "withdrawn"),
        (1, "Rina Pro", "withdrawn"),
        (1, "Shira Pro", "withdrawn"),
        (2, "Efrat Pro", "pending"),
        (2, "Rina Pro", "pending"),
        (2, "Shira Pro", "pending"),
    ]
    assert (await client.get("/api/v1/professional/offers", headers=assigned.pro_headers)).json()[0][
        "responseStatus"
    ] == "declined"


async def test_the_next_professional_takes_a_withdrawn_booking_at_their_own_pay(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    assigned = await _assign(client, container, "Avi Pro")
    booking_id = assigned.booking["id"]
    clock.advance(timedelta(minutes=5))
    await _post(client, booking_id, "withdraw", assigned.pro_headers, json={"reason": "I am ill"})
    await Worker(container, container.bus).run_once(clock.now())

    rina = await _pro_headers(client, "Rina Pro")
    offer = (await client.get("/api/v1/professional/offers", headers=rina)).json()[0]
    taken = await client.post(f"/api/v1/offers/{offer['id']}/accept", headers=rina)

    assert taken.status_code == 200, taken.text
    assert (taken.json()["status"], taken.json()["priceDetails"]["totalProfessionalPayment"]) == (
        "confirmed",
        170,
    )
    clock.set(VISIT_UTC - timedelta(hours=3))
    on_way = await _post(client, booking_id, "on-way", await _pro_headers(client, "Rina Pro"))
    assert (on_way.status_code, on_way.json()["status"]) == (200, "on_way")


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "reason"), (None, "reason"), ({"reason": "x"}, "reason"), ({"reason": "ill", "x": 1}, "x")],
)
async def test_withdraw_needs_a_reason(
    client: httpx.AsyncClient, container: Container, body: dict[str, Any] | None, field: str
) -> None:
    assigned = await _assign(client, container)

    answer = await _post(client, assigned.booking["id"], "withdraw", assigned.pro_headers, json=body)

    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == [field]
    still = await client.get(f"/api/v1/bookings/{assigned.booking['id']}", headers=assigned.pro_headers)
    assert still.json()["status"] == "confirmed"


async def test_only_the_assigned_professional_may_withdraw(
    client: httpx.AsyncClient, container: Container
) -> None:
    assigned = await _assign(client, container)
    booking_id = assigned.booking["id"]
    reason = {"reason": "changed my mind"}

    owner = await _post(client, booking_id, "withdraw", assigned.customer_headers, json=reason)
    admin = await _post(client, booking_id, "withdraw", await login(client, ADMIN), json=reason)
    other_pro = await _post(
        client, booking_id, "withdraw", await _pro_headers(client, "Rina Pro"), json=reason
    )

    assert (owner.status_code, owner.json()["code"]) == (403, "actor_not_allowed")
    assert (admin.status_code, admin.json()["code"]) == (403, "actor_not_allowed")
    assert other_pro.status_code == 404


async def test_a_replayed_idempotency_key_moves_the_booking_once(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    assigned = await _assign(client, container)
    clock.set(VISIT_UTC - timedelta(hours=2))
    headers = {**await _pro_headers(client, assigned.professional), "Idempotency-Key": "on-way-1"}

    first = await _post(client, assigned.booking["id"], "on-way", headers)
    again = await _post(client, assigned.booking["id"], "on-way", headers)

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()
    assert again.headers.get("idempotent-replayed") is not None
    assert len(first.json()["statusHistory"]) == 3


async def test_unknown_and_malformed_ids(client: httpx.AsyncClient, container: Container) -> None:
    headers = await login(client, ADMIN)
    assert (await _post(client, "nope", "complete", headers)).status_code == 404
    malformed = await _post(client, "no%20such", "complete", headers)
    assert (malformed.status_code, malformed.json()["errors"][0]["field"]) == (422, "bookingId")


async def test_each_step_too_early_is_refused_and_just_in_time_is_taken(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    assigned = await _assign(client, container)
    booking_id = assigned.booking["id"]
    answers = []
    for move, first in (
        ("on-way", VISIT_UTC - timedelta(hours=3)),
        ("start", VISIT_UTC - timedelta(minutes=30)),
        ("complete", VISIT_UTC),  # started at 09:30 UTC, a 60-minute treatment
    ):
        clock.set(first - timedelta(minutes=1))
        headers = await _pro_headers(client, assigned.professional)
        early = await _post(client, booking_id, move, headers)
        clock.set(first)
        answers.append(
            (
                early.status_code,
                early.json()["code"],
                (await _post(client, booking_id, move, headers)).status_code,
            )
        )

    assert answers == [
        (409, "too_early_on_way", 200),
        (409, "too_early_to_start", 200),
        (409, "too_early_to_complete", 200),
    ]


async def test_a_professional_cannot_override_the_timing(
    client: httpx.AsyncClient, container: Container, clock: SettableClock
) -> None:
    assigned = await _assign(client, container)
    clock.set(VISIT_UTC - timedelta(minutes=30))
    headers = await _pro_headers(client, assigned.professional)
    for move in ("on-way", "start"):
        assert (await _post(client, assigned.booking["id"], move, headers)).status_code == 200

    refused = await _post(client, assigned.booking["id"], "complete", headers, json={"reason": "done early"})

    assert (refused.status_code, refused.json()["code"]) == (403, "override_not_allowed")
