"""Event handlers that turn what happened to a booking into queued messages, one named handler per event type.

Each handler reads the booking as it is when the handler runs and says nothing that has stopped being
true (a confirmation of a booking since taken back, an offer already answered). Every message is keyed by its
event, so a redelivered event queues nothing twice; visit reminders are keyed by the confirmation that
scheduled them, so a booking confirmed again gets new ones.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from masu.clock import Clock
from masu.domain.dispatch import offer_token
from masu.domain.events import (
    BookingCancelled,
    BookingConfirmed,
    BookingCreated,
    BookingDispatchExhausted,
    BookingOnWay,
    BookingPaid,
    BookingPaymentFailed,
    BookingRefunded,
    BookingTreatmentCompleted,
    BookingUnassigned,
    BookingWithdrawn,
    DomainEvent,
    EventType,
    OfferCreated,
    OfferWithdrawn,
    PaymentRefunded,
    ReviewRequested,
)
from masu.domain.lifecycle import BookingStatus
from masu.domain.reviews import ReviewStep, review_token
from masu.events.bus import BookingEventBus, Event, Handler
from masu.persistence.models import Offer, User
from masu.persistence.repositories import offer as offer_repository
from masu.persistence.repositories import user as user_repository
from masu.services.dispatch.offer_views import offer_for_link
from masu.services.notification.messages import (
    URGENT_REMINDER_LEAD,
    VISIT_REMINDER,
    Message,
    NotificationPolicy,
    Recipient,
    Visit,
    admins,
    booking_link,
    cancel_visit_reminders,
    customer_side,
    enqueue,
    job_context,
    load_visit,
    people_context,
    professionals_offered_at,
    visit_context,
)

# A professional is still on the visit in these states; a confirmation is worth sending only then.
_ASSIGNED = {BookingStatus.CONFIRMED, BookingStatus.ON_WAY, BookingStatus.IN_TREATMENT}


@dataclass(frozen=True, slots=True)
class _Queue:
    """Queues messages for one event in the handler's transaction."""

    session: AsyncSession
    event: Event[DomainEvent]
    now: datetime
    policy: NotificationPolicy

    async def send(self, name: str, recipient: Recipient, context: dict[str, Any], **timing: Any) -> None:
        await enqueue(
            self.session,
            message=Message(name, context, **timing),
            recipient=recipient,
            event_id=self.event.id,
            booking_id=self.event.booking_id,
            now=self.now,
            policy=self.policy,
        )

    async def to_customer_side(
        self,
        name: str,
        visit: Visit,
        extra: dict[str, Any],
        *,
        audiences: tuple[str, ...] = ("customer", "recipient"),
        professional: User | None = None,
        **timing: Any,
    ) -> None:
        """Send to the customer and, when someone else is treated, to that person (as `audiences` allow)."""
        for audience, recipient, name_of in customer_side(visit):
            if audience in audiences:
                context = {
                    **visit_context(visit, recipient.language, audience, name_of),
                    **people_context(visit, professional or visit.professional, audience, self.policy),
                    **extra,
                }
                await self.send(name, recipient, context, **timing)

    async def to_professional(
        self,
        name: str,
        visit: Visit,
        professional: User,
        extra: dict[str, Any],
        *,
        audience: str = "professional",
        job: bool = False,
        **timing: Any,
    ) -> None:
        """Send to a professional; `job` adds what the assigned one needs to get there."""
        recipient = Recipient.of_user(professional)
        context = visit_context(visit, recipient.language, audience, professional.name)
        if job:
            context.update(job_context(visit, context["city"], self.policy))
        await self.send(name, recipient, {**context, **extra}, **timing)

    async def to_admins(self, name: str, visit: Visit, **timing: Any) -> None:
        link = booking_link(visit.booking, self.policy, admin=True)
        for admin in await admins(self.session):
            recipient = Recipient.of_user(admin)
            context = {**visit_context(visit, recipient.language, "admin", admin.name), "link": link}
            await self.send(name, recipient, context, **timing)


_NotificationHandler = Callable[[_Queue, Event[Any], Visit], Awaitable[None]]
"""Queues the messages of one event (typed by its class) about one visit."""


async def _booking_received(out: _Queue, event: Event[BookingCreated], visit: Visit) -> None:
    if event.payload.to_status is BookingStatus.PENDING_PAYMENT:
        return  # told once it is paid
    amount = {"amount": visit.booking.final_amount}
    await out.to_customer_side("booking-received", visit, amount, **_about_visit(visit))


async def _payment_received(out: _Queue, event: Event[BookingPaid], visit: Visit) -> None:
    amount = {"amount": visit.booking.final_amount}
    await out.to_customer_side(
        "payment-received", visit, amount, audiences=("customer",), visit_at=visit.starts_at
    )
    # The person treated hears of the booking only once it is paid.
    await out.to_customer_side(
        "booking-received", visit, amount, audiences=("recipient",), **_about_visit(visit)
    )


async def _payment_failed(out: _Queue, event: Event[BookingPaymentFailed], visit: Visit) -> None:
    amount = {"amount": visit.booking.final_amount}
    await out.to_customer_side("payment-failed", visit, amount, audiences=("customer",))


async def _professional_offer(out: _Queue, event: Event[OfferCreated], visit: Visit) -> None:
    offer = await offer_repository.get_offer(out.session, event.payload.offer_id)
    view = (
        await offer_for_link(out.session, offer.id) if offer and offer.response_status == "pending" else None
    )
    professional = await _user(out.session, offer.professional_id) if offer else None
    if offer is None or view is None or professional is None:
        return  # answered, expired or withdrawn before it was announced
    extra = {
        "pay": view.offer.expected_payment,
        "answerBy": offer.expires_at.isoformat(),
        "link": out.policy.link("/o/" + offer_token(offer.id, out.policy.secret_key)),
    }
    await out.to_professional("professional-offer", visit, professional, extra, **_offer_timing(offer))


async def _booking_taken(out: _Queue, event: Event[OfferWithdrawn], visit: Visit) -> None:
    offer = await offer_repository.get_offer(out.session, event.payload.offer_id)
    taken_by = visit.booking.professional_id
    # Only accepting withdraws the others' offers with an event; unassigned meanwhile, it is not taken.
    if offer is None or taken_by is None or taken_by == offer.professional_id:
        return
    professional = await _user(out.session, offer.professional_id)
    if professional is not None:
        await out.to_professional("booking-taken", visit, professional, {}, **_offer_timing(offer))


async def _booking_confirmed(out: _Queue, event: Event[BookingConfirmed], visit: Visit) -> None:
    booking, professional = visit.booking, visit.professional
    if professional is None or professional.id != event.payload.professional_id:
        return  # taken back meanwhile: a later event tells the new story
    if booking.status not in _ASSIGNED:
        return
    await out.to_customer_side("booking-confirmed", visit, {}, **_about_visit(visit))
    pay = {"pay": booking.total_professional_payment}
    await out.to_professional("booking-confirmed", visit, professional, pay, job=True, **_about_visit(visit))
    if booking.status == BookingStatus.CONFIRMED:
        await _queue_visit_reminders(out, visit, professional)


async def _queue_visit_reminders(out: _Queue, visit: Visit, professional: User) -> None:
    """The reminders before the visit (VISIT_REMINDER_HOURS), except those whose moment has passed."""
    for hours in out.policy.reminder_hours:
        lead = timedelta(hours=hours)
        due = visit.starts_at - lead
        if due <= out.now:
            continue
        timing = _about_visit(visit) | {
            "due": due,
            "urgent": lead < URGENT_REMINDER_LEAD,
            "variant": f"{hours}h",
        }
        await out.to_customer_side(VISIT_REMINDER, visit, {"hours": hours}, **timing)
        await out.to_professional(VISIT_REMINDER, visit, professional, {"hours": hours}, job=True, **timing)


async def _professional_unassigned(
    out: _Queue, event: Event[BookingUnassigned | BookingWithdrawn], visit: Visit
) -> None:
    """Unassigned by an admin or withdrawn by the professional: reminders off, everyone concerned told."""
    await cancel_visit_reminders(out.session, booking_id=visit.booking.id)
    previous = await _user(out.session, event.payload.previous_professional_id)
    if previous is None:
        return
    if isinstance(event.payload, BookingUnassigned):  # one who withdrew knows already
        await out.to_professional("professional-unassigned", visit, previous, {}, visit_at=visit.starts_at)
    if visit.booking.status == BookingStatus.PENDING_PROFESSIONAL and visit.booking.professional_id is None:
        await out.to_customer_side(
            "professional-unassigned", visit, {}, professional=previous, **_about_visit(visit)
        )


async def _professional_on_way(out: _Queue, event: Event[BookingOnWay], visit: Visit) -> None:
    await cancel_visit_reminders(out.session, booking_id=visit.booking.id)
    if visit.professional is None or visit.booking.status != BookingStatus.ON_WAY:
        return
    await out.to_customer_side(
        "professional-on-way", visit, {}, urgent=True, send_before=visit.booking.ends_at
    )


async def _treatment_completed(out: _Queue, event: Event[BookingTreatmentCompleted], visit: Visit) -> None:
    await cancel_visit_reminders(out.session, booking_id=visit.booking.id)
    await out.to_customer_side("treatment-completed", visit, {}, audiences=("customer",))


async def _booking_cancelled(out: _Queue, event: Event[BookingCancelled], visit: Visit) -> None:
    """Everyone concerned: the customer, the person treated, the professional, those holding an offer."""
    await cancel_visit_reminders(out.session, booking_id=visit.booking.id)
    starts_at = visit.starts_at
    if event.payload.reason == "no_professional":
        await out.to_customer_side("no-professional-found", visit, {}, visit_at=starts_at)
        await out.to_admins("no-professional-found", visit, visit_at=starts_at)
    else:
        # Someone treated by a booking never paid for never heard of it (see _payment_received).
        unpaid = event.payload.from_status is BookingStatus.PENDING_PAYMENT
        audiences = ("customer",) if unpaid else ("customer", "recipient")
        await out.to_customer_side("booking-cancelled", visit, {}, audiences=audiences, visit_at=starts_at)
    if visit.professional is not None:
        await out.to_professional("booking-cancelled", visit, visit.professional, {}, visit_at=starts_at)
    if event.payload.from_status is not BookingStatus.PENDING_PROFESSIONAL:
        return  # offers are open only while a booking looks for a professional
    offered = await professionals_offered_at(out.session, booking_id=visit.booking.id, at=event.occurred_at)
    for candidate in offered:
        if candidate.id != visit.booking.professional_id:
            await out.to_professional(
                "booking-cancelled", visit, candidate, {}, audience="candidate", **_about_visit(visit)
            )


async def _refund_issued(out: _Queue, event: Event[BookingRefunded | PaymentRefunded], visit: Visit) -> None:
    """Once per booking: refunding a cancelled booking appends `booking.refunded` and `payment.refunded`."""
    refunded = event.payload.refund_amount if isinstance(event.payload, PaymentRefunded) else None
    amount = {"amount": refunded if refunded is not None else visit.booking.final_amount}
    once = f"refund/{visit.booking.id}"
    await out.to_customer_side("refund-issued", visit, amount, audiences=("customer",), once_per=once)


async def _dispatch_exhausted(out: _Queue, event: Event[BookingDispatchExhausted], visit: Visit) -> None:
    booking = visit.booking
    if booking.status != BookingStatus.PENDING_PROFESSIONAL or booking.professional_id is not None:
        return  # staffed meanwhile
    await out.to_admins("dispatch-exhausted", visit, **_about_visit(visit))


async def _review_requested(out: _Queue, event: Event[ReviewRequested], visit: Visit) -> None:
    if visit.booking.status != BookingStatus.PENDING_REVIEW:
        return  # reviewed or closed meanwhile
    step = event.payload.step
    extra = {
        "step": step.value,
        "link": out.policy.link("/review/" + review_token(visit.booking.id, out.policy.secret_key)),
    }
    await out.to_customer_side(
        "review-request" if step is ReviewStep.REQUEST else "review-reminder",
        visit,
        extra,
        audiences=("customer",),
        send_before=event.payload.send_before,
    )


_HANDLERS: tuple[tuple[EventType, str, _NotificationHandler], ...] = (
    (EventType.BOOKING_CREATED, "notifications.booking_received", _booking_received),
    (EventType.BOOKING_PAID, "notifications.payment_received", _payment_received),
    (EventType.BOOKING_PAYMENT_FAILED, "notifications.payment_failed", _payment_failed),
    (EventType.OFFER_CREATED, "notifications.professional_offer", _professional_offer),
    (EventType.OFFER_WITHDRAWN, "notifications.booking_taken", _booking_taken),
    (EventType.BOOKING_CONFIRMED, "notifications.booking_confirmed", _booking_confirmed),
    (EventType.BOOKING_UNASSIGNED, "notifications.professional_unassigned", _professional_unassigned),
    (EventType.BOOKING_WITHDRAWN, "notifications.professional_withdrew", _professional_unassigned),
    (EventType.BOOKING_ON_WAY, "notifications.professional_on_way", _professional_on_way),
    (EventType.BOOKING_TREATMENT_COMPLETED, "notifications.treatment_completed", _treatment_completed),
    (EventType.BOOKING_CANCELLED, "notifications.booking_cancelled", _booking_cancelled),
    (EventType.BOOKING_REFUNDED, "notifications.refund_issued", _refund_issued),
    (EventType.PAYMENT_REFUNDED, "notifications.refund_issued", _refund_issued),
    (EventType.BOOKING_DISPATCH_EXHAUSTED, "notifications.dispatch_exhausted", _dispatch_exhausted),
    (EventType.REVIEW_REQUESTED, "notifications.review_request", _review_requested),
)


def subscribe_notifications(bus: BookingEventBus, clock: Clock, policy: NotificationPolicy) -> None:
    """Queue the catalogue's messages for every event that calls for one (handlers `notifications.*`)."""
    for event_type, name, handler in _HANDLERS:
        bus.subscribe(event_type, name, _bound(handler, clock, policy))


def _bound(handler: _NotificationHandler, clock: Clock, policy: NotificationPolicy) -> Handler[DomainEvent]:
    async def run(session: AsyncSession, event: Event[DomainEvent]) -> None:
        booking_id = event.booking_id or event.payload.booking_id
        visit = await load_visit(session, booking_id) if booking_id else None
        if visit is not None:
            await handler(_Queue(session, event, clock.now(), policy), event, visit)

    # The bus checks the event class the wrapped handler declares against the type it is subscribed to.
    return functools.update_wrapper(run, handler, assigned=(), updated=())


def _about_visit(visit: Visit) -> dict[str, Any]:
    """Timing of a message about the visit: pointless once it begins, and never held past its last call."""
    return {"send_before": visit.starts_at, "visit_at": visit.starts_at}


def _offer_timing(offer: Offer) -> dict[str, Any]:
    """Offers and their "taken" notices matter only while the offer is open, so they go at once."""
    return {"urgent": True, "send_before": offer.expires_at}


async def _user(session: AsyncSession, user_id: Any) -> User | None:
    return await user_repository.get_user(session, str(user_id)) if user_id else None
