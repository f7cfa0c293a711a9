"""Offering bookings to professionals in waves; the first accept wins; expiry and exhaustion."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.dispatch import pay_for
from masu.domain.errors import Conflict, NotFound
from masu.domain.events import (
    BookingDispatchExhausted,
    OfferAccepted,
    OfferCreated,
    OfferDeclined,
    OfferExpired,
    OfferWithdrawn,
)
from masu.domain.lifecycle import Action, Actor, BookingStatus, TransitionContext, decide
from masu.domain.matching import TRAVEL_BUFFER
from masu.events.outbox import append_event
from masu.observability.metrics import MATCHING_SECONDS
from masu.persistence.models import Booking, Offer
from masu.persistence.queries import matching as matching_queries
from masu.persistence.repositories import booking as booking_repository
from masu.persistence.repositories import catalogue as catalogue_repository
from masu.persistence.repositories import offer as offer_repository
from masu.persistence.repositories import user as user_repository
from masu.services.booking.access import BookingView, history_view
from masu.services.booking.transitions import Trigger, apply_decision
from masu.services.dispatch.matching import needs_of, next_candidates
from masu.services.policy import BookingPolicy

_log = structlog.get_logger(__name__)
SLOW_MATCHING_SECONDS = 30
OfferAnswer = type[OfferAccepted] | type[OfferDeclined] | type[OfferExpired] | type[OfferWithdrawn]


@dataclass
class WaveResult:
    """What a dispatch attempt did."""

    offers: list[Offer] = field(default_factory=list)
    exhausted: bool = False


async def dispatch_wave(
    session: AsyncSession,
    *,
    booking_id: str,
    now: datetime,
    policy: BookingPolicy,
    size: int | None = None,
    even_if_open: bool = False,
    fresh_round: bool = False,
) -> WaveResult:
    """Offer the booking to the next wave unless it is taken or (unless `even_if_open`) a wave is still open.

    `size` overrides the wave size (None: MAX_PROFESSIONAL_RESPONSES); `fresh_round` may ask again everyone
    not asked since now (declines always stand). Flags the booking for an admin when nobody is left.
    """
    booking = await booking_repository.get_booking(session, booking_id, for_update=True)
    if booking is None or booking.status != BookingStatus.PENDING_PROFESSIONAL or booking.professional_id:
        return WaveResult()
    live = await offer_repository.live_offer_professionals(session, booking.id, now)
    if live and not even_if_open:
        return WaveResult()
    round_start = now if fresh_round else await offer_repository.round_started_at(session, booking.id)
    offered, last_wave = await offer_repository.offered_since(session, booking.id, round_start)
    chosen = await next_candidates(session, booking, exclude=offered | live, size=size or policy.wave_size)
    if not chosen:
        return await _exhausted(session, booking, now) if not live else WaveResult()
    offers = [
        Offer(
            booking_id=booking.id,
            professional_id=e.professional_id,
            wave=last_wave + 1,
            match_score=e.match_score,
            notified_at=now,
            expires_at=now + policy.offer_timeout,
            response_status="pending",
            created_at=now,
        )
        for e in chosen
    ]
    session.add_all(offers)
    await session.flush()
    for offer in offers:
        created = OfferCreated(
            offer_id=offer.id,
            booking_id=offer.booking_id,
            professional_id=offer.professional_id,
            wave=offer.wave,
            expires_at=offer.expires_at,
        )
        append_event(session, created, now=now)
    if last_wave == 0:
        _record_matching_time(booking, round_start, now)
    return WaveResult(offers=offers)


async def accept_offer(
    session: AsyncSession, *, offer_id: str, professional_id: str, now: datetime, policy: BookingPolicy
) -> BookingView:
    """Give the booking to this professional if the offer is still open and nobody took it (one winner)."""
    offer = await _own_offer(session, offer_id, professional_id)
    # The booking's row lock orders racing accepts, assigns and expiries: each sees the others' outcome.
    booking = await booking_repository.get_booking(session, offer.booking_id, for_update=True)
    assert booking is not None
    if booking.status != BookingStatus.PENDING_PROFESSIONAL or booking.professional_id is not None:
        raise Conflict("this booking has already been taken", code="already_taken")
    await _refuse_if_busy(session, professional_id, booking)
    if not await offer_repository.answer_if_pending(session, offer.id, status="accepted", now=now):
        raise _closed(await offer_repository.get_offer(session, offer.id))
    context = TransitionContext(now=now, is_offered_professional=True, reviews_enabled=policy.reviews_enabled)
    decision = decide(BookingStatus.PENDING_PROFESSIONAL, Action.ACCEPT_OFFER, Actor.PROFESSIONAL, context)
    await apply_decision(
        session,
        booking,
        decision,
        now=now,
        trigger=Trigger(Actor.PROFESSIONAL, professional_id),
        changes={
            "professional_id": professional_id,
            "needs_attention": False,
            **await pay_changes_for(session, booking, professional_id),
        },
    )
    announce_offer(session, OfferAccepted, offer, now)
    for withdrawn in await offer_repository.withdraw_pending(session, booking.id, now):
        announce_offer(session, OfferWithdrawn, withdrawn, now)
    return await history_view(session, booking)


async def _refuse_if_busy(session: AsyncSession, professional_id: str, booking: Booking) -> None:
    """Raise Conflict when the professional already has a visit too near this one; holds their lock.

    Offers for overlapping visits may be open at once, so the check comes at the moment of taking one. The
    professional's row lock (taken after the booking's, on every path) makes their takings one at a time:
    two accepts of overlapping visits cannot both see the other as not yet taken.
    """
    await user_repository.lock_user(session, professional_id)
    if await matching_queries.has_visit_near(session, professional_id, booking, TRAVEL_BUFFER):
        raise Conflict("you already have a visit at that time", code="professional_busy")


async def decline_offer(
    session: AsyncSession, *, offer_id: str, professional_id: str, now: datetime
) -> Offer:
    """Decline an open offer; the professional is never offered this booking again."""
    offer = await _own_offer(session, offer_id, professional_id)
    if not await offer_repository.answer_if_pending(session, offer.id, status="declined", now=now):
        raise _closed(await offer_repository.get_offer(session, offer.id))
    announce_offer(session, OfferDeclined, offer, now)
    return offer


async def expire_due_offers(session: AsyncSession, *, now: datetime, limit: int = 500) -> int:
    """Expire open offers past their deadline (their handlers then offer the next wave)."""
    expired = await offer_repository.expire_due(session, now, limit)
    for offer in expired:
        announce_offer(session, OfferExpired, offer, now)
    return len(expired)


async def cancel_unstaffed_visits(session: AsyncSession, *, now: datetime, policy: BookingPolicy) -> int:
    """Cancel bookings whose visit time came with nobody assigned (reason `no_professional`)."""
    cancelled = 0
    for booking_id in await offer_repository.unstaffed_at(session, now, limit=200):
        booking = await booking_repository.get_booking(session, booking_id, for_update=True)
        if booking is None or booking.status != BookingStatus.PENDING_PROFESSIONAL:
            continue
        context = TransitionContext(
            now=now, starts_at=booking.booking_date_time, reviews_enabled=policy.reviews_enabled
        )
        decision = decide(BookingStatus.PENDING_PROFESSIONAL, Action.CANCEL, Actor.SYSTEM, context)
        await apply_decision(
            session,
            booking,
            decision,
            now=now,
            trigger=Trigger(Actor.SYSTEM, None, "no_professional"),
            changes={"cancellation_reason": "no_professional", "cancelled_by": "system"},
        )
        await offer_repository.withdraw_pending(session, booking.id, now)
        cancelled += 1
    return cancelled


async def _exhausted(session: AsyncSession, booking: Booking, now: datetime) -> WaveResult:
    """Nobody is left to ask: flag the booking for an admin, once per round."""
    if not booking.needs_attention:
        booking.needs_attention = True
        exhausted = BookingDispatchExhausted(booking_id=booking.id, booking_number=booking.booking_number)
        append_event(session, exhausted, now=now)
    return WaveResult(exhausted=True)


async def _own_offer(session: AsyncSession, offer_id: str, professional_id: str) -> Offer:
    offer = await offer_repository.get_offer(session, offer_id)
    if offer is None or offer.professional_id != professional_id:
        raise NotFound("no such offer")
    return offer


def _closed(offer: Offer | None) -> Conflict:
    """The 409 for an answer that came too late, saying why."""
    status = offer.response_status if offer else "expired"
    if status in {"pending", "expired"}:
        return Conflict("this offer has expired", code="offer_expired")
    if status == "withdrawn":
        return Conflict("this booking has already been taken", code="already_taken")
    return Conflict(f"this offer was already {status}", code=f"offer_{status}")


async def pay_changes_for(session: AsyncSession, booking: Booking, professional_id: str) -> dict[str, int]:
    """The booking's pay figures recomputed for the professional who takes it (own pay or the default)."""
    needs = await needs_of(session, booking)
    own = await offer_repository.own_pay(session, professional_id, needs.treatment_id, needs.duration_key)
    return _pay_figures(booking, own_pay=own, default_pay=await _default_pay(session, booking))


async def default_pay_changes(session: AsyncSession, booking: Booking) -> dict[str, int]:
    """The booking's pay figures with nobody assigned (the treatment's default pay)."""
    return _pay_figures(booking, own_pay=None, default_pay=await _default_pay(session, booking))


async def _default_pay(session: AsyncSession, booking: Booking) -> int:
    treatment = await catalogue_repository.get_treatment(session, booking.treatment_id)
    assert treatment is not None
    if treatment.pricing_type == "fixed":
        return int(treatment.fixed_professional_pay or 0)
    durations = await catalogue_repository.durations_of(session, [treatment.id], active_only=False)
    return next(
        (d.professional_pay for d in durations if d.minutes == booking.duration_minutes),
        booking.base_professional_payment,
    )


def _pay_figures(booking: Booking, *, own_pay: int | None, default_pay: int) -> dict[str, int]:
    pay = pay_for(
        own_pay=own_pay,
        default_pay=default_pay,
        surcharge_shares=booking.surcharges_professional_payment,
        bonus=booking.payment_bonus,
        final_amount=booking.final_amount,
    )
    return {
        "base_professional_payment": pay.base,
        "total_professional_payment": pay.total,
        "company_fee": pay.company_fee,
    }


def announce_offer(session: AsyncSession, kind: OfferAnswer, offer: Offer, now: datetime) -> None:
    """Append an event about how `offer` ended (accepted, declined, expired, withdrawn) to the outbox."""
    event = kind(
        offer_id=offer.id, booking_id=offer.booking_id, professional_id=offer.professional_id, wave=offer.wave
    )
    append_event(session, event, now=now)


def _record_matching_time(booking: Booking, round_start: datetime, now: datetime) -> None:
    """The seed's professional matching time: entering pending_professional → first offers out."""
    seconds = (now - round_start).total_seconds()
    MATCHING_SECONDS.observe(seconds)
    if seconds > SLOW_MATCHING_SECONDS:
        _log.warning("slow_professional_matching", booking_id=booking.id, seconds=round(seconds, 1))
