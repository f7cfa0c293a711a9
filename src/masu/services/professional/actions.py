"""The assigned professional moving a visit along: on the way, started, completed, or withdrawn.

Each step waits for its moment (domain.visit_timing); an admin completing a visit early gives a reason.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.access import Principal, actor_for_booking
from masu.domain.errors import Forbidden
from masu.domain.lifecycle import Action, Actor, BookingStatus, TransitionContext, decide
from masu.domain.visit_timing import VisitTiming, check_in_time
from masu.persistence.models import Booking
from masu.persistence.repositories import booking as booking_repository
from masu.persistence.repositories import offer as offer_repository
from masu.services.booking.access import BookingView, accessible_booking, history_view
from masu.services.booking.transitions import Trigger, apply_decision
from masu.services.dispatch.waves import default_pay_changes
from masu.services.policy import BookingPolicy


async def mark_on_way(
    session: AsyncSession, *, now: datetime, policy: BookingPolicy, principal: Principal, booking_id: str
) -> BookingView:
    """Move a confirmed booking to on_way (assigned professional); appends `booking.on_way`."""
    return await _move(session, now, policy, principal, booking_id, Action.DEPART)


async def start_treatment(
    session: AsyncSession, *, now: datetime, policy: BookingPolicy, principal: Principal, booking_id: str
) -> BookingView:
    """Move an on_way booking to in_treatment (assigned professional); appends `booking.treatment_started`."""
    return await _move(session, now, policy, principal, booking_id, Action.START)


async def complete_treatment(
    session: AsyncSession,
    *,
    now: datetime,
    policy: BookingPolicy,
    principal: Principal,
    booking_id: str,
    override_reason: str | None = None,
) -> BookingView:
    """Complete the visit (pending_review or completed), stamping treatmentCompletedAt; appends the event.

    An admin's `override_reason` lifts the timing rule and is recorded in the status history.
    """
    return await _move(session, now, policy, principal, booking_id, Action.COMPLETE, override_reason)


async def withdraw(
    session: AsyncSession,
    *,
    now: datetime,
    policy: BookingPolicy,
    principal: Principal,
    booking_id: str,
    reason: str,
) -> BookingView:
    """Unassign a confirmed booking at default pay, decline the offer; `booking.withdrawn` re-dispatches."""
    booking = await accessible_booking(session, principal, booking_id, for_update=True)
    context = _context(now, policy, principal, booking)
    decision = decide(BookingStatus(booking.status), Action.WITHDRAW, _actor(principal, booking), context)
    professional_id = booking.professional_id
    assert professional_id is not None, "only the assigned professional passes the withdraw guard"
    changes: dict[str, Any] = {"professional_id": None, **await default_pay_changes(session, booking)}
    await apply_decision(
        session,
        booking,
        decision,
        now=now,
        trigger=Trigger(decision.actor, principal.user_id, reason),
        changes=changes,
    )
    await offer_repository.mark_declined(session, booking.id, professional_id, now)
    return await history_view(session, booking)


async def _move(
    session: AsyncSession,
    now: datetime,
    policy: BookingPolicy,
    principal: Principal,
    booking_id: str,
    action: Action,
    override_reason: str | None = None,
) -> BookingView:
    """Lock the booking, let the lifecycle decide `action`, check its moment has come, and write it."""
    booking = await accessible_booking(session, principal, booking_id, for_update=True)
    actor = _actor(principal, booking)
    decision = decide(BookingStatus(booking.status), action, actor, _context(now, policy, principal, booking))
    if override_reason is not None and actor is not Actor.ADMIN:
        raise Forbidden("only an admin may override the visit's timing", code="override_not_allowed")
    if override_reason is None:
        check_in_time(action, await _timing(session, policy, booking, action), now=now)
    trigger = Trigger(actor, principal.user_id, override_reason)
    await apply_decision(session, booking, decision, now=now, trigger=trigger)
    return await history_view(session, booking)


async def _timing(
    session: AsyncSession, policy: BookingPolicy, booking: Booking, action: Action
) -> VisitTiming:
    """The visit's booked time and length, and (for completing it) when its treatment was marked started."""
    started_at = await _started_at(session, booking.id) if action is Action.COMPLETE else None
    return VisitTiming(
        starts_at=booking.booking_date_time,
        duration=timedelta(minutes=booking.duration_minutes),
        started_at=started_at,
        on_way_lead=policy.on_way_lead,
    )


async def _started_at(session: AsyncSession, booking_id: str) -> datetime | None:
    """When the treatment was last marked started, from the status history (the booking keeps no stamp)."""
    history = await booking_repository.status_history(session, booking_id)
    started = [entry.occurred_at for entry in history if entry.status == BookingStatus.IN_TREATMENT]
    return started[-1] if started else None


def _actor(principal: Principal, booking: Booking) -> Actor:
    """The lifecycle actor the principal is on this booking."""
    return actor_for_booking(principal, owner_id=booking.user_id, professional_id=booking.professional_id)


def _context(
    now: datetime, policy: BookingPolicy, principal: Principal, booking: Booking
) -> TransitionContext:
    """The facts the lifecycle's guards and branches need for this principal and booking."""
    return TransitionContext(
        now=now,
        starts_at=booking.booking_date_time,
        cancellation_cutoff=policy.cancellation_cutoff,
        is_owner=principal.user_id == booking.user_id,
        is_assigned_professional=booking.professional_id is not None
        and principal.user_id == booking.professional_id,
        reviews_enabled=policy.reviews_enabled,
    )
