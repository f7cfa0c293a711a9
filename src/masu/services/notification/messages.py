"""Queueing messages: who gets a message, on which channels, in which language, and when it falls due.

Nothing is sent here: each message becomes one queued row per channel, rendered now, which delivery sends.
What a message may say about a visit is gathered here too (`Visit` and the contexts): the street, phone
numbers and notes only ever reach the professional assigned to the visit.

Channels follow the person's preferences: SMS when they accept SMS, email when they accept email and gave an
address. The person treated in a booking made for them by someone else is not a user: they get SMS only, in
the booker's language.

Quiet hours (QUIET_HOURS_START to QUIET_HOURS_END, Israel time) hold a non-urgent SMS until they end. Urgent
messages are the ones that lose their point within minutes or hours: a professional's offer and the notice
that it was taken (both live only while the offer is open), "on the way", and visit reminders due less than
12 hours before the visit. A held message whose visit would begin less than 2 hours after the quiet hours end
goes at once instead (and is stored as urgent so delivery does not hold it either): a cancellation at 23:00 of
a 09:00 visit cannot wait for the morning. Email is never held.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.names import safe_first_name
from masu.domain.pricing import BUSINESS_TZ
from masu.notifications.catalogue import language_for, render
from masu.notifications.delivery import quiet_hours_end
from masu.persistence.models import Booking, City, Notification, Treatment, User
from masu.persistence.repositories import booking as booking_repository
from masu.persistence.repositories import catalogue as catalogue_repository
from masu.persistence.repositories import notification as notification_repository
from masu.persistence.repositories import offer as offer_repository
from masu.persistence.repositories import user as user_repository

SMS, EMAIL = "sms", "email"
VISIT_REMINDER = "visit-reminder"
# A held message goes at once when the visit would begin sooner than this after the quiet hours end.
LAST_CALL_BEFORE_VISIT = timedelta(hours=2)
# Reminders closer to the visit than this are urgent: the morning after the quiet hours may be too late.
URGENT_REMINDER_LEAD = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class NotificationPolicy:
    """Where links point, what signs them, the quiet hours and the visit reminders' lead times."""

    public_base_url: str = "http://127.0.0.1:8000"
    secret_key: str = ""
    quiet_start: int = 22
    quiet_end: int = 8
    reminder_hours: tuple[int, ...] = (24, 2)
    # SMS a day to a number that is no verified account's (someone a customer books for): each costs money
    # and goes to a phone nobody proved theirs, so a script booking for strangers reaches each only so often.
    max_sms_per_unverified_number_per_day: int = 3

    def link(self, path: str) -> str:
        """An absolute link to a page of the site."""
        return self.public_base_url.rstrip("/") + path


def parse_reminder_hours(text: str) -> tuple[int, ...]:
    """VISIT_REMINDER_HOURS ("24,2") as distinct positive lead times, longest first."""
    hours = {int(part) for part in text.split(",") if part.strip()}
    if any(hour <= 0 for hour in hours):
        raise ValueError("VISIT_REMINDER_HOURS must list positive hours")
    return tuple(sorted(hours, reverse=True))


@dataclass(frozen=True, slots=True)
class Recipient:
    """Someone a message goes to: their language and the addresses they accept messages at."""

    language: str
    phone: str | None
    email: str | None
    user_id: str | None = None

    @classmethod
    def of_user(cls, user: User) -> Recipient:
        """A user, reached as their preferences say; until the phone is proved theirs, not at all."""
        verified = user.phone_verified
        return cls(
            language=language_for(user.language),
            phone=user.phone if user.notify_by_sms and verified else None,
            email=user.email if user.notify_by_email and user.email and verified else None,
            user_id=user.id,
        )

    @classmethod
    def by_phone(cls, phone: str, *, language: str) -> Recipient:
        """Someone who is not a user (the person treated), reached by SMS in the given language."""
        return cls(language=language_for(language), phone=phone, email=None)

    def addresses(self) -> list[tuple[str, str]]:
        """(channel, address) for every channel this recipient accepts."""
        return [(channel, to) for channel, to in ((SMS, self.phone), (EMAIL, self.email)) if to]


@dataclass(frozen=True, slots=True)
class Message:
    """One catalogue message with its render context and timing."""

    name: str
    context: dict[str, Any]
    urgent: bool = False
    due: datetime | None = None  # None: at once
    send_before: datetime | None = None  # after this, sending it is pointless
    visit_at: datetime | None = None  # the visit it is about, if any (see LAST_CALL_BEFORE_VISIT)
    variant: str = ""  # tells apart messages of one name from one event (the reminders' lead times)
    once_per: str | None = None  # one message per this instead of per event (facts told by two events)


def schedule(
    message: Message, *, channel: str, now: datetime, policy: NotificationPolicy
) -> tuple[datetime, bool]:
    """When the message falls due on `channel`, and whether it is urgent (ignores the quiet hours)."""
    due = max(message.due or now, now)
    if channel != SMS or message.urgent:
        return due, message.urgent
    held_until = quiet_hours_end(due, start=policy.quiet_start, end=policy.quiet_end)
    if held_until is None:
        return due, False
    if message.visit_at is not None and held_until > message.visit_at - LAST_CALL_BEFORE_VISIT:
        return due, True
    return held_until, False


async def enqueue(
    session: AsyncSession,
    *,
    message: Message,
    recipient: Recipient,
    event_id: int,
    booking_id: str | None,
    now: datetime,
    policy: NotificationPolicy,
) -> int:
    """Queue the message on each of the recipient's channels; how many rows were added.

    Nothing is queued past its send-by time, and a message already queued for this event, recipient and
    channel is not queued again (the idempotency key), so a redelivered event adds nothing.
    """
    added = 0
    for channel, address in recipient.addresses():
        due, urgent = schedule(message, channel=channel, now=now, policy=policy)
        if message.send_before is not None and due >= message.send_before:
            continue
        held_back = channel == SMS and await _over_stranger_cap(session, recipient, address, due, policy)
        rendered = render(message.name, channel=channel, language=recipient.language, context=message.context)
        added += await notification_repository.add(
            session,
            booking_id=booking_id,
            event_id=event_id,
            user_id=recipient.user_id,
            channel=channel,
            recipient=address,
            template=message.name,
            language=recipient.language,
            subject=rendered.subject,
            body=rendered.body,
            context=message.context,
            urgent=urgent,
            send_before=message.send_before,
            status=notification_repository.HELD_BACK if held_back else notification_repository.QUEUED,
            attempts=0,
            error="the number's SMS for the day are used up" if held_back else None,
            idempotency_key=idempotency_key(event_id, message, channel, address),
            created_at=now,
            next_attempt_at=due,
        )
    return added


async def _over_stranger_cap(
    session: AsyncSession, recipient: Recipient, address: str, due: datetime, policy: NotificationPolicy
) -> bool:
    """True when `address` is no verified account's and has its share of SMS on the (Israeli) day of `due`."""
    if recipient.user_id is not None:
        return False  # users get messages only once their phone is verified (Recipient.of_user)
    owner = await user_repository.get_user_by_phone(session, address)
    if owner is not None and owner.phone_verified:
        return False
    await notification_repository.lock_recipient(session, address)
    start = datetime.combine(due.astimezone(BUSINESS_TZ).date(), time(), tzinfo=BUSINESS_TZ)
    end = datetime.combine(start.date() + timedelta(days=1), time(), tzinfo=BUSINESS_TZ)
    taken = await notification_repository.count_sms_due_between(
        session, address=address, start=start, end=end, excluding="phone-code"
    )
    return taken >= policy.max_sms_per_unverified_number_per_day


def idempotency_key(event_id: int, message: Message, channel: str, address: str) -> str:
    """One message per event (or `once_per`), name and variant, channel and recipient; the address hashed."""
    name = f"{message.name}:{message.variant}" if message.variant else message.name
    digest = hashlib.sha256(address.encode()).hexdigest()[:24]
    return f"{message.once_per or event_id}/{name}/{channel}/{digest}"


async def cancel_visit_reminders(session: AsyncSession, *, booking_id: str) -> int:
    """Cancel the booking's visit reminders still queued (the visit no longer stands as it was)."""
    return await notification_repository.cancel_queued(
        session, booking_id=booking_id, template=VISIT_REMINDER
    )


async def admins(session: AsyncSession) -> list[User]:
    """Active users with the admin role."""
    return await user_repository.active_admins(session)


async def professionals_offered_at(session: AsyncSession, *, booking_id: str, at: datetime) -> list[User]:
    """Professionals whose offer of the booking was open at `at` (not yet answered, expired or withdrawn)."""
    return await offer_repository.professionals_offered_at(session, booking_id=booking_id, at=at)


def first_name(name: str) -> str:
    """The first word of a person's name (messages about a professional show only their first name)."""
    return name.split()[0] if name.split() else name


def booking_link(booking: Booking, policy: NotificationPolicy, *, admin: bool = False) -> str:
    """The booking's page for its customer, or in the admin panel."""
    return policy.link(f"/admin/bookings/{booking.id}" if admin else f"/bookings/{booking.id}")


@dataclass(frozen=True, slots=True)
class Visit:
    """What messages about a booking need: the booking, its customer, treatment, city and professional."""

    booking: Booking
    customer: User
    treatment: Treatment
    city: City
    professional: User | None

    @property
    def starts_at(self) -> datetime:
        """When the visit begins."""
        return self.booking.booking_date_time


async def load_visit(session: AsyncSession, booking_id: str) -> Visit | None:
    """The booking and the rows its messages mention; None when there is no such booking."""
    booking = await booking_repository.get_booking(session, booking_id)
    if booking is None:
        return None
    customer = await user_repository.get_user(session, booking.user_id)
    treatment = await catalogue_repository.get_treatment(session, booking.treatment_id)
    city = await session.get(City, booking.city_id)
    assert customer is not None, "bookings reference their customer"
    assert treatment is not None, "bookings reference their treatment"
    assert city is not None, "bookings reference their city"
    professional = (
        await user_repository.get_user(session, booking.professional_id) if booking.professional_id else None
    )
    return Visit(booking, customer, treatment, city, professional)


def customer_side(visit: Visit) -> list[tuple[str, Recipient, str]]:
    """(audience, recipient, name): the customer, and the person treated when that is someone else."""
    customer = Recipient.of_user(visit.customer)
    side = [("customer", customer, visit.customer.name)]
    if visit.booking.is_for_someone_else:
        treated = Recipient.by_phone(visit.booking.recipient_phone, language=customer.language)
        side.append(("recipient", treated, visit.booking.recipient_name))
    return side


def visit_context(visit: Visit, language: str, audience: str, name: str) -> dict[str, Any]:
    """What every message about a visit may say: never the street or anyone's contact details."""
    booking = visit.booking
    return {
        "audience": audience,
        "name": first_name(name),
        "bookingNumber": booking.booking_number,
        "treatment": visit.treatment.name,
        "durationMinutes": booking.duration_minutes,
        "visitAt": booking.booking_date_time.isoformat(),
        "city": _city_name(visit.city, language),
    }


def people_context(
    visit: Visit, professional: User | None, audience: str, policy: NotificationPolicy
) -> dict[str, Any]:
    """Who is who, for the customer's side: the professional by first name only."""
    booking = visit.booking
    return {
        "forSomeoneElse": booking.is_for_someone_else,
        "recipientName": booking.recipient_name,
        # The person treated reads only template text and the booker's first name (never what they typed).
        "bookerName": safe_first_name(visit.customer.name) or "",
        "professionalName": first_name(professional.name) if professional else "",
        "link": booking_link(booking, policy) if audience == "customer" else None,
    }


def job_context(visit: Visit, city: str, policy: NotificationPolicy) -> dict[str, Any]:
    """What the assigned professional needs to get there: the full address and whom to ask for."""
    booking = visit.booking
    return {
        "address": {
            "street": booking.address_street,
            "building": booking.address_building,
            "apartment": booking.address_apartment,
            "city": city,
        },
        "recipientName": booking.recipient_name,
        "recipientPhone": booking.recipient_phone,
        "notes": booking.notes,
        "link": policy.link("/pro"),
    }


def _city_name(city: City, language: str) -> str:
    return city.name_he if language == "he" and city.name_he else city.name


async def messages_for_admin(
    session: AsyncSession, *, booking_id: str | None, recipient: str | None, limit: int
) -> list[Notification]:
    """The newest messages first, of one booking and/or to one recipient."""
    return await notification_repository.list_for_admin(
        session, booking_id=booking_id, recipient=recipient, limit=limit
    )
