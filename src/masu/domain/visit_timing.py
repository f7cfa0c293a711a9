"""When a visit's steps may happen: on the way, started and completed, judged against `now`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from masu.domain.errors import TooEarly
from masu.domain.lifecycle import Action
from masu.domain.pricing import BUSINESS_TZ

# ON_WAY_EARLIEST_MINUTES' default: a professional rarely needs more than three hours to reach a home.
DEFAULT_ON_WAY_LEAD = timedelta(minutes=180)
# Arriving a little early and starting is fine; starting a visit hours ahead is a mistake or a fraud.
START_LEAD = timedelta(minutes=30)

_REFUSALS = {
    Action.DEPART: ("too_early_on_way", "the visit can be marked on the way from {at}"),
    Action.START: ("too_early_to_start", "the treatment can be started from {at}"),
    Action.COMPLETE: ("too_early_to_complete", "the treatment can be completed from {at}"),
}


@dataclass(frozen=True, slots=True)
class VisitTiming:
    """What the timing rules need to know about one visit."""

    starts_at: datetime  # the booked time (aware)
    duration: timedelta
    started_at: datetime | None = None  # when the treatment was marked started, if it was
    on_way_lead: timedelta = DEFAULT_ON_WAY_LEAD


def earliest(action: Action, timing: VisitTiming) -> datetime | None:
    """The first moment `action` may happen on this visit; None when no timing rule applies to it."""
    if action is Action.DEPART:
        return timing.starts_at - timing.on_way_lead
    if action is Action.START:
        return timing.starts_at - START_LEAD
    if action is Action.COMPLETE:
        # Half the treatment at least: a visit closed sooner was not given in full.
        started = timing.started_at or timing.starts_at
        return started + timing.duration / 2
    return None


def check_in_time(action: Action, timing: VisitTiming, *, now: datetime) -> None:
    """Raise TooEarly (409) when `now` is before the first moment `action` may happen on this visit."""
    first = earliest(action, timing)
    if first is None or now >= first:
        return
    code, message = _REFUSALS[action]
    at = first.astimezone(BUSINESS_TZ).isoformat(timespec="minutes")
    raise TooEarly(message.format(at=at), code=code, earliest_at=first)


def could_have_happened(starts_at: datetime, duration: timedelta, *, now: datetime) -> bool:
    """Whether a visit booked at `starts_at` could have been given by `now`, started as early as allowed."""
    return now >= starts_at - START_LEAD + duration / 2
