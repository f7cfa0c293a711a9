"""The review cycle of a treated booking: the request, the reminders and the window's close, due in time."""

from __future__ import annotations

from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.access import Principal
from masu.domain.errors import Conflict, Forbidden, NotFound
from masu.domain.events import ReviewRequested
from masu.domain.lifecycle import Action, Actor, BookingStatus, TransitionContext, decide
from masu.domain.reviews import DueStep, ReviewSchedule, ReviewStep, StepPlan, plan_step, step_after
from masu.events.outbox import append_event
from masu.persistence.models import Booking
from masu.persistence.repositories import booking as booking_repository
from masu.persistence.repositories import review as review_repository
from masu.services.booking.transitions import Trigger, apply_decision

_log = structlog.get_logger(__name__)

CYCLES_PER_PASS = 200  # bookings a worker pass moves at most; the rest are still due on the next pass
_SENT_AT = {
    ReviewStep.REQUEST: "review_request_sent_at",
    ReviewStep.FIRST_REMINDER: "first_reminder_sent_at",
    ReviewStep.SECOND_REMINDER: "second_reminder_sent_at",
    ReviewStep.FINAL_REMINDER: "final_reminder_sent_at",
}


async def request_review(
    session: AsyncSession, *, booking_id: str, now: datetime, schedule: ReviewSchedule
) -> bool:
    """Send a pending_review booking's request once: stamp, emit `review.requested`, schedule the reminder."""
    booking = await booking_repository.get_booking(session, booking_id, for_update=True)
    if booking is None or booking.status != BookingStatus.PENDING_REVIEW:
        return False
    if booking.review_request_sent_at is not None:
        return False
    await _carry_out(session, booking, DueStep(ReviewStep.REQUEST, now), now=now, schedule=schedule)
    return True


async def run_due_review_steps(
    session: AsyncSession, *, now: datetime, schedule: ReviewSchedule, limit: int = CYCLES_PER_PASS
) -> int:
    """Carry out the review steps due at `now` (requests, reminders, window closes); how many were done."""
    done = 0
    for booking_id in await review_repository.due_cycles(session, now, limit):
        # The booking's lock guards its cycle row: every writer of the cycle takes it first.
        booking = await review_repository.lock_booking_unless_busy(session, booking_id)
        cycle = await review_repository.cycle_of(session, booking_id) if booking else None
        if booking is None or cycle is None or cycle.next_step_at > now:
            continue
        if booking.status != BookingStatus.PENDING_REVIEW:
            # Reviewed, closed or taken out of review by any other path: nothing more is wanted for it.
            await review_repository.end_cycle(session, booking_id)
            continue
        due = DueStep(ReviewStep(cycle.next_step), cycle.next_step_at)
        done += await _carry_out(session, booking, due, now=now, schedule=schedule)
    return done


async def _carry_out(
    session: AsyncSession, booking: Booking, due: DueStep, *, now: datetime, schedule: ReviewSchedule
) -> int:
    """Do what the plan says for this due step: send a message or close the window; 1 if anything was."""
    plan = plan_step(due, now=now, schedule=schedule)
    if plan.perform is None:
        return 0
    if plan.skipped:
        _log.info("review_reminders_skipped", booking_id=booking.id, steps=[s.value for s in plan.skipped])
    if plan.perform is ReviewStep.CLOSE_WINDOW:
        await _close_window(session, booking, now)
        await review_repository.end_cycle(session, booking.id)
        return 1
    assert plan.then is not None, "every message step is followed by another step"
    setattr(booking, _SENT_AT[plan.perform], now)
    append_event(session, _request(booking, plan), now=now)
    await review_repository.save_cycle(
        session, booking.id, step=plan.then.step.value, due_at=plan.then.due_at
    )
    return 1


def _request(booking: Booking, plan: StepPlan) -> ReviewRequested:
    """What the messages need: the booking and the step; `send_before` is when the next step makes it moot."""
    assert plan.perform is not None
    assert plan.then is not None
    return ReviewRequested(booking_id=booking.id, step=plan.perform, send_before=plan.then.due_at)


async def _close_window(session: AsyncSession, booking: Booking, now: datetime) -> None:
    """Nobody reviewed in time: the system completes the booking (`booking.review_window_closed`)."""
    decision = decide(
        BookingStatus.PENDING_REVIEW, Action.CLOSE_REVIEW_WINDOW, Actor.SYSTEM, TransitionContext(now=now)
    )
    await apply_decision(
        session, booking, decision, now=now, trigger=Trigger(Actor.SYSTEM, None, "review_window_closed")
    )


async def resend_review_request(
    session: AsyncSession, *, admin: Principal, booking_id: str, now: datetime, schedule: ReviewSchedule
) -> None:
    """Queue the review request again (`review.requested`, step `request`) for a booking still awaiting it.

    The reminder schedule is left as it is: the resend is for a customer who lost the first message, and
    restarting the cycle would push the window's close out past what the rules allow. The message is valid
    until the window closes (the link is signed with the booking id and works while it is pending_review).
    A request not sent yet goes out as the cycle's own first step. Conflict when the booking is not awaiting
    its review, already has one or its window has passed; NotFound for no such booking.
    """
    if not admin.is_admin:
        raise Forbidden("only admins may resend a review request", code="admins_only")
    booking = await booking_repository.get_booking(session, booking_id, for_update=True)
    if booking is None:
        raise NotFound("no such booking")
    if booking.status != BookingStatus.PENDING_REVIEW:
        raise Conflict("this booking is not awaiting a review", code="not_awaiting_review")
    if await review_repository.review_of_booking(session, booking.id) is not None:
        raise Conflict("this booking has already been reviewed", code="already_reviewed")
    if booking.review_request_sent_at is None:
        await _carry_out(session, booking, DueStep(ReviewStep.REQUEST, now), now=now, schedule=schedule)
        return
    closes_at = await review_window_closes_at(session, booking.id, schedule=schedule)
    if closes_at is None or closes_at <= now:
        raise Conflict("the review window of this booking has closed", code="review_window_closed")
    resent = ReviewRequested(
        booking_id=booking.id, step=ReviewStep.REQUEST, send_before=closes_at, resent_by=admin.user_id
    )
    append_event(session, resent, now=now)


async def review_window_closes_at(
    session: AsyncSession, booking_id: str, *, schedule: ReviewSchedule
) -> datetime | None:
    """When the booking's review window closes as its cycle now stands; None when no cycle runs."""
    cycle = await review_repository.cycle_of(session, booking_id)
    if cycle is None:
        return None
    step, at = ReviewStep(cycle.next_step), cycle.next_step_at
    # The steps still to come each follow the one before by their gap, as the worker will time them.
    while step is not ReviewStep.CLOSE_WINDOW:
        following = step_after(step)
        assert following is not None, "the window's close ends every cycle"
        step, at = following, at + schedule.gap_before(following)
    return at
