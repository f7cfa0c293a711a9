"""Creating a booking: validate, price on the server, rate-limit, redeem the coupon, number, record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.access import Principal
from masu.domain.booking_rules import check_visit_time, retry_after_seconds
from masu.domain.errors import RateLimited, ValidationFailed
from masu.domain.lifecycle import Action, Actor, BookingStatus, TransitionContext, decide
from masu.domain.phones import normalize_israeli_mobile
from masu.domain.pricing import BUSINESS_TZ, PriceDetails, TreatmentPricing, base_price_for, quote
from masu.persistence.models import Booking, City, Coupon, Treatment, User
from masu.persistence.repositories import booking as booking_repository
from masu.persistence.repositories import catalogue as catalogue_repository
from masu.persistence.repositories import user as user_repository
from masu.services.account.accounts import require_verified_phone
from masu.services.booking.access import BookingView
from masu.services.booking.availability import SlotQuery, slot_refusal
from masu.services.booking.transitions import Trigger, apply_decision
from masu.services.catalogue.pricing_inputs import coupon_terms, surcharge_rule, treatment_pricing
from masu.services.payment.payments import start_payment, view_of
from masu.services.policy import BookingPolicy

RATE_LIMIT_WINDOW = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class NewBooking:
    """What a customer asks for; shapes are already checked, business rules are not."""

    treatment_id: str
    duration_minutes: int | None
    starts_at: datetime
    recipient_name: str
    recipient_phone: str
    recipient_email: str | None
    street: str
    city: str
    building: str | None
    apartment: str | None
    gender_preference: str
    notes: str | None
    coupon_code: str | None
    customer_id: str | None = None
    # An admin may book a time the wizard would not offer (nobody free then); the history records it.
    force: bool = False


@dataclass(frozen=True, slots=True)
class _Checked:
    treatment: Treatment
    pricing: TreatmentPricing
    minutes: int
    city: City
    recipient_phone: str
    closed_time: ValidationFailed | None  # why the time is not open, when `force` books it anyway


async def create_booking(
    session: AsyncSession, *, now: datetime, policy: BookingPolicy, principal: Principal, command: NewBooking
) -> BookingView:
    """Create a priced booking in its first state; appends `booking.created` (caller commits).

    With a gateway and an amount due it starts in pending_payment with a payment due within the timeout.
    A time at which nobody could take the visit is refused unless an admin forces it.
    """
    if command.force and not principal.is_admin:
        raise ValidationFailed("force", "only an admin may book a time nobody is free at")
    customer = await _customer_for(session, principal, command)
    checked = await _check(session, now=now, policy=policy, command=command)
    await user_repository.lock_user(session, customer.id)
    await _enforce_rate_limit(session, customer.id, now=now, policy=policy)
    coupon = await _usable_coupon(session, command.coupon_code, customer.id)
    price = await _quote(session, checked, command, coupon=coupon, now=now)
    redeemed = coupon if coupon is not None and price.discount > 0 else None
    if redeemed is not None and not await catalogue_repository.take_coupon_use(session, redeemed.id):
        raise ValidationFailed("couponCode", "this coupon has been used up", code="coupon_exhausted")
    booking = _new_booking(customer, checked, command, price, await _booking_number(session, now))
    booking.coupon_id = redeemed.id if redeemed is not None else None
    actor = Actor.ADMIN if principal.is_admin and principal.user_id != customer.id else Actor.CUSTOMER
    context = _creation_context(now, policy, price, is_owner=actor is Actor.CUSTOMER)
    first_entry = await apply_decision(
        session,
        booking,
        decide(None, Action.CREATE, actor, context),
        now=now,
        trigger=Trigger(actor, principal.user_id, reason=_forced_note(checked)),
        changes={"created_at": now},
    )
    if redeemed is not None:
        catalogue_repository.record_redemption(
            session, coupon_id=redeemed.id, user_id=customer.id, booking_id=booking.id, at=now
        )
    if booking.status != BookingStatus.PENDING_PAYMENT:
        return BookingView(booking, [first_entry])
    payment = start_payment(session, booking=booking, policy=policy, now=now)
    return BookingView(booking, [first_entry], view_of(payment, booking_status=booking.status))


async def price_booking(
    session: AsyncSession, *, now: datetime, policy: BookingPolicy, customer_id: str, command: NewBooking
) -> PriceDetails:
    """The price `create_booking` would set for `command` now, coupon included; writes nothing.

    Raises ValidationFailed naming the field, exactly as creating the booking would.
    """
    checked = await _check(session, now=now, policy=policy, command=command)
    coupon = await _usable_coupon(session, command.coupon_code, customer_id)
    return await _quote(session, checked, command, coupon=coupon, now=now)


async def _customer_for(session: AsyncSession, principal: Principal, command: NewBooking) -> User:
    """The booking's owner: the caller, or for an admin the `userId` they name."""
    customer_id = principal.user_id
    if command.customer_id is not None and command.customer_id != principal.user_id:
        if not principal.is_admin:
            raise ValidationFailed("userId", "only an admin may book for another user")
        customer_id = command.customer_id
    customer = await user_repository.get_user(session, customer_id)
    if customer is None or not customer.is_active:
        raise ValidationFailed("userId", "no such active user")
    if customer.id == principal.user_id:
        require_verified_phone(customer)  # an admin booking for someone vouches for them
    return customer


async def _check(
    session: AsyncSession, *, now: datetime, policy: BookingPolicy, command: NewBooking
) -> _Checked:
    """Every rule of the request that needs the catalogue; raises ValidationFailed naming the field.

    The time must be one the booking wizard offers (`slot_refusal`), unless the command forces it.
    """
    check_visit_time(command.starts_at, now=now, min_lead=policy.min_lead, max_horizon=policy.max_horizon)
    treatment = await catalogue_repository.get_treatment(session, command.treatment_id)
    if treatment is None or not treatment.is_active:
        raise ValidationFailed("treatmentId", "no such treatment is offered")
    durations = await catalogue_repository.durations_of(session, [treatment.id], active_only=True)
    pricing = treatment_pricing(treatment, durations)
    minutes, _, _ = base_price_for(pricing, command.duration_minutes)
    if command.gender_preference != "any" and not treatment.allows_gender_preference:
        raise ValidationFailed(
            "therapistGenderPreference", "this treatment does not offer a choice of gender"
        )
    city = await catalogue_repository.find_city(session, command.city)
    if city is None:
        raise ValidationFailed("address.city", "we do not serve this city yet")
    phone = normalize_israeli_mobile(command.recipient_phone, field="recipientPhone")
    closed = await slot_refusal(
        session, now=now, policy=policy, query=_slot(command, city), starts_at=command.starts_at
    )
    if closed is not None and not command.force:
        raise closed
    return _Checked(treatment, pricing, minutes, city, recipient_phone=phone, closed_time=closed)


def _slot(command: NewBooking, city: City) -> SlotQuery:
    """The wizard's question for this visit: its treatment, length, city, local day and gender wish."""
    day = command.starts_at.astimezone(BUSINESS_TZ).date()
    return SlotQuery(command.treatment_id, command.duration_minutes, city.id, day, command.gender_preference)


def _forced_note(checked: _Checked) -> str | None:
    """The history's reason for a booking an admin forced at a time that was not open."""
    return f"time forced despite: {checked.closed_time.message}" if checked.closed_time else None


async def _enforce_rate_limit(
    session: AsyncSession, user_id: str, *, now: datetime, policy: BookingPolicy
) -> None:
    """Refuse a booking beyond MAX_BOOKINGS_PER_HOUR; exact because the caller holds the user's lock."""
    limit = policy.max_bookings_per_hour
    newest = await booking_repository.newest_creation_times(
        session, user_id, after=now - RATE_LIMIT_WINDOW, limit=limit
    )
    if len(newest) >= limit:
        oldest_that_must_expire = newest[-1]
        raise RateLimited(
            f"at most {policy.max_bookings_per_hour} bookings an hour",
            retry_after_seconds=retry_after_seconds(
                oldest_that_must_expire, now=now, window=RATE_LIMIT_WINDOW
            ),
        )


async def _usable_coupon(session: AsyncSession, code: str | None, user_id: str) -> Coupon | None:
    """The coupon named by `code`, if the user has not used up their share of it."""
    if code is None or not code.strip():
        return None
    coupon = await catalogue_repository.get_coupon_by_code(session, code)
    if coupon is None:
        raise ValidationFailed("couponCode", "no such coupon", code="coupon_unknown")
    if coupon.per_user_limit is not None:
        used = await catalogue_repository.redemptions_by_user(session, coupon.id, user_id)
        if used >= coupon.per_user_limit:
            raise ValidationFailed(
                "couponCode", "you have already used this coupon", code="coupon_used_by_user"
            )
    return coupon


async def _quote(
    session: AsyncSession, checked: _Checked, command: NewBooking, *, coupon: Coupon | None, now: datetime
) -> PriceDetails:
    rules = [
        surcharge_rule(rule)
        for rule in await catalogue_repository.list_surcharge_rules(session, active_only=True)
    ]
    return quote(
        pricing=checked.pricing,
        duration_minutes=command.duration_minutes,
        starts_at=command.starts_at,
        surcharge_rules=rules,
        coupon=coupon_terms(coupon) if coupon is not None else None,
        now=now,
    )


async def _booking_number(session: AsyncSession, now: datetime) -> str:
    sequence = await booking_repository.next_booking_sequence(session)
    return f"MASU-{now.astimezone(BUSINESS_TZ).year}-{sequence:06d}"


def _creation_context(
    now: datetime, policy: BookingPolicy, price: PriceDetails, *, is_owner: bool
) -> TransitionContext:
    return TransitionContext(
        now=now,
        is_owner=is_owner,
        payment_required=policy.payment_gateway_enabled and price.final_amount > 0,
        reviews_enabled=policy.reviews_enabled,
    )


def _new_booking(
    customer: User, checked: _Checked, command: NewBooking, price: PriceDetails, number: str
) -> Booking:
    starts_at = command.starts_at.astimezone(UTC)
    return Booking(
        booking_number=number,
        user_id=customer.id,
        treatment_id=checked.treatment.id,
        duration_minutes=checked.minutes,
        booking_date_time=starts_at,
        ends_at=starts_at + timedelta(minutes=checked.minutes),
        recipient_name=command.recipient_name.strip(),
        recipient_phone=checked.recipient_phone,
        recipient_email=command.recipient_email,
        is_for_someone_else=checked.recipient_phone != customer.phone,
        city_id=checked.city.id,
        address_street=command.street.strip(),
        address_city=checked.city.name,
        address_building=command.building,
        address_apartment=command.apartment,
        therapist_gender_preference=command.gender_preference,
        notes=command.notes,
        base_price=price.base_price,
        surcharges=[
            {
                "ruleId": s.rule_id,
                "description": s.description,
                "amount": s.amount,
                "professionalShare": s.professional_share,
            }
            for s in price.surcharges
        ],
        total_surcharges=price.total_surcharges,
        discount=price.discount,
        final_amount=price.final_amount,
        base_professional_payment=price.base_professional_payment,
        surcharges_professional_payment=price.surcharges_professional_payment,
        payment_bonus=price.payment_bonus,
        total_professional_payment=price.total_professional_payment,
        company_fee=price.company_fee,
        payment_status="pending" if price.final_amount > 0 else "not_required",
    )
