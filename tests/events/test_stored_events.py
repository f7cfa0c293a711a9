"""Outbox rows as stored: each event type's payload, as the code before typed events wrote it, is read into
its event class, and every handler runs on it.

The payloads below are JSON literals, not built by the event classes: they are what the outbox holds (the
shape each emitter wrote, with camelCase keys), including rows of an older shape and rows with keys no class
knows. They are written through the outbox table itself, bypassing `append_event`.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from masu.bootstrap import Container, event_dispatcher
from masu.domain.events import (
    EVENT_CLASSES,
    BookingBonusAdded,
    BookingCancelled,
    BookingConfirmed,
    BookingCreated,
    BookingDispatchExhausted,
    BookingOnWay,
    BookingPaid,
    BookingPaymentFailed,
    BookingRefunded,
    BookingReviewed,
    BookingReviewWindowClosed,
    BookingTreatmentCompleted,
    BookingTreatmentStarted,
    BookingUnassigned,
    BookingWithdrawn,
    DomainEvent,
    EventType,
    OfferAccepted,
    OfferCreated,
    OfferDeclined,
    OfferExpired,
    OfferWithdrawn,
    PaymentRefunded,
    PaymentRefundFailed,
    PaymentRefundRequested,
    ReviewHidden,
    ReviewReplied,
    ReviewRequested,
    ReviewUnhidden,
)
from masu.domain.lifecycle import Action, Actor, BookingStatus
from masu.domain.reviews import ReviewStep
from masu.events.bus import Event, event_of
from masu.persistence.models import OutboxDelivery, OutboxEvent
from tests.conftest import NOW
from tests.factories import CUSTOMER, book, login, professional

# Placeholders, filled with the ids of the test's booking and people before the rows are written.
BOOKING, NUMBER, CUSTOMER_ID, PRO, OTHER_PRO, ADMIN_ID = "@b@", "@n@", "@c@", "@p@", "@q@", "@a@"
EXPIRES = "2026-12-01T10:15:00+00:00"
SEND_BEFORE = "2026-12-05T10:00:00+00:00"


@dataclass(frozen=True)
class Stored:
    """A row's type and payload as stored, what its class reads from it, and whether it is today's shape."""

    id: str
    event_type: str
    payload: str  # JSON with placeholders
    expected: DomainEvent
    current: bool = True  # written exactly so by the code today (False: an older shape, or foreign keys)


def _move(kind: type[Any], action: Action, moves: tuple[str | None, str], actor: Actor, **more: Any) -> Any:
    return kind(
        booking_id=BOOKING,
        booking_number=NUMBER,
        action=action,
        from_status=BookingStatus(moves[0]) if moves[0] else None,
        to_status=BookingStatus(moves[1]),
        triggered_by=actor,
        **more,
    )


def _moved(action: str, moves: tuple[str | None, str], actor: str, **more: str | None) -> str:
    """The payload `apply_decision` writes for a lifecycle move."""
    values = {"professionalId": None, "previousProfessionalId": None, "actorId": None, "reason": None, **more}
    return json.dumps(
        {
            "bookingId": BOOKING,
            "bookingNumber": NUMBER,
            "professionalId": values["professionalId"],
            "previousProfessionalId": values["previousProfessionalId"],
            "action": action,
            "from": moves[0],
            "to": moves[1],
            "triggeredBy": actor,
            "actorId": values["actorId"],
            "reason": values["reason"],
        }
    )


_OFFER = f'{{"offerId": "offer-1", "bookingId": "{BOOKING}", "professionalId": "{PRO}", "wave": 1'
_OFFERED = {"offer_id": "offer-1", "booking_id": BOOKING, "professional_id": PRO, "wave": 1}
_REVIEW = (
    f'{{"reviewId": "review-1", "bookingId": "{BOOKING}", "professionalId": "{PRO}",'
    f' "actorId": "{ADMIN_ID}"}}'
)
_REVIEWED = {"review_id": "review-1", "booking_id": BOOKING, "professional_id": PRO, "actor_id": ADMIN_ID}
_REFUND = (
    f'{{"paymentId": "payment-1", "bookingId": "{BOOKING}", "bookingNumber": "{NUMBER}",'
    ' "refundAmount": 25000, "reason": "cancelled"'
)
_REFUNDED = {
    "payment_id": "payment-1",
    "booking_id": BOOKING,
    "booking_number": NUMBER,
    "refund_amount": 25000,
    "reason": "cancelled",
}
PENDING, CONFIRMED, CANCELLED = "pending_professional", "confirmed", "cancelled"

STORED = [
    Stored(
        "booking.created",
        "booking.created",
        _moved("create", (None, PENDING), "customer", actorId=CUSTOMER_ID),
        _move(BookingCreated, Action.CREATE, (None, PENDING), Actor.CUSTOMER, actor_id=CUSTOMER_ID),
    ),
    Stored(
        "booking.created-first-shape",  # before the professional's ids were added to every move
        "booking.created",
        f'{{"bookingId": "{BOOKING}", "bookingNumber": "{NUMBER}", "action": "create", "from": null,'
        f' "to": "pending_payment", "triggeredBy": "customer", "actorId": "{CUSTOMER_ID}", "reason": null}}',
        _move(BookingCreated, Action.CREATE, (None, "pending_payment"), Actor.CUSTOMER, actor_id=CUSTOMER_ID),
        current=False,
    ),
    Stored(
        "booking.paid",
        "booking.paid",
        _moved("payment_succeeded", ("pending_payment", PENDING), "system"),
        _move(BookingPaid, Action.PAYMENT_SUCCEEDED, ("pending_payment", PENDING), Actor.SYSTEM),
    ),
    Stored(
        "booking.payment_failed",
        "booking.payment_failed",
        _moved("payment_failed", ("pending_payment", CANCELLED), "system"),
        _move(BookingPaymentFailed, Action.PAYMENT_FAILED, ("pending_payment", CANCELLED), Actor.SYSTEM),
    ),
    Stored(
        "booking.confirmed-accept",
        "booking.confirmed",
        _moved("accept_offer", (PENDING, CONFIRMED), "professional", professionalId=PRO, actorId=PRO),
        _move(
            BookingConfirmed,
            Action.ACCEPT_OFFER,
            (PENDING, CONFIRMED),
            Actor.PROFESSIONAL,
            professional_id=PRO,
            actor_id=PRO,
        ),
    ),
    Stored(
        "booking.confirmed-assign",
        "booking.confirmed",
        _moved(
            "assign",
            (PENDING, CONFIRMED),
            "admin",
            professionalId=PRO,
            actorId=ADMIN_ID,
            reason="forced despite: busy",
        ),
        _move(
            BookingConfirmed,
            Action.ASSIGN,
            (PENDING, CONFIRMED),
            Actor.ADMIN,
            professional_id=PRO,
            actor_id=ADMIN_ID,
            reason="forced despite: busy",
        ),
    ),
    Stored(
        "booking.unassigned",
        "booking.unassigned",
        _moved("unassign", (CONFIRMED, PENDING), "admin", previousProfessionalId=PRO, actorId=ADMIN_ID),
        _move(
            BookingUnassigned,
            Action.UNASSIGN,
            (CONFIRMED, PENDING),
            Actor.ADMIN,
            previous_professional_id=PRO,
            actor_id=ADMIN_ID,
        ),
    ),
    Stored(
        "booking.withdrawn",
        "booking.withdrawn",
        _moved(
            "withdraw",
            (CONFIRMED, PENDING),
            "professional",
            previousProfessionalId=OTHER_PRO,
            actorId=OTHER_PRO,
        ),
        _move(
            BookingWithdrawn,
            Action.WITHDRAW,
            (CONFIRMED, PENDING),
            Actor.PROFESSIONAL,
            previous_professional_id=OTHER_PRO,
            actor_id=OTHER_PRO,
        ),
    ),
    Stored(
        "booking.on_way",
        "booking.on_way",
        _moved("depart", (CONFIRMED, "on_way"), "professional", professionalId=PRO, actorId=PRO),
        _move(
            BookingOnWay,
            Action.DEPART,
            (CONFIRMED, "on_way"),
            Actor.PROFESSIONAL,
            professional_id=PRO,
            actor_id=PRO,
        ),
    ),
    Stored(
        "booking.treatment_started",
        "booking.treatment_started",
        _moved("start", ("on_way", "in_treatment"), "professional", professionalId=PRO, actorId=PRO),
        _move(
            BookingTreatmentStarted,
            Action.START,
            ("on_way", "in_treatment"),
            Actor.PROFESSIONAL,
            professional_id=PRO,
            actor_id=PRO,
        ),
    ),
    Stored(
        "booking.treatment_completed",
        "booking.treatment_completed",
        _moved(
            "complete", ("in_treatment", "pending_review"), "professional", professionalId=PRO, actorId=PRO
        ),
        _move(
            BookingTreatmentCompleted,
            Action.COMPLETE,
            ("in_treatment", "pending_review"),
            Actor.PROFESSIONAL,
            professional_id=PRO,
            actor_id=PRO,
        ),
    ),
    Stored(
        "booking.reviewed",
        "booking.reviewed",
        _moved(
            "review", ("pending_review", "completed"), "customer", professionalId=PRO, actorId=CUSTOMER_ID
        ),
        _move(
            BookingReviewed,
            Action.REVIEW,
            ("pending_review", "completed"),
            Actor.CUSTOMER,
            professional_id=PRO,
            actor_id=CUSTOMER_ID,
        ),
    ),
    Stored(
        "booking.review_window_closed",
        "booking.review_window_closed",
        _moved(
            "close_review_window",
            ("pending_review", "completed"),
            "system",
            professionalId=PRO,
            reason="review_window_closed",
        ),
        _move(
            BookingReviewWindowClosed,
            Action.CLOSE_REVIEW_WINDOW,
            ("pending_review", "completed"),
            Actor.SYSTEM,
            professional_id=PRO,
            reason="review_window_closed",
        ),
    ),
    Stored(
        "booking.cancelled",
        "booking.cancelled",
        _moved("cancel", (PENDING, CANCELLED), "system", reason="no_professional"),
        _move(BookingCancelled, Action.CANCEL, (PENDING, CANCELLED), Actor.SYSTEM, reason="no_professional"),
    ),
    Stored(
        "booking.refunded",
        "booking.refunded",
        _moved("refund", (CANCELLED, "refunded"), "system", reason="refund"),
        _move(BookingRefunded, Action.REFUND, (CANCELLED, "refunded"), Actor.SYSTEM, reason="refund"),
    ),
    Stored(
        "booking.dispatch_exhausted",
        "booking.dispatch_exhausted",
        f'{{"bookingId": "{BOOKING}", "bookingNumber": "{NUMBER}"}}',
        BookingDispatchExhausted(booking_id=BOOKING, booking_number=NUMBER),
    ),
    Stored(
        "booking.bonus_added",
        "booking.bonus_added",
        f'{{"bookingId": "{BOOKING}", "amount": 5000, "adminId": "{ADMIN_ID}"}}',
        BookingBonusAdded(booking_id=BOOKING, amount=5000, admin_id=ADMIN_ID),
    ),
    Stored(
        "offer.created",
        "offer.created",
        _OFFER + f', "expiresAt": "{EXPIRES}"}}',
        OfferCreated(**_OFFERED, expires_at=datetime(2026, 12, 1, 10, 15, tzinfo=UTC)),
    ),
    Stored(
        "offer.created-unknown-key",  # a key no class reads is ignored
        "offer.created",
        _OFFER + f', "expiresAt": "{EXPIRES}", "channel": "sms"}}',
        OfferCreated(**_OFFERED, expires_at=datetime(2026, 12, 1, 10, 15, tzinfo=UTC)),
        current=False,
    ),
    Stored("offer.accepted", "offer.accepted", _OFFER + "}", OfferAccepted(**_OFFERED)),
    Stored("offer.declined", "offer.declined", _OFFER + "}", OfferDeclined(**_OFFERED)),
    Stored("offer.expired", "offer.expired", _OFFER + "}", OfferExpired(**_OFFERED)),
    Stored("offer.withdrawn", "offer.withdrawn", _OFFER + "}", OfferWithdrawn(**_OFFERED)),
    Stored(
        "payment.refund_requested",
        "payment.refund_requested",
        f'{{"paymentId": "payment-1", "bookingId": "{BOOKING}", "gateway": "sandbox", "reference": "sbx_1",'
        ' "refundAmount": 25000, "currency": "ILS", "reason": "late_payment"}',
        PaymentRefundRequested(
            payment_id="payment-1",
            booking_id=BOOKING,
            gateway="sandbox",
            reference="sbx_1",
            refund_amount=25000,
            currency="ILS",
            reason="late_payment",
        ),
    ),
    Stored(
        "payment.refund_requested-no-reference",  # a payment the gateway never gave a reference
        "payment.refund_requested",
        f'{{"paymentId": "payment-2", "bookingId": "{BOOKING}", "gateway": "sandbox", "reference": null,'
        ' "refundAmount": 100, "currency": "ILS", "reason": "cancelled"}',
        PaymentRefundRequested(
            payment_id="payment-2",
            booking_id=BOOKING,
            gateway="sandbox",
            reference=None,
            refund_amount=100,
            currency="ILS",
            reason="cancelled",
        ),
    ),
    Stored(
        "payment.refunded",
        "payment.refunded",
        _REFUND + ', "refundReference": "sbx_r1"}',
        PaymentRefunded(**_REFUNDED, refund_reference="sbx_r1"),
    ),
    Stored(
        "payment.refund_failed",
        "payment.refund_failed",
        _REFUND + ', "error": "the payment\'s gateway is not the one configured"}',
        PaymentRefundFailed(**_REFUNDED, error="the payment's gateway is not the one configured"),
    ),
    Stored(
        "review.requested",
        "review.requested",
        f'{{"bookingId": "{BOOKING}", "step": "first_reminder", "sendBefore": "{SEND_BEFORE}"}}',
        ReviewRequested(
            booking_id=BOOKING,
            step=ReviewStep.FIRST_REMINDER,
            send_before=datetime(2026, 12, 5, 10, tzinfo=UTC),
        ),
    ),
    Stored(
        "review.requested-resent",
        "review.requested",
        f'{{"bookingId": "{BOOKING}", "step": "request", "sendBefore": "{SEND_BEFORE}",'
        f' "resentBy": "{ADMIN_ID}"}}',
        ReviewRequested(
            booking_id=BOOKING,
            step=ReviewStep.REQUEST,
            send_before=datetime(2026, 12, 5, 10, tzinfo=UTC),
            resent_by=ADMIN_ID,
        ),
    ),
    Stored(
        "review.requested-bare",  # without a deadline, and without a step: the first request
        "review.requested",
        f'{{"bookingId": "{BOOKING}"}}',
        ReviewRequested(booking_id=BOOKING, step=ReviewStep.REQUEST),
        current=False,
    ),
    Stored("review.replied", "review.replied", _REVIEW, ReviewReplied(**_REVIEWED)),
    Stored("review.hidden", "review.hidden", _REVIEW, ReviewHidden(**_REVIEWED)),
    Stored("review.unhidden", "review.unhidden", _REVIEW, ReviewUnhidden(**_REVIEWED)),
]


def test_the_rows_cover_every_event_type_in_the_shape_written_today() -> None:
    assert {s.event_type for s in STORED if s.current} == set(EventType)
    assert all(type(s.expected) is EVENT_CLASSES[EventType(s.event_type)] for s in STORED)


async def _insert(container: Container, stored: list[Stored], ids: dict[str, str]) -> dict[int, Stored]:
    """Write the rows through the outbox table as the services did, bypassing the event classes."""
    rows = {}
    async with container.sessions() as session:
        for s in stored:
            result = await session.execute(
                sa.insert(OutboxEvent.__table__)
                .values(
                    event_type=s.event_type,
                    booking_id=ids[BOOKING],
                    payload=json.loads(_fill(s.payload, ids)),
                    occurred_at=NOW,
                    status="pending",
                    attempts=0,
                    next_attempt_at=NOW,
                )
                .returning(OutboxEvent.id)
            )
            rows[result.scalar_one()] = s
        await session.commit()
    return rows


def _fill(text: str, ids: dict[str, str]) -> str:
    for placeholder, value in ids.items():
        text = text.replace(placeholder, value)
    return text


PLACEHOLDERS = {
    BOOKING: "booking-1",
    NUMBER: "MS-20261201-0001",
    CUSTOMER_ID: "user-c",
    PRO: "user-p",
    OTHER_PRO: "user-q",
    ADMIN_ID: "user-a",
}


@pytest.mark.parametrize("stored", STORED, ids=[s.id for s in STORED])
async def test_a_stored_row_is_read_into_its_event_class(container: Container, stored: Stored) -> None:
    [(row_id, _)] = (await _insert(container, [stored], PLACEHOLDERS)).items()
    async with container.sessions() as session:
        row = await session.get(OutboxEvent, row_id)
        assert row is not None
        event = event_of(row)

    expected = _with_ids(stored.expected, PLACEHOLDERS)
    assert (event.id, event.booking_id, event.occurred_at, event.type) == (
        row_id,
        "booking-1",
        NOW,
        stored.event_type,
    )
    assert event.payload == expected
    if stored.current:  # written back, the payload is the stored one key for key
        assert event.payload.to_payload() == row.payload


def _with_ids(event: DomainEvent, ids: dict[str, str]) -> DomainEvent:
    """The expected event with the placeholders of its string fields filled in."""
    strings = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}  # type: ignore[arg-type]
    filled = {name: _fill(value, ids) for name, value in strings.items() if type(value) is str}
    return dataclasses.replace(event, **filled)  # type: ignore[type-var]


async def test_every_handler_runs_on_the_rows_as_stored(
    container: Container, client: httpx.AsyncClient
) -> None:
    customer = await login(client, CUSTOMER)
    booking = await book(client, customer)
    ids = {
        BOOKING: booking["id"],
        NUMBER: booking["bookingNumber"],
        CUSTOMER_ID: await _user_id(client, customer),
        PRO: await _user_id(client, await login(client, professional("Avi Pro"))),
        OTHER_PRO: await _user_id(client, await login(client, professional("Rina Pro"))),
        ADMIN_ID: "admin-1",
    }
    received: dict[int, Event[DomainEvent]] = {}

    async def record(session: AsyncSession, event: Event[DomainEvent]) -> None:
        received[event.id] = event

    for event_type in EventType:
        container.bus.subscribe(event_type, "test.record", record)
    async with container.sessions() as session:  # the booking's own events are not the subject here
        await session.execute(sa.update(OutboxEvent).values(status="done"))
        await session.commit()
    rows = await _insert(container, STORED, ids)

    dispatcher = event_dispatcher(container, container.bus)
    while (await dispatcher.dispatch_due(container.clock.now())).events:
        pass

    async with container.sessions() as session:
        events = (await session.execute(sa.select(OutboxEvent).where(OutboxEvent.id.in_(rows)))).scalars()
        assert {e.id: (e.status, e.last_error) for e in events} == dict.fromkeys(rows, ("done", None))
        deliveries = (
            await session.execute(sa.select(OutboxDelivery).where(OutboxDelivery.event_id.in_(rows)))
        ).scalars()
        done = {(d.event_id, d.handler) for d in deliveries if d.status == "done"}
    for row_id, stored in rows.items():
        assert set(container.bus.handlers_for(stored.event_type)) == {h for e, h in done if e == row_id}
        assert received[row_id].payload == _with_ids(stored.expected, ids)
        assert received[row_id].booking_id == booking["id"]


async def _user_id(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    return str((await client.get("/api/v1/me", headers=headers)).json()["id"])
