"""Applying a lifecycle decision to a booking: the one place a booking's status is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from masu.domain.errors import Conflict
from masu.domain.events import BOOKING_EVENT_FOR_ACTION, BookingStatusChanged
from masu.domain.lifecycle import Actor, Decision, Stamp
from masu.events.outbox import append_event
from masu.persistence.models import Booking, BookingStatusChange
from masu.persistence.repositories.booking import update_status_if

_STAMP_COLUMNS = {
    Stamp.CONFIRMED_AT: "confirmed_at",
    Stamp.TREATMENT_COMPLETED_AT: "treatment_completed_at",
    Stamp.CANCELLED_AT: "cancelled_at",
}


@dataclass(frozen=True, slots=True)
class Trigger:
    """Who caused a change (`triggeredBy`), and why."""

    actor: Actor
    actor_id: str | None
    reason: str | None = None


async def apply_decision(
    session: AsyncSession,
    booking: Booking,
    decision: Decision,
    *,
    now: datetime,
    trigger: Trigger,
    changes: dict[str, Any] | None = None,
) -> BookingStatusChange:
    """Move the booking with a conditional write, append history and the event; Conflict if raced."""
    values: dict[str, Any] = {"status": decision.to_status.value, "updated_at": now, **(changes or {})}
    values.update({_STAMP_COLUMNS[stamp]: now for stamp in decision.stamps})
    previous_professional = booking.professional_id
    if decision.from_status is None:
        for column, value in values.items():
            setattr(booking, column, value)
        session.add(booking)
        await session.flush()
    else:
        if not await update_status_if(
            session, booking.id, expected=decision.from_status.value, values=values
        ):
            raise Conflict("the booking changed meanwhile; reload it and try again", code="booking_changed")
        for column, value in values.items():
            set_committed_value(booking, column, value)
    entry = _history_entry(booking.id, decision, now, trigger)
    session.add(entry)
    append_event(session, _event(booking, decision, trigger, previous_professional), now=now)
    return entry


def _history_entry(
    booking_id: str, decision: Decision, now: datetime, trigger: Trigger
) -> BookingStatusChange:
    return BookingStatusChange(
        booking_id=booking_id,
        status=decision.to_status.value,
        action=decision.action.value,
        occurred_at=now,
        triggered_by=trigger.actor.value,
        actor_id=trigger.actor_id,
        reason=trigger.reason,
    )


def _event(
    booking: Booking, decision: Decision, trigger: Trigger, previous_professional: str | None
) -> BookingStatusChanged:
    return BOOKING_EVENT_FOR_ACTION[decision.action](
        booking_id=booking.id,
        booking_number=booking.booking_number,
        professional_id=booking.professional_id,
        previous_professional_id=previous_professional,
        action=decision.action,
        from_status=decision.from_status,
        to_status=decision.to_status,
        triggered_by=trigger.actor,
        actor_id=trigger.actor_id,
        reason=trigger.reason,
    )
