"""Review rules: the single-use review link, the request-and-reminder schedule, what a review may say."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from masu.domain.errors import ValidationFailed

__all__ = [
    "MAX_COMMENT_LENGTH",
    "MAX_REPLY_LENGTH",
    "REMINDERS",
    "DueStep",
    "ReviewSchedule",
    "ReviewStep",
    "StepPlan",
    "booking_id_from_review_token",
    "checked_comment",
    "checked_rating",
    "checked_reply",
    "plan_step",
    "review_token",
    "step_after",
]

_TOKEN_BYTES = 16  # 128 bits of HMAC on top of the booking's random id
MAX_COMMENT_LENGTH = 1000
MAX_REPLY_LENGTH = 1000
MIN_RATING, MAX_RATING = 1, 5


# --- the link -----------------------------------------------------------------------------------------


def review_token(booking_id: str, secret: str) -> str:
    """The token of a booking's review link: its id and an HMAC of it, so nothing secret needs storing."""
    return f"{booking_id}.{_signature(booking_id, secret)}"


def booking_id_from_review_token(token: str, secret: str) -> str | None:
    """The booking a review token was issued for, or None for a forged or damaged token."""
    booking_id, _, signature = token.partition(".")
    if not booking_id or not hmac.compare_digest(signature, _signature(booking_id, secret)):
        return None
    return booking_id


def _signature(booking_id: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), b"review:" + booking_id.encode(), hashlib.sha256).hexdigest()
    return digest[: _TOKEN_BYTES * 2]


# --- the schedule -------------------------------------------------------------------------------------


class ReviewStep(StrEnum):
    """The steps of a booking's review cycle, in order."""

    REQUEST = "request"
    FIRST_REMINDER = "first_reminder"
    SECOND_REMINDER = "second_reminder"
    FINAL_REMINDER = "final_reminder"
    CLOSE_WINDOW = "close_window"


_ORDER: tuple[ReviewStep, ...] = tuple(ReviewStep)
REMINDERS: frozenset[ReviewStep] = frozenset(
    {ReviewStep.FIRST_REMINDER, ReviewStep.SECOND_REMINDER, ReviewStep.FINAL_REMINDER}
)


@dataclass(frozen=True, slots=True)
class ReviewSchedule:
    """How long after the step before it each step of the cycle is due (absolute time, so DST is moot)."""

    first_reminder_after: timedelta = timedelta(hours=24)
    second_reminder_after: timedelta = timedelta(days=3)
    final_reminder_after: timedelta = timedelta(days=7)
    close_after: timedelta = timedelta(days=7)

    def gap_before(self, step: ReviewStep) -> timedelta:
        """How long after the previous step `step` falls due; the request is due at once."""
        gaps = {
            ReviewStep.REQUEST: timedelta(0),
            ReviewStep.FIRST_REMINDER: self.first_reminder_after,
            ReviewStep.SECOND_REMINDER: self.second_reminder_after,
            ReviewStep.FINAL_REMINDER: self.final_reminder_after,
            ReviewStep.CLOSE_WINDOW: self.close_after,
        }
        return gaps[step]

    def timeline(self, requested_at: datetime) -> dict[ReviewStep, datetime]:
        """When every step falls due if each one goes out the moment it is due."""
        moments, at = {}, requested_at
        for step in _ORDER:
            at += self.gap_before(step)
            moments[step] = at
        return moments


def step_after(step: ReviewStep) -> ReviewStep | None:
    """The step that follows `step`; None after the window closes."""
    index = _ORDER.index(step) + 1
    return _ORDER[index] if index < len(_ORDER) else None


@dataclass(frozen=True, slots=True)
class DueStep:
    """The next step of a booking's cycle and the moment it falls due."""

    step: ReviewStep
    due_at: datetime


@dataclass(frozen=True, slots=True)
class StepPlan:
    """What to do for a booking's cycle at a given moment."""

    perform: ReviewStep | None  # the step to carry out now (None: nothing is due yet)
    skipped: tuple[ReviewStep, ...]  # reminders whose moment passed before they could go out
    then: DueStep | None  # what falls due next once `perform` is done (None: the cycle is over)


def plan_step(due: DueStep, *, now: datetime, schedule: ReviewSchedule) -> StepPlan:
    """Decide what the cycle does at `now`: skip reminders the next step overtook, perform the due step."""
    if now < due.due_at:
        return StepPlan(perform=None, skipped=(), then=due)
    step, due_at, skipped = due.step, due.due_at, []
    # A reminder is only worth sending while the step after it is not yet due itself.
    while step in REMINDERS:
        following = step_after(step)
        assert following is not None
        following_due = due_at + schedule.gap_before(following)
        if now < following_due:
            break
        skipped.append(step)
        step, due_at = following, following_due
    following = step_after(step)
    # The step after the one performed is timed from `now`, when this one actually happens.
    then = DueStep(following, now + schedule.gap_before(following)) if following is not None else None
    return StepPlan(perform=step, skipped=tuple(skipped), then=then)


# --- what a review may say ----------------------------------------------------------------------------


def checked_rating(rating: object) -> int:
    """The rating if it is a whole number from 1 to 5; ValidationFailed on `rating` otherwise."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not MIN_RATING <= rating <= MAX_RATING:
        raise ValidationFailed("rating", f"must be a whole number from {MIN_RATING} to {MAX_RATING}")
    return rating


def checked_comment(comment: str | None) -> str | None:
    """The comment trimmed (None when empty); ValidationFailed on `comment` beyond 1000 characters."""
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT_LENGTH:
        raise ValidationFailed("comment", f"must be at most {MAX_COMMENT_LENGTH} characters")
    return text or None


def checked_reply(reply: str) -> str:
    """The professional's reply trimmed; ValidationFailed on `reply` when empty or beyond 1000 characters."""
    text = reply.strip()
    if not text:
        raise ValidationFailed("reply", "may not be empty")
    if len(text) > MAX_REPLY_LENGTH:
        raise ValidationFailed("reply", f"must be at most {MAX_REPLY_LENGTH} characters")
    return text
