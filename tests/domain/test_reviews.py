"""The review cycle's schedule and the review rules, table-driven and without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from masu.domain.errors import ValidationFailed
from masu.domain.reviews import (
    DueStep,
    ReviewSchedule,
    ReviewStep,
    booking_id_from_review_token,
    checked_comment,
    checked_rating,
    checked_reply,
    plan_step,
    review_token,
    step_after,
)

T0 = datetime(2027, 3, 25, 9, 0, tzinfo=UTC)  # the request
H, D = timedelta(hours=1), timedelta(days=1)
DEFAULT = ReviewSchedule()
CONFIGURED = ReviewSchedule(
    first_reminder_after=2 * H, second_reminder_after=1 * D, final_reminder_after=2 * D, close_after=3 * D
)
R, F1, F2, F3, CLOSE = (
    ReviewStep.REQUEST,
    ReviewStep.FIRST_REMINDER,
    ReviewStep.SECOND_REMINDER,
    ReviewStep.FINAL_REMINDER,
    ReviewStep.CLOSE_WINDOW,
)


@pytest.mark.parametrize(
    ("schedule", "expected_offsets"),
    [
        # 24 h, then 3 d, then 7 d, then 7 d: the defaults.
        (DEFAULT, {R: 0 * H, F1: 24 * H, F2: 24 * H + 3 * D, F3: 24 * H + 10 * D, CLOSE: 24 * H + 17 * D}),
        (CONFIGURED, {R: 0 * H, F1: 2 * H, F2: 2 * H + 1 * D, F3: 2 * H + 3 * D, CLOSE: 2 * H + 6 * D}),
    ],
)
def test_the_timeline_when_every_step_goes_out_on_time(
    schedule: ReviewSchedule, expected_offsets: dict[ReviewStep, timedelta]
) -> None:
    assert schedule.timeline(T0) == {step: T0 + offset for step, offset in expected_offsets.items()}


def test_the_steps_follow_each_other_and_end_with_the_close() -> None:
    assert [step_after(step) for step in ReviewStep] == [F1, F2, F3, CLOSE, None]


# (schedule, pending step, its due offset from T0, now offset from T0) -> (perform, skipped, then, due offset)
# where `then`'s due offset is from `now` (the step after the one performed is timed from when it went out).
PLANS: list[
    tuple[ReviewSchedule, ReviewStep, timedelta, timedelta, object, tuple[ReviewStep, ...], object]
] = [
    # Nothing is due yet: the pending step stays as it is.
    (DEFAULT, F1, 24 * H, 24 * H - timedelta(seconds=1), None, (), (F1, 24 * H - timedelta(seconds=1))),
    # The request goes out at once and the first reminder follows 24 h later.
    (DEFAULT, R, 0 * H, 0 * H, R, (), (F1, 24 * H)),
    # Exactly on time: each reminder is sent and the next one is timed from it.
    (DEFAULT, F1, 24 * H, 24 * H, F1, (), (F2, 3 * D)),
    (DEFAULT, F2, 24 * H + 3 * D, 24 * H + 3 * D, F2, (), (F3, 7 * D)),
    (DEFAULT, F3, 24 * H + 10 * D, 24 * H + 10 * D, F3, (), (CLOSE, 7 * D)),
    (DEFAULT, CLOSE, 24 * H + 17 * D, 24 * H + 17 * D, CLOSE, (), None),
    # Late, but before the next step is due: still worth sending, and the next one is timed from now.
    (DEFAULT, F1, 24 * H, 24 * H + 2 * D, F1, (), (F2, 3 * D)),
    # So late that the second reminder is due too: the first is skipped, the second sent.
    (DEFAULT, F1, 24 * H, 24 * H + 3 * D, F2, (F1,), (F3, 7 * D)),
    # Every reminder overtaken: they are all skipped and the window closes.
    (DEFAULT, F1, 24 * H, 24 * H + 30 * D, CLOSE, (F1, F2, F3), None),
    # The request itself is never skipped, however late the worker comes.
    (DEFAULT, R, 0 * H, 40 * D, R, (), (F1, 24 * H)),
    # A configured schedule: 2 h, 1 d, 2 d, 3 d.
    (CONFIGURED, R, 0 * H, 0 * H, R, (), (F1, 2 * H)),
    (CONFIGURED, F1, 2 * H, 2 * H, F1, (), (F2, 1 * D)),
    (CONFIGURED, F1, 2 * H, 2 * H + 1 * D, F2, (F1,), (F3, 2 * D)),
    (CONFIGURED, F3, 2 * H + 3 * D, 2 * H + 6 * D, CLOSE, (F3,), None),
]


@pytest.mark.parametrize(("schedule", "step", "due", "now", "perform", "skipped", "then"), PLANS)
def test_what_the_cycle_does_at_a_moment(
    schedule: ReviewSchedule,
    step: ReviewStep,
    due: timedelta,
    now: timedelta,
    perform: ReviewStep | None,
    skipped: tuple[ReviewStep, ...],
    then: tuple[ReviewStep, timedelta] | None,
) -> None:
    plan = plan_step(DueStep(step, T0 + due), now=T0 + now, schedule=schedule)

    assert plan.perform == perform
    assert plan.skipped == skipped
    if perform is None:
        assert plan.then == DueStep(step, T0 + due)
    elif then is None:
        assert plan.then is None
    else:
        assert plan.then == DueStep(then[0], T0 + now + then[1])


def test_the_schedule_is_absolute_time_across_the_spring_dst_change() -> None:
    # Thursday 2027-03-25 11:00 in Israel (+02:00); clocks go forward on Friday 02:00 local.
    requested = datetime.fromisoformat("2027-03-25T11:00:00+02:00")
    first = DEFAULT.timeline(requested)[F1]

    assert first - requested == timedelta(hours=24)
    assert first.astimezone(UTC) == datetime(2027, 3, 26, 9, 0, tzinfo=UTC)  # 12:00 local (+03:00)


@pytest.mark.parametrize(
    ("rating", "accepted"),
    [
        (1, True),
        (3, True),
        (5, True),
        (0, False),
        (6, False),
        (-1, False),
        (True, False),
        (4.0, False),
        ("4", False),
    ],
)
def test_a_rating_is_a_whole_number_from_one_to_five(rating: object, accepted: bool) -> None:
    if accepted:
        assert checked_rating(rating) == rating
    else:
        with pytest.raises(ValidationFailed) as refused:
            checked_rating(rating)
        assert refused.value.field == "rating"


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("  Lovely, thank you  ", "Lovely, thank you"),
        ("x" * 1000, "x" * 1000),
        ("  " + "x" * 1000 + "  ", "x" * 1000),
    ],
)
def test_a_comment_is_trimmed_and_empty_means_none(comment: str | None, expected: str | None) -> None:
    assert checked_comment(comment) == expected


def test_a_comment_longer_than_a_thousand_characters_is_refused() -> None:
    with pytest.raises(ValidationFailed) as refused:
        checked_comment("x" * 1001)
    assert refused.value.field == "comment"


@pytest.mark.parametrize(
    ("reply", "field_error"), [("Thank you!", False), ("", True), ("  ", True), ("x" * 1001, True)]
)
def test_a_reply_is_not_empty_and_at_most_a_thousand_characters(reply: str, field_error: bool) -> None:
    if not field_error:
        assert checked_reply(f"  {reply} ") == reply
        return
    with pytest.raises(ValidationFailed) as refused:
        checked_reply(reply)
    assert refused.value.field == "reply"


def test_a_review_token_names_its_booking_and_cannot_be_forged() -> None:
    token = review_token("b0123456789abcdef", "secret-one")
    booking_id, signature = token.split(".")

    assert booking_id_from_review_token(token, "secret-one") == "b0123456789abcdef"
    assert booking_id_from_review_token(token, "secret-two") is None
    assert booking_id_from_review_token(f"another-booking.{signature}", "secret-one") is None
    assert booking_id_from_review_token(f"{booking_id}.{'0' * len(signature)}", "secret-one") is None
    assert booking_id_from_review_token(booking_id, "secret-one") is None
