"""Events → queued messages: who gets which message, on which channel, in which language, and when it is due.

Real flows go through the API and the event dispatcher; events of parts driven from outside (payments, the
review cycle) are appended to the outbox as those parts append them. Due times are read before any delivery
pass could touch the rows: the dispatcher runs here without the worker's timers, except where time must pass.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from masu.bootstrap import Container, event_dispatcher
from masu.clock import SettableClock
from masu.domain.dispatch import offer_token
from masu.domain.events import (
    BookingCancelled,
    BookingPaid,
    BookingPaymentFailed,
    BookingRefunded,
    BookingStatusChanged,
    DomainEvent,
    PaymentRefunded,
    ReviewRequested,
)
from masu.domain.lifecycle import Action, Actor, BookingStatus
from masu.domain.reviews import ReviewStep, booking_id_from_review_token
from masu.events.bus import event_of
from masu.events.outbox import append_event
from masu.persistence.models import Notification, OutboxEvent, User
from masu.services.notification.messages import Message, NotificationPolicy, schedule
from masu.worker.runner import Worker
from tests.conftest import NOW
from tests.factories import ADMIN, CUSTOMER, VISIT_STEPS, book, login, professional, sign_up, step_time

VISIT = "2026-12-04T12:00:00+02:00"  # Friday noon in Tel Aviv: Avi, Rina, Shira and Efrat are eligible
VISIT_UTC = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
TEL_AVIV = ("Avi Pro", "Rina Pro", "Shira Pro", "Efrat Pro")
TREATED = ("Dana Levi", "+972521234567")
CITY = {"he": "תל אביב", "en": "Tel Aviv", "ru": "Tel Aviv"}
# The customer of each language: demo Noa (Hebrew, no email), or one who registers with an email or without.
CUSTOMERS = {
    "he": None,
    "en": {"name": "Emma Brown", "phone": "0529000001", "email": "emma@example.com"},
    "ru": {"name": "Olga Ivanova", "phone": "0529000002", "email": None},
}


async def settle(container: Container) -> None:
    """Run every handler of every event appended so far, and of the events those append, as of now."""
    dispatcher = event_dispatcher(container, container.bus)
    while (await dispatcher.dispatch_due(container.clock.now())).events:
        pass


async def messages(container: Container, **where: Any) -> list[Notification]:
    """Queued messages, oldest first, optionally filtered by column values."""
    async with container.sessions() as session:
        query = sa.select(Notification).order_by(Notification.created_at, Notification.id)
        for column, value in where.items():
            query = query.where(getattr(Notification, column) == value)
        return list((await session.execute(query)).scalars())


async def emit(container: Container, event: DomainEvent) -> int:
    """Append an event as the part that owns it would, and return its id."""
    async with container.sessions() as session:
        row = append_event(session, event, now=container.clock.now())
        await session.commit()
        return row.id


def system_move(
    kind: type[BookingStatusChanged],
    booking: dict[str, Any],
    action: Action,
    moves: tuple[BookingStatus, BookingStatus],
    reason: str | None = None,
) -> BookingStatusChanged:
    """A move of the booking by the system, as the lifecycle announces it."""
    return kind(
        booking_id=booking["id"],
        booking_number=booking["bookingNumber"],
        action=action,
        from_status=moves[0],
        to_status=moves[1],
        triggered_by=Actor.SYSTEM,
        reason=reason,
    )


def refunded(booking: dict[str, Any], amount: int) -> PaymentRefunded:
    """The gateway's refund of `amount` agorot, as the refund handler announces it."""
    return PaymentRefunded(
        payment_id="payment-1",
        booking_id=booking["id"],
        booking_number=booking["bookingNumber"],
        refund_amount=amount,
        reason="cancelled",
        refund_reference="refund-1",
    )


async def users_by_phone(container: Container) -> dict[str, User]:
    async with container.sessions() as session:
        return {user.phone: user for user in (await session.execute(sa.select(User))).scalars()}


async def set_languages(container: Container, names: tuple[str, ...], language: str) -> None:
    async with container.sessions() as session:
        await session.execute(sa.update(User).where(User.name.in_(names)).values(language=language))
        await session.commit()


class Flow:
    """One customer's booking driven through the API, with a name for every address a message went to."""

    def __init__(self, client: httpx.AsyncClient, container: Container) -> None:
        self.client, self.container = client, container
        self.seen: set[str] = set()
        self.names: dict[str, str] = {TREATED[1]: "recipient"}

    async def customer(self, language: str) -> dict[str, str]:
        registration = CUSTOMERS[language]
        if registration is None:
            self.names["+972520000001"] = "customer"
            return await login(self.client, CUSTOMER)
        body = {**registration, "password": "customer-pass", "language": language}
        user, headers = await sign_up(self.client, self.container, **body)
        self.names[user["phone"]] = "customer"
        if registration["email"]:
            self.names[str(registration["email"])] = "customer"
        assert await self.new() == Counter({("phone-code", "customer", "sms", language): 1})
        return headers

    async def new(self) -> Counter[tuple[str, str, str, str]]:
        """(template, who, channel, language) of the messages queued since the last look."""
        for phone, user in (await users_by_phone(self.container)).items():
            self.names.setdefault(phone, "admin" if user.name == "Admin" else user.name)
        fresh = [row for row in await messages(self.container) if row.id not in self.seen]
        self.seen.update(row.id for row in fresh)
        self.rows = fresh
        return Counter((r.template, self.names[r.recipient], r.channel, r.language) for r in fresh)

    def body(self, template: str, who: str) -> Notification:
        return next(r for r in self.rows if r.template == template and self.names[r.recipient] == who)


@pytest.fixture
def flow(client: httpx.AsyncClient, container: Container) -> Flow:
    return Flow(client, container)


def each(template: str, whom: list[str], language: str, channels: dict[str, list[str]]) -> Counter[Any]:
    """The messages `template` to each of `whom` on their channels (SMS unless `channels` says more)."""
    return Counter((template, who, ch, language) for who in whom for ch in channels.get(who, ["sms"]))


@pytest.mark.parametrize(
    ("language", "for_someone_else"), [("he", True), ("en", False), ("ru", True)], ids=["he", "en", "ru"]
)
async def test_a_booking_through_its_life_tells_everyone_concerned_in_their_language(
    flow: Flow,
    container: Container,
    client: httpx.AsyncClient,
    clock: SettableClock,
    language: str,
    for_someone_else: bool,
) -> None:
    await set_languages(container, TEL_AVIV, language)
    customer = await flow.customer(language)
    me = (await client.get("/api/v1/me", headers=customer)).json()
    treated = TREATED if for_someone_else else (me["name"], me["phone"])
    booking = await book(
        client, customer, bookingDateTime=VISIT, recipientName=treated[0], recipientPhone=treated[1]
    )
    channels = {"customer": ["sms", "email"] if me["email"] else ["sms"]}
    people = ["customer", "recipient"] if for_someone_else else ["customer"]

    await settle(container)
    assert await flow.new() == each("booking-received", people, language, channels) + each(
        "professional-offer", list(TEL_AVIV), language, channels
    )
    for name in TEL_AVIV:
        offer = (
            await client.get("/api/v1/professional/offers", headers=await login(client, professional(name)))
        ).json()[0]
        sms = flow.body("professional-offer", name)
        token = offer_token(offer["id"], container.settings.SECRET_KEY)
        assert f"{container.settings.PUBLIC_BASE_URL}/o/{token}" in sms.body
        assert CITY[language] in sms.body
        assert "170" in sms.body
        assert "Herzl" not in sms.body
        assert (sms.urgent, sms.send_before, sms.next_attempt_at) == (True, NOW + timedelta(minutes=15), NOW)

    winner, *others = TEL_AVIV
    winner_headers = await login(client, professional(winner))
    offer = (await client.get("/api/v1/professional/offers", headers=winner_headers)).json()[0]
    assert (
        await client.post(f"/api/v1/offers/{offer['id']}/accept", headers=winner_headers)
    ).status_code == 200
    await settle(container)
    assert await flow.new() == (
        each("booking-confirmed", [*people, winner], language, channels)
        + each("booking-taken", others, language, channels)
        + each("visit-reminder", [*people, winner], language, channels)
        + each("visit-reminder", [*people, winner], language, channels)
    )
    confirmation = flow.body("booking-confirmed", "customer").body
    assert "Avi" in confirmation
    assert "Avi Pro" not in confirmation
    assert "Herzl" not in confirmation
    job = flow.body("booking-confirmed", winner).body
    assert "Herzl 10" in job
    assert treated[0] in job
    assert f"0{treated[1][-9:-7]}-{treated[1][-7:]}" in job
    assert all(r.urgent for r in flow.rows if r.template == "booking-taken")

    for move, expected in [
        ("on-way", each("professional-on-way", people, language, channels)),
        ("start", Counter()),
        ("complete", each("treatment-completed", ["customer"], language, channels)),
    ]:
        clock.set(step_time(move, VISIT_UTC, booking["durationMinutes"]))
        winner_headers = await login(client, professional(winner))  # a token of the visit's day
        moved = await client.post(f"/api/v1/bookings/{booking['id']}/{move}", headers=winner_headers)
        assert moved.status_code == 200, moved.text
        await settle(container)
        new = await flow.new()
        assert +Counter({k: v for k, v in new.items() if not k[0].startswith("review-")}) == expected
        if move == "on-way":
            assert all(r.urgent and r.send_before == VISIT_UTC + timedelta(hours=1) for r in flow.rows)
    reminders = await messages(container, booking_id=booking["id"], template="visit-reminder")
    assert {r.status for r in reminders} == {"cancelled"}, "the visit is under way: no reminders"
    assert {r.language for r in await messages(container)} == {language}


async def test_a_booking_paid_for_later_is_told_to_the_person_treated_once_paid_and_refunds_once(
    flow: Flow, container: Container, client: httpx.AsyncClient
) -> None:
    booking = await book(client, await flow.customer("he"), bookingDateTime=VISIT)
    async with container.sessions() as session:  # as a booking through a payment gateway starts
        created = (
            await session.execute(sa.select(OutboxEvent).where(OutboxEvent.event_type == "booking.created"))
        ).scalar_one()
        created.payload = {**created.payload, "to": "pending_payment"}
        await session.commit()
    await settle(container)
    assert {template for template, *_ in await flow.new()} == {"professional-offer"}

    unpaid, pending, cancelled = (
        BookingStatus.PENDING_PAYMENT,
        BookingStatus.PENDING_PROFESSIONAL,
        BookingStatus.CANCELLED,
    )
    paid = await emit(
        container, system_move(BookingPaid, booking, Action.PAYMENT_SUCCEEDED, (unpaid, pending))
    )
    failed = await emit(
        container, system_move(BookingPaymentFailed, booking, Action.PAYMENT_FAILED, (unpaid, cancelled))
    )
    money_back = await emit(
        container, system_move(BookingRefunded, booking, Action.REFUND, (cancelled, BookingStatus.REFUNDED))
    )
    await emit(container, refunded(booking, 25000))  # the same refund
    await settle(container)

    assert await flow.new() == Counter(
        {
            ("payment-received", "customer", "sms", "he"): 1,
            ("booking-received", "recipient", "sms", "he"): 1,
            ("payment-failed", "customer", "sms", "he"): 1,
            ("refund-issued", "customer", "sms", "he"): 1,
        }
    )
    by_event = {row.event_id: row for row in flow.rows if row.template != "booking-received"}
    assert "250 ₪" in by_event[paid].body
    assert booking["bookingNumber"] in by_event[failed].body
    assert "250 ₪" in by_event[money_back].body


async def test_a_partial_refund_says_how_much_and_an_unpaid_booking_cancelled_spares_the_person_treated(
    flow: Flow, container: Container, client: httpx.AsyncClient
) -> None:
    booking = await book(client, await flow.customer("ru"), bookingDateTime=VISIT)
    await settle(container)
    await flow.new()

    await emit(container, refunded(booking, 12550))
    moves = (BookingStatus.PENDING_PAYMENT, BookingStatus.CANCELLED)
    await emit(container, system_move(BookingCancelled, booking, Action.CANCEL, moves, "payment_timeout"))
    await settle(container)

    assert await flow.new() == Counter(
        {("refund-issued", "customer", "sms", "ru"): 1, ("booking-cancelled", "customer", "sms", "ru"): 1}
    )
    assert "125.50 ₪" in flow.body("refund-issued", "customer").body


async def test_review_requests_and_reminders_carry_the_review_link(
    flow: Flow, container: Container, client: httpx.AsyncClient, clock: SettableClock
) -> None:
    booking = await book(client, await flow.customer("en"), bookingDateTime=VISIT)
    await settle(container)
    pro = await login(client, professional("Avi Pro"))
    offer = (await client.get("/api/v1/professional/offers", headers=pro)).json()[0]
    await client.post(f"/api/v1/offers/{offer['id']}/accept", headers=pro)
    for move in VISIT_STEPS:
        clock.set(step_time(move, VISIT_UTC, booking["durationMinutes"]))
        pro = await login(client, professional("Avi Pro"))
        assert (await client.post(f"/api/v1/bookings/{booking['id']}/{move}", headers=pro)).status_code == 200
    await settle(container)
    await flow.new()

    send_before = clock.now() + timedelta(days=3)
    request = await emit(container, ReviewRequested(booking_id=booking["id"], step=ReviewStep.REQUEST))
    final = await emit(
        container,
        ReviewRequested(booking_id=booking["id"], step=ReviewStep.FINAL_REMINDER, send_before=send_before),
    )
    await settle(container)

    rows = {(r.event_id, r.channel): r for r in await messages(container) if r.event_id in {request, final}}
    assert {(r.template, r.channel) for r in rows.values()} == {
        ("review-request", "sms"),
        ("review-request", "email"),
        ("review-reminder", "sms"),
        ("review-reminder", "email"),
    }
    token = rows[(final, "sms")].body.split("/review/")[1].split()[0]
    assert booking_id_from_review_token(token, container.settings.SECRET_KEY) == booking["id"]
    assert "last chance" in rows[(final, "sms")].body
    assert "Avi" in rows[(request, "email")].body
    assert (rows[(final, "email")].send_before, rows[(request, "sms")].send_before) == (send_before, None)


@pytest.mark.parametrize(("language", "for_someone_else"), [("he", True), ("en", False)], ids=["he", "en"])
async def test_cancelling_tells_the_customer_the_person_treated_and_everyone_holding_an_offer(
    flow: Flow, container: Container, client: httpx.AsyncClient, language: str, for_someone_else: bool
) -> None:
    await set_languages(container, TEL_AVIV, language)
    customer = await flow.customer(language)
    me = (await client.get("/api/v1/me", headers=customer)).json()
    treated = TREATED if for_someone_else else (me["name"], me["phone"])
    booking = await book(
        client, customer, bookingDateTime=VISIT, recipientName=treated[0], recipientPhone=treated[1]
    )
    await settle(container)
    await flow.new()

    cancelled = await client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=customer)
    assert cancelled.status_code == 200, cancelled.text
    await settle(container)

    people = ["customer", "recipient"] if for_someone_else else ["customer"]
    channels = {"customer": ["sms", "email"] if me["email"] else ["sms"]}
    assert await flow.new() == each("booking-cancelled", [*people, *TEL_AVIV], language, channels)
    to_candidate = flow.body("booking-cancelled", "Avi Pro").body
    assert {"he": "אין צורך לענות", "en": "No need to answer"}[language] in to_candidate
    assert booking["bookingNumber"] in flow.body("booking-cancelled", "customer").body


async def test_cancelling_a_confirmed_visit_tells_its_professional_and_cancels_the_reminders(
    flow: Flow, container: Container, client: httpx.AsyncClient
) -> None:
    booking = await book(client, await flow.customer("he"), bookingDateTime=VISIT)
    await settle(container)
    pro = await login(client, professional("Rina Pro"))
    offer = (await client.get("/api/v1/professional/offers", headers=pro)).json()[0]
    await client.post(f"/api/v1/offers/{offer['id']}/accept", headers=pro)
    await settle(container)
    await flow.new()
    reminders = await messages(container, template="visit-reminder")
    # Customer, person treated and professional, each a day and two hours before the visit.
    assert Counter((r.next_attempt_at, r.send_before, r.urgent) for r in reminders) == {
        (VISIT_UTC - timedelta(hours=24), VISIT_UTC, False): 3,
        (VISIT_UTC - timedelta(hours=2), VISIT_UTC, True): 3,
    }

    admin = await login(client, ADMIN)
    cancelled = await client.post(
        f"/api/v1/admin/bookings/{booking['id']}/cancel",
        headers=admin,
        json={"reason": "the customer called"},
    )
    assert cancelled.status_code == 200, cancelled.text
    await settle(container)

    assert await flow.new() == each("booking-cancelled", ["customer", "recipient", "Rina Pro"], "he", {})
    assert "אין להגיע" in flow.body("booking-cancelled", "Rina Pro").body
    assert {r.status for r in await messages(container, template="visit-reminder")} == {"cancelled"}


async def test_a_visit_soon_gets_only_the_reminders_still_ahead_and_a_redelivered_event_adds_nothing(
    flow: Flow, container: Container, client: httpx.AsyncClient
) -> None:
    evening = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # 18:00 local today, eight hours ahead
    await book(client, await flow.customer("he"), bookingDateTime="2026-12-01T18:00:00+02:00")
    await settle(container)
    pro = await login(client, professional("Avi Pro"))
    offer = (await client.get("/api/v1/professional/offers", headers=pro)).json()[0]
    await client.post(f"/api/v1/offers/{offer['id']}/accept", headers=pro)
    await settle(container)
    reminders = await messages(container, template="visit-reminder")
    assert {(r.next_attempt_at, r.send_before) for r in reminders} == {
        (evening - timedelta(hours=2), evening)
    }
    assert len(reminders) == 3

    before = len(await messages(container))
    async with container.sessions() as session:
        row = (
            await session.execute(sa.select(OutboxEvent).where(OutboxEvent.event_type == "booking.confirmed"))
        ).scalar_one()
        event = event_of(row)
    handler = container.bus.handlers_for("booking.confirmed")["notifications.booking_confirmed"]
    async with container.sessions() as session:
        await handler(session, event)
        await session.commit()
    assert len(await messages(container)) == before


async def test_unassigning_cancels_the_reminders_and_confirming_again_queues_new_ones(
    flow: Flow, container: Container, client: httpx.AsyncClient, clock: SettableClock
) -> None:
    booking = await book(client, await flow.customer("he"), bookingDateTime=VISIT)
    await settle(container)
    avi = await login(client, professional("Avi Pro"))
    offer = (await client.get("/api/v1/professional/offers", headers=avi)).json()[0]
    await client.post(f"/api/v1/offers/{offer['id']}/accept", headers=avi)
    await settle(container)
    await flow.new()

    clock.advance(timedelta(minutes=5))  # a new round of offers, after the first one
    admin = await login(client, ADMIN)
    unassigned = await client.post(f"/api/v1/admin/bookings/{booking['id']}/unassign", headers=admin, json={})
    assert unassigned.status_code == 200, unassigned.text
    await settle(container)
    new = await flow.new()
    assert +Counter({k: v for k, v in new.items() if k[0] != "professional-offer"}) == each(
        "professional-unassigned", ["customer", "recipient", "Avi Pro"], "he", {}
    )
    assert "Avi" in flow.body("professional-unassigned", "customer").body
    assert {r.status for r in await messages(container, template="visit-reminder")} == {"cancelled"}

    rina = await login(client, professional("Rina Pro"))
    offer = next(
        o
        for o in (await client.get("/api/v1/professional/offers", headers=rina)).json()
        if o["responseStatus"] == "pending"
    )
    assert (await client.post(f"/api/v1/offers/{offer['id']}/accept", headers=rina)).status_code == 200
    await settle(container)
    reminders = await messages(container, template="visit-reminder")
    assert Counter(r.status for r in reminders) == {"cancelled": 6, "queued": 6}

    withdrawn = await client.post(
        f"/api/v1/bookings/{booking['id']}/withdraw", headers=rina, json={"reason": "car broke down"}
    )
    assert withdrawn.status_code == 200, withdrawn.text
    await settle(container)
    new = await flow.new()
    assert new["professional-unassigned", "customer", "sms", "he"] == 1
    assert new["professional-unassigned", "Rina Pro", "sms", "he"] == 0, "she knows: she withdrew"
    assert {r.status for r in await messages(container, template="visit-reminder")} == {"cancelled"}


async def test_nobody_left_to_ask_alerts_the_admins_and_an_unstaffed_visit_tells_the_customer(
    flow: Flow, container: Container, client: httpx.AsyncClient, clock: SettableClock
) -> None:
    booking = await book(client, await flow.customer("he"), bookingDateTime=VISIT)
    worker = Worker(container, container.bus)
    await worker.run_once(clock.now())
    clock.advance(timedelta(minutes=15))  # every offer expires; nobody else is eligible
    await worker.run_once(clock.now())
    await worker.run_once(clock.now())
    await flow.new()
    assert [r.template for r in flow.rows if flow.names[r.recipient] == "admin"] == ["dispatch-exhausted"]
    alert = flow.body("dispatch-exhausted", "admin")
    assert (alert.language, alert.channel) == ("en", "sms")
    assert f"/admin/bookings/{booking['id']}" in alert.body

    clock.set(VISIT_UTC)
    await worker.run_once(clock.now())
    await worker.run_once(clock.now())
    assert await flow.new() == each("no-professional-found", ["customer", "recipient"], "he", {}) + each(
        "no-professional-found", ["admin"], "en", {}
    )


async def test_preferences_choose_the_channels(
    flow: Flow, container: Container, client: httpx.AsyncClient
) -> None:
    customer = await flow.customer("en")
    async with container.sessions() as session:
        await session.execute(
            sa.update(User).where(User.phone == "+972529000001").values(notify_by_sms=False)
        )
        await session.execute(sa.update(User).where(User.name == "Avi Pro").values(notify_by_sms=False))
        await session.commit()
    await book(
        client, customer, bookingDateTime=VISIT, recipientName="Emma Brown", recipientPhone="0529000001"
    )
    await settle(container)

    new = await flow.new()
    assert new == Counter({("booking-received", "customer", "email", "en"): 1}) + each(
        "professional-offer", ["Rina Pro", "Shira Pro", "Efrat Pro"], "he", {}
    )
    email = flow.body("booking-received", "customer")
    assert email.subject == f"Booking {email.context['bookingNumber']} received"
    assert "₪250" in email.body


async def test_quiet_hours_hold_a_non_urgent_sms_until_morning_and_let_urgent_ones_through(
    flow: Flow, container: Container, client: httpx.AsyncClient, clock: SettableClock
) -> None:
    clock.set(datetime(2026, 12, 1, 21, 0, tzinfo=UTC))  # 23:00 in Israel
    morning = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)  # 08:00 in Israel
    customer = await flow.customer("en")
    await book(client, customer, bookingDateTime=VISIT)
    await settle(container)
    await flow.new()

    received = {(r.recipient, r.channel): r for r in flow.rows if r.template == "booking-received"}
    assert received["+972529000001", "sms"].next_attempt_at == morning
    assert received["+972529000001", "sms"].urgent is False
    assert received["emma@example.com", "email"].next_attempt_at == clock.now(), "email is never held"
    assert received[TREATED[1], "sms"].next_attempt_at == morning
    offers = [r for r in flow.rows if r.template == "professional-offer"]
    assert len(offers) == 4
    assert all(r.urgent and r.next_attempt_at == clock.now() for r in offers)


async def test_a_night_message_about_an_early_visit_goes_at_once(
    flow: Flow, container: Container, client: httpx.AsyncClient, clock: SettableClock
) -> None:
    clock.set(datetime(2026, 12, 1, 21, 0, tzinfo=UTC))  # 23:00 in Israel; the visit is at 09:00
    customer = await flow.customer("he")
    booking = await book(client, customer, bookingDateTime="2026-12-02T09:00:00+02:00")
    await settle(container)
    await client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=customer)
    await settle(container)
    await flow.new()
    for row in flow.rows:
        assert (row.next_attempt_at, row.urgent) == (clock.now(), True), row.template


@pytest.mark.parametrize(
    ("now", "message", "due", "urgent"),
    [
        (
            datetime(2026, 12, 1, 21, 30, tzinfo=UTC),
            Message("booking-received", {}),
            datetime(2026, 12, 2, 6, 0, tzinfo=UTC),
            False,
        ),
        (
            datetime(2026, 12, 1, 21, 30, tzinfo=UTC),
            Message("professional-offer", {}, urgent=True),
            datetime(2026, 12, 1, 21, 30, tzinfo=UTC),
            True,
        ),
        (
            datetime(2026, 12, 1, 19, 59, tzinfo=UTC),
            Message("booking-received", {}),
            datetime(2026, 12, 1, 19, 59, tzinfo=UTC),
            False,
        ),
        # Summer time: 23:30 local is 20:30 UTC and 08:00 local is 05:00 UTC.
        (
            datetime(2026, 7, 1, 20, 30, tzinfo=UTC),
            Message("booking-received", {}),
            datetime(2026, 7, 2, 5, 0, tzinfo=UTC),
            False,
        ),
        # A reminder due in the night, for a visit at 09:30 local: holding it to 08:00 would leave 90 minutes.
        (
            datetime(2026, 12, 1, 12, 0, tzinfo=UTC),
            Message(
                "visit-reminder",
                {},
                due=datetime(2026, 12, 2, 3, 30, tzinfo=UTC),
                visit_at=datetime(2026, 12, 2, 7, 30, tzinfo=UTC),
            ),
            datetime(2026, 12, 2, 3, 30, tzinfo=UTC),
            True,
        ),
    ],
    ids=["held-till-morning", "urgent", "evening", "summer-time", "too-close-to-the-visit"],
)
def test_when_an_sms_falls_due(now: datetime, message: Message, due: datetime, urgent: bool) -> None:
    policy = NotificationPolicy(quiet_start=22, quiet_end=8)
    assert schedule(message, channel="sms", now=now, policy=policy) == (due, urgent)
    assert schedule(message, channel="email", now=now, policy=policy)[0] == max(message.due or now, now)
