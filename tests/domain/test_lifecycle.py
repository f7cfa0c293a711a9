"""Tests for the booking state machine, checked against a spec table written out independently here."""

from __future__ import annotations

import contextlib
import itertools
from datetime import UTC, datetime, timedelta

import pytest

from masu.domain.errors import Conflict, DomainError, Forbidden, IllegalTransition
from masu.domain.lifecycle import (
    ACTIVE_STATUSES,
    TERMINAL_STATUSES,
    Action,
    Actor,
    BookingStatus,
    Stamp,
    TransitionContext,
    allowed_actions,
    decide,
)

NOW = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
VISIT = NOW + timedelta(days=2)

# Every guard passes; no payment due; reviews on.
ALL_PASS = TransitionContext(
    now=NOW,
    starts_at=VISIT,
    is_owner=True,
    is_assigned_professional=True,
    is_offered_professional=True,
    payment_required=False,
    reviews_enabled=True,
)
# Nobody is anybody: every identity guard fails.
NOBODY = TransitionContext(now=NOW, starts_at=VISIT)

PP = "pending_payment"
PPRO = "pending_professional"
CONF = "confirmed"
ONW = "on_way"
INT = "in_treatment"
PREV = "pending_review"
DONE = "completed"
CANC = "cancelled"
REF = "refunded"

# The spec, by hand, as plain strings: (action, from) -> {actor: to} under ALL_PASS.
EXPECTED: dict[tuple[str, str | None], dict[str, str]] = {
    ("create", None): {"customer": PPRO, "admin": PPRO},
    ("payment_succeeded", PP): {"system": PPRO},
    ("payment_failed", PP): {"system": CANC},
    ("accept_offer", PPRO): {"professional": CONF},
    ("assign", PPRO): {"admin": CONF},
    ("unassign", CONF): {"admin": PPRO},
    ("withdraw", CONF): {"professional": PPRO},
    ("depart", CONF): {"professional": ONW},
    ("start", ONW): {"professional": INT},
    ("complete", INT): {"professional": PREV, "admin": PREV},
    ("complete", ONW): {"admin": PREV},
    ("complete", CONF): {"admin": PREV},
    ("review", PREV): {"customer": DONE},
    ("close_review_window", PREV): {"system": DONE},
    ("cancel", PP): {"customer": CANC, "admin": CANC, "system": CANC},
    ("cancel", PPRO): {"customer": CANC, "admin": CANC, "system": CANC},
    ("cancel", CONF): {"customer": CANC, "admin": CANC, "system": CANC},
    ("cancel", ONW): {"admin": CANC},
    ("cancel", INT): {"admin": CANC},
    ("refund", CANC): {"admin": REF, "system": REF},
}

STATES: list[str | None] = [None, PP, PPRO, CONF, ONW, INT, PREV, DONE, CANC, REF]
ACTIONS = [
    "create",
    "payment_succeeded",
    "payment_failed",
    "accept_offer",
    "assign",
    "unassign",
    "withdraw",
    "depart",
    "start",
    "complete",
    "review",
    "close_review_window",
    "cancel",
    "refund",
]
ACTORS = ["customer", "professional", "admin", "system"]


def _status(value: str | None) -> BookingStatus | None:
    """Turn a spec string into a status (None stays None)."""
    return None if value is None else BookingStatus(value)


def _error(exc_info: pytest.ExceptionInfo[DomainError]) -> tuple[type[DomainError], str]:
    """Return the exact class and code of a raised domain error."""
    return type(exc_info.value), exc_info.value.code


# --- the enums match the spec ------------------------------------------------------------------------


def test_enum_values_are_exactly_the_spec() -> None:
    assert [s.value for s in BookingStatus] == STATES[1:]
    assert [a.value for a in Action] == ACTIONS
    assert [a.value for a in Actor] == ACTORS
    assert {s.value for s in Stamp} == {"confirmed_at", "treatment_completed_at", "cancelled_at"}


def test_terminal_and_active_partition_the_states() -> None:
    assert {s.value for s in TERMINAL_STATUSES} == {DONE, CANC, REF}
    assert frozenset(BookingStatus) == ACTIVE_STATUSES | TERMINAL_STATUSES
    assert not ACTIVE_STATUSES & TERMINAL_STATUSES


# --- exhaustive: every (state, action, actor) -------------------------------------------------------


@pytest.mark.parametrize(("state", "action", "actor"), list(itertools.product(STATES, ACTIONS, ACTORS)))
def test_every_combination_matches_the_spec(state: str | None, action: str, actor: str) -> None:
    row = EXPECTED.get((action, state))
    current = _status(state)
    if row is None:
        with pytest.raises(IllegalTransition):
            decide(current, Action(action), Actor(actor), ALL_PASS)
    elif actor not in row:
        with pytest.raises(Forbidden) as exc_info:
            decide(current, Action(action), Actor(actor), ALL_PASS)
        assert _error(exc_info) == (Forbidden, "actor_not_allowed")
    else:
        decision = decide(current, Action(action), Actor(actor), ALL_PASS)
        assert decision.to_status == BookingStatus(row[actor])
        assert (decision.action, decision.actor, decision.from_status) == (action, actor, current)


def test_illegal_transition_message_names_action_and_state() -> None:
    with pytest.raises(IllegalTransition) as exc_info:
        decide(BookingStatus.PENDING_PAYMENT, Action.COMPLETE, Actor.ADMIN, ALL_PASS)
    assert exc_info.value.message == "cannot complete a booking that is pending_payment"
    assert exc_info.value.code == "illegal_transition"


def test_illegal_transition_wins_over_actor_check() -> None:
    # A customer may never complete, but from pending_payment nobody may: the state is the problem.
    with pytest.raises(IllegalTransition):
        decide(BookingStatus.PENDING_PAYMENT, Action.COMPLETE, Actor.CUSTOMER, NOBODY)


def test_actor_check_wins_over_guards() -> None:
    # The customer is not the owner either, but being the wrong actor is reported first.
    with pytest.raises(Forbidden) as exc_info:
        decide(BookingStatus.CONFIRMED, Action.DEPART, Actor.CUSTOMER, NOBODY)
    assert exc_info.value.code == "actor_not_allowed"


# --- guards ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "action", "actor", "code"),
    [
        (PPRO, "accept_offer", "professional", "not_offered_professional"),
        (CONF, "withdraw", "professional", "not_assigned_professional"),
        (CONF, "depart", "professional", "not_assigned_professional"),
        (ONW, "start", "professional", "not_assigned_professional"),
        (INT, "complete", "professional", "not_assigned_professional"),
        (PREV, "review", "customer", "not_owner"),
        (PP, "cancel", "customer", "not_owner"),
        (PPRO, "cancel", "customer", "not_owner"),
        (CONF, "cancel", "customer", "not_owner"),
    ],
)
def test_failing_identity_guard_is_forbidden(state: str, action: str, actor: str, code: str) -> None:
    with pytest.raises(Forbidden) as exc_info:
        decide(_status(state), Action(action), Actor(actor), NOBODY)
    assert _error(exc_info) == (Forbidden, code)


def test_each_identity_guard_is_checked_on_its_own() -> None:
    # Holding an offer does not make you the assigned professional, and vice versa.
    offered = TransitionContext(now=NOW, starts_at=VISIT, is_offered_professional=True)
    assigned = TransitionContext(now=NOW, starts_at=VISIT, is_assigned_professional=True)
    with pytest.raises(Forbidden, match="assigned"):
        decide(BookingStatus.CONFIRMED, Action.DEPART, Actor.PROFESSIONAL, offered)
    with pytest.raises(Forbidden, match="offer"):
        decide(BookingStatus.PENDING_PROFESSIONAL, Action.ACCEPT_OFFER, Actor.PROFESSIONAL, assigned)


def test_guards_are_only_checked_for_the_actors_own_rule() -> None:
    late = TransitionContext(now=VISIT, starts_at=VISIT)  # past the cut-off, nobody owns anything
    for actor in (Actor.ADMIN, Actor.SYSTEM):
        decision = decide(BookingStatus.CONFIRMED, Action.CANCEL, actor, late)
        assert decision.to_status is BookingStatus.CANCELLED
    assert decide(BookingStatus.IN_TREATMENT, Action.COMPLETE, Actor.ADMIN, NOBODY).to_status == PREV


def _customer_cancel_ctx(now: datetime, cutoff: timedelta = timedelta(hours=2)) -> TransitionContext:
    """Build a context where the owner cancels, at `now`, a visit at VISIT."""
    return TransitionContext(now=now, starts_at=VISIT, cancellation_cutoff=cutoff, is_owner=True)


def test_cancel_exactly_at_cutoff_is_allowed() -> None:
    ctx = _customer_cancel_ctx(VISIT - timedelta(hours=2))
    decision = decide(BookingStatus.CONFIRMED, Action.CANCEL, Actor.CUSTOMER, ctx)
    assert decision.to_status is BookingStatus.CANCELLED


def test_cancel_one_second_after_cutoff_is_a_conflict() -> None:
    ctx = _customer_cancel_ctx(VISIT - timedelta(hours=2) + timedelta(seconds=1))
    with pytest.raises(Conflict) as exc_info:
        decide(BookingStatus.CONFIRMED, Action.CANCEL, Actor.CUSTOMER, ctx)
    assert _error(exc_info) == (Conflict, "cancellation_cutoff_passed")
    assert "2 hours before the visit" in exc_info.value.message


def test_cutoff_message_uses_the_configured_cutoff() -> None:
    ctx = _customer_cancel_ctx(VISIT - timedelta(minutes=30), cutoff=timedelta(minutes=90))
    with pytest.raises(Conflict, match=r"1\.5 hours before the visit"):
        decide(BookingStatus.PENDING_PROFESSIONAL, Action.CANCEL, Actor.CUSTOMER, ctx)


def test_cutoff_is_checked_after_ownership() -> None:
    late_stranger = TransitionContext(now=VISIT, starts_at=VISIT)
    with pytest.raises(Forbidden) as exc_info:
        decide(BookingStatus.CONFIRMED, Action.CANCEL, Actor.CUSTOMER, late_stranger)
    assert exc_info.value.code == "not_owner"


def test_cutoff_does_not_apply_without_a_visit_time() -> None:
    ctx = TransitionContext(now=NOW, is_owner=True)
    assert decide(BookingStatus.PENDING_PAYMENT, Action.CANCEL, Actor.CUSTOMER, ctx).to_status == CANC


# --- targets that depend on the context --------------------------------------------------------------


@pytest.mark.parametrize(("payment_required", "expected"), [(True, PP), (False, PPRO)])
@pytest.mark.parametrize("actor", ["customer", "admin"])
def test_create_waits_for_payment_only_when_required(
    payment_required: bool, expected: str, actor: str
) -> None:
    ctx = TransitionContext(now=NOW, payment_required=payment_required)
    decision = decide(None, Action.CREATE, Actor(actor), ctx)
    assert (decision.from_status, decision.to_status) == (None, BookingStatus(expected))


@pytest.mark.parametrize(("reviews_enabled", "expected"), [(True, PREV), (False, DONE)])
@pytest.mark.parametrize(
    ("state", "actor"), [(INT, "professional"), (INT, "admin"), (ONW, "admin"), (CONF, "admin")]
)
def test_complete_goes_to_review_only_when_reviews_are_on(
    reviews_enabled: bool, expected: str, state: str, actor: str
) -> None:
    ctx = TransitionContext(now=NOW, is_assigned_professional=True, reviews_enabled=reviews_enabled)
    decision = decide(_status(state), Action.COMPLETE, Actor(actor), ctx)
    assert decision.to_status == BookingStatus(expected)
    assert decision.stamps == {Stamp.TREATMENT_COMPLETED_AT}


# --- stamps ------------------------------------------------------------------------------------------

EXPECTED_STAMPS: dict[tuple[str, str | None], set[str]] = {
    ("accept_offer", PPRO): {"confirmed_at"},
    ("assign", PPRO): {"confirmed_at"},
    ("complete", INT): {"treatment_completed_at"},
    ("complete", ONW): {"treatment_completed_at"},
    ("complete", CONF): {"treatment_completed_at"},
    ("payment_failed", PP): {"cancelled_at"},
    ("cancel", PP): {"cancelled_at"},
    ("cancel", PPRO): {"cancelled_at"},
    ("cancel", CONF): {"cancelled_at"},
    ("cancel", ONW): {"cancelled_at"},
    ("cancel", INT): {"cancelled_at"},
}


@pytest.mark.parametrize(
    ("action", "state", "actor"),
    [(action, state, actor) for (action, state), row in EXPECTED.items() for actor in row],
)
def test_stamps_of_every_allowed_transition(action: str, state: str | None, actor: str) -> None:
    decision = decide(_status(state), Action(action), Actor(actor), ALL_PASS)
    assert {s.value for s in decision.stamps} == EXPECTED_STAMPS.get((action, state), set())


def test_complete_stamps_even_when_going_straight_to_completed() -> None:
    ctx = TransitionContext(now=NOW, reviews_enabled=False)
    decision = decide(BookingStatus.CONFIRMED, Action.COMPLETE, Actor.ADMIN, ctx)
    assert decision.stamps == {Stamp.TREATMENT_COMPLETED_AT}


# --- allowed_actions ---------------------------------------------------------------------------------


def test_allowed_actions_for_the_owner_of_a_confirmed_booking() -> None:
    assert allowed_actions(BookingStatus.CONFIRMED, Actor.CUSTOMER, ALL_PASS) == [Action.CANCEL]


def test_allowed_actions_hide_actions_whose_guards_fail() -> None:
    late = TransitionContext(now=VISIT, starts_at=VISIT, is_owner=True)
    assert allowed_actions(BookingStatus.CONFIRMED, Actor.CUSTOMER, late) == []
    assert allowed_actions(BookingStatus.CONFIRMED, Actor.PROFESSIONAL, NOBODY) == []


def test_allowed_actions_for_the_assigned_professional() -> None:
    assert allowed_actions(BookingStatus.CONFIRMED, Actor.PROFESSIONAL, ALL_PASS) == [
        Action.WITHDRAW,
        Action.DEPART,
    ]
    assert allowed_actions(BookingStatus.ON_WAY, Actor.PROFESSIONAL, ALL_PASS) == [Action.START]


def test_allowed_actions_for_admin_and_system() -> None:
    assert allowed_actions(BookingStatus.ON_WAY, Actor.ADMIN, NOBODY) == [Action.COMPLETE, Action.CANCEL]
    assert allowed_actions(None, Actor.ADMIN, NOBODY) == [Action.CREATE]
    assert allowed_actions(BookingStatus.CANCELLED, Actor.SYSTEM, NOBODY) == [Action.REFUND]
    assert allowed_actions(BookingStatus.REFUNDED, Actor.ADMIN, ALL_PASS) == []


# --- shape of the graph ------------------------------------------------------------------------------


def _successors(current: BookingStatus | None) -> set[BookingStatus]:
    """Every status reachable in one step, over all actors, actions and context-dependent branches."""
    found: set[BookingStatus] = set()
    for payment, reviews in itertools.product([True, False], repeat=2):
        ctx = TransitionContext(
            now=NOW,
            starts_at=VISIT,
            is_owner=True,
            is_assigned_professional=True,
            is_offered_professional=True,
            payment_required=payment,
            reviews_enabled=reviews,
        )
        for action, actor in itertools.product(Action, Actor):
            with contextlib.suppress(DomainError):
                found.add(decide(current, action, actor, ctx).to_status)
    return found


def test_every_non_terminal_state_has_a_way_out() -> None:
    for status in ACTIVE_STATUSES:
        assert _successors(status), status


def test_completed_and_refunded_are_dead_ends() -> None:
    assert _successors(BookingStatus.COMPLETED) == set()
    assert _successors(BookingStatus.REFUNDED) == set()


def test_every_state_is_reachable_from_create() -> None:
    seen: set[BookingStatus] = set()
    frontier: set[BookingStatus] = _successors(None)
    while frontier:
        seen |= frontier
        frontier = {nxt for status in frontier for nxt in _successors(status)} - seen
    assert seen == set(BookingStatus)
