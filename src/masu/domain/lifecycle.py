"""The booking state machine: the transition table as data and the one function that decides a move."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from masu.domain.errors import Conflict, DomainError, Forbidden, IllegalTransition

__all__ = [
    "ACTIVE_STATUSES",
    "TERMINAL_STATUSES",
    "TRANSITIONS",
    "Action",
    "Actor",
    "BookingStatus",
    "Branch",
    "Decision",
    "Guard",
    "Rule",
    "Stamp",
    "TransitionContext",
    "allowed_actions",
    "decide",
]


class BookingStatus(StrEnum):
    """Where a booking is in its life."""

    PENDING_PAYMENT = "pending_payment"
    PENDING_PROFESSIONAL = "pending_professional"
    CONFIRMED = "confirmed"
    ON_WAY = "on_way"
    IN_TREATMENT = "in_treatment"
    PENDING_REVIEW = "pending_review"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class Action(StrEnum):
    """Something that may move a booking from one status to another."""

    CREATE = "create"
    PAYMENT_SUCCEEDED = "payment_succeeded"
    PAYMENT_FAILED = "payment_failed"
    ACCEPT_OFFER = "accept_offer"
    ASSIGN = "assign"
    UNASSIGN = "unassign"
    WITHDRAW = "withdraw"
    DEPART = "depart"
    START = "start"
    COMPLETE = "complete"
    REVIEW = "review"
    CLOSE_REVIEW_WINDOW = "close_review_window"
    CANCEL = "cancel"
    REFUND = "refund"


class Actor(StrEnum):
    """Who asks for a transition."""

    CUSTOMER = "customer"
    PROFESSIONAL = "professional"
    ADMIN = "admin"
    SYSTEM = "system"


class Stamp(StrEnum):
    """A booking timestamp column that a transition sets to `now`."""

    CONFIRMED_AT = "confirmed_at"
    TREATMENT_COMPLETED_AT = "treatment_completed_at"
    CANCELLED_AT = "cancelled_at"


TERMINAL_STATUSES: frozenset[BookingStatus] = frozenset(
    {BookingStatus.COMPLETED, BookingStatus.CANCELLED, BookingStatus.REFUNDED}
)
# Active = not terminal: the booking can still move (and still needs attention).
ACTIVE_STATUSES: frozenset[BookingStatus] = frozenset(BookingStatus) - TERMINAL_STATUSES


@dataclass(frozen=True, slots=True)
class TransitionContext:
    """Facts about the booking and the caller that guards and target choices need."""

    now: datetime
    starts_at: datetime | None = None  # the visit time (aware)
    cancellation_cutoff: timedelta = timedelta(hours=2)
    is_owner: bool = False  # the acting customer owns the booking
    is_assigned_professional: bool = False
    is_offered_professional: bool = False  # holds a live offer for this booking
    payment_required: bool = False  # create: an amount is due and a gateway is on
    reviews_enabled: bool = True


@dataclass(frozen=True, slots=True)
class Decision:
    """An allowed transition: what to write and which timestamps to set."""

    action: Action
    actor: Actor
    from_status: BookingStatus | None
    to_status: BookingStatus
    stamps: frozenset[Stamp]


@dataclass(frozen=True, slots=True)
class Guard:
    """A named precondition on the context; `refuse` builds the error when it does not hold."""

    name: str
    holds: Callable[[TransitionContext], bool]
    refuse: Callable[[TransitionContext], DomainError]


@dataclass(frozen=True, slots=True)
class Branch:
    """A target that depends on one fact of the context."""

    condition: Callable[[TransitionContext], bool]
    when_true: BookingStatus
    when_false: BookingStatus

    def choose(self, ctx: TransitionContext) -> BookingStatus:
        """Return the target for this context."""
        return self.when_true if self.condition(ctx) else self.when_false


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of the table: `actors` may do `action` from any of `sources` when all `guards` hold."""

    action: Action
    sources: frozenset[BookingStatus | None]
    actors: frozenset[Actor]
    target: BookingStatus | Branch
    guards: tuple[Guard, ...] = ()

    def target_for(self, ctx: TransitionContext) -> BookingStatus:
        """Return the status this rule moves to in this context."""
        return self.target.choose(ctx) if isinstance(self.target, Branch) else self.target

    @property
    def targets(self) -> frozenset[BookingStatus]:
        """Every status this rule can move to, whatever the context."""
        if isinstance(self.target, Branch):
            return frozenset({self.target.when_true, self.target.when_false})
        return frozenset({self.target})


# --- guards -------------------------------------------------------------------------------------------


def _before_cutoff(ctx: TransitionContext) -> bool:
    """Whether `now` is at or before the last moment a customer may cancel."""
    # No visit time means nothing to protect the professional's slot from; the cut-off cannot apply.
    if ctx.starts_at is None:
        return True
    return ctx.now <= ctx.starts_at - ctx.cancellation_cutoff


def _cutoff_passed(ctx: TransitionContext) -> DomainError:
    """Build the refusal for a customer cancelling too late."""
    hours = ctx.cancellation_cutoff.total_seconds() / 3600
    return Conflict(
        f"bookings can only be cancelled up to {hours:g} hours before the visit",
        code="cancellation_cutoff_passed",
    )


IS_OWNER = Guard(
    "is_owner",
    lambda ctx: ctx.is_owner,
    lambda _ctx: Forbidden("only the customer who booked may do this", code="not_owner"),
)
IS_ASSIGNED_PROFESSIONAL = Guard(
    "is_assigned_professional",
    lambda ctx: ctx.is_assigned_professional,
    lambda _ctx: Forbidden(
        "only the professional assigned to this booking may do this", code="not_assigned_professional"
    ),
)
IS_OFFERED_PROFESSIONAL = Guard(
    "is_offered_professional",
    lambda ctx: ctx.is_offered_professional,
    lambda _ctx: Forbidden("you hold no live offer for this booking", code="not_offered_professional"),
)
BEFORE_CANCELLATION_CUTOFF = Guard("before_cancellation_cutoff", _before_cutoff, _cutoff_passed)


# --- the table ----------------------------------------------------------------------------------------

_S = BookingStatus
_A = Actor
_AFTER_CREATE = Branch(lambda ctx: ctx.payment_required, _S.PENDING_PAYMENT, _S.PENDING_PROFESSIONAL)
_AFTER_TREATMENT = Branch(lambda ctx: ctx.reviews_enabled, _S.PENDING_REVIEW, _S.COMPLETED)
_CANCELLABLE = frozenset({_S.PENDING_PAYMENT, _S.PENDING_PROFESSIONAL, _S.CONFIRMED})


def _rule(
    action: Action,
    sources: Iterable[BookingStatus | None],
    actors: Iterable[Actor],
    target: BookingStatus | Branch,
    *guards: Guard,
) -> Rule:
    """Build a rule from plain iterables, to keep the table below readable."""
    return Rule(action, frozenset(sources), frozenset(actors), target, guards)


TRANSITIONS: tuple[Rule, ...] = (
    _rule(Action.CREATE, [None], [_A.CUSTOMER, _A.ADMIN], _AFTER_CREATE),
    _rule(Action.PAYMENT_SUCCEEDED, [_S.PENDING_PAYMENT], [_A.SYSTEM], _S.PENDING_PROFESSIONAL),
    _rule(Action.PAYMENT_FAILED, [_S.PENDING_PAYMENT], [_A.SYSTEM], _S.CANCELLED),
    _rule(
        Action.ACCEPT_OFFER,
        [_S.PENDING_PROFESSIONAL],
        [_A.PROFESSIONAL],
        _S.CONFIRMED,
        IS_OFFERED_PROFESSIONAL,
    ),
    _rule(Action.ASSIGN, [_S.PENDING_PROFESSIONAL], [_A.ADMIN], _S.CONFIRMED),
    _rule(Action.UNASSIGN, [_S.CONFIRMED], [_A.ADMIN], _S.PENDING_PROFESSIONAL),
    _rule(
        Action.WITHDRAW,
        [_S.CONFIRMED],
        [_A.PROFESSIONAL],
        _S.PENDING_PROFESSIONAL,
        IS_ASSIGNED_PROFESSIONAL,
    ),
    _rule(Action.DEPART, [_S.CONFIRMED], [_A.PROFESSIONAL], _S.ON_WAY, IS_ASSIGNED_PROFESSIONAL),
    _rule(Action.START, [_S.ON_WAY], [_A.PROFESSIONAL], _S.IN_TREATMENT, IS_ASSIGNED_PROFESSIONAL),
    _rule(
        Action.COMPLETE,
        [_S.IN_TREATMENT],
        [_A.PROFESSIONAL],
        _AFTER_TREATMENT,
        IS_ASSIGNED_PROFESSIONAL,
    ),
    # An admin may close out a visit the professional forgot to progress through the app.
    _rule(
        Action.COMPLETE,
        [_S.CONFIRMED, _S.ON_WAY, _S.IN_TREATMENT],
        [_A.ADMIN],
        _AFTER_TREATMENT,
    ),
    _rule(Action.REVIEW, [_S.PENDING_REVIEW], [_A.CUSTOMER], _S.COMPLETED, IS_OWNER),
    _rule(Action.CLOSE_REVIEW_WINDOW, [_S.PENDING_REVIEW], [_A.SYSTEM], _S.COMPLETED),
    _rule(
        Action.CANCEL,
        _CANCELLABLE,
        [_A.CUSTOMER],
        _S.CANCELLED,
        IS_OWNER,
        BEFORE_CANCELLATION_CUTOFF,
    ),
    _rule(Action.CANCEL, _CANCELLABLE, [_A.SYSTEM], _S.CANCELLED),
    # An admin may cancel at any time before completion.
    _rule(Action.CANCEL, _CANCELLABLE | {_S.ON_WAY, _S.IN_TREATMENT}, [_A.ADMIN], _S.CANCELLED),
    _rule(Action.REFUND, [_S.CANCELLED], [_A.ADMIN, _A.SYSTEM], _S.REFUNDED),
)


# --- lookup -------------------------------------------------------------------------------------------

_Key = tuple[Action, BookingStatus | None, Actor]


def _index(rules: tuple[Rule, ...]) -> dict[_Key, Rule]:
    """Map each (action, source, actor) to its single rule; overlapping rows are a table bug."""
    index: dict[_Key, Rule] = {}
    for rule in rules:
        for source in rule.sources:
            for actor in rule.actors:
                key = (rule.action, source, actor)
                if key in index:
                    raise ValueError(f"two rules for {rule.action} from {source} by {actor}")
                index[key] = rule
    return index


_RULES = _index(TRANSITIONS)
_MOVES: frozenset[tuple[Action, BookingStatus | None]] = frozenset((a, s) for a, s, _ in _RULES)


def _describe(status: BookingStatus | None) -> str:
    """Phrase a status for messages."""
    return "does not exist yet" if status is None else f"is {status.value}"


def _stamps(action: Action, target: BookingStatus) -> frozenset[Stamp]:
    """Return the timestamps a transition sets."""
    stamps: set[Stamp] = set()
    if target is BookingStatus.CONFIRMED:
        stamps.add(Stamp.CONFIRMED_AT)
    if action is Action.COMPLETE:
        stamps.add(Stamp.TREATMENT_COMPLETED_AT)
    if target is BookingStatus.CANCELLED:
        stamps.add(Stamp.CANCELLED_AT)
    return frozenset(stamps)


def decide(current: BookingStatus | None, action: Action, actor: Actor, ctx: TransitionContext) -> Decision:
    """Decide whether `actor` may do `action` on a booking in `current`; raise a DomainError if not."""
    if (action, current) not in _MOVES:
        raise IllegalTransition(f"cannot {action.value} a booking that {_describe(current)}")
    rule = _RULES.get((action, current, actor))
    if rule is None:
        raise Forbidden(
            f"a {actor.value} cannot {action.value} a booking that {_describe(current)}",
            code="actor_not_allowed",
        )
    for guard in rule.guards:
        if not guard.holds(ctx):
            raise guard.refuse(ctx)
    target = rule.target_for(ctx)
    return Decision(action, actor, current, target, _stamps(action, target))


def allowed_actions(current: BookingStatus | None, actor: Actor, ctx: TransitionContext) -> list[Action]:
    """List, in declaration order, the actions this actor could take now."""
    allowed: list[Action] = []
    for action in Action:
        try:
            decide(current, action, actor, ctx)
        except DomainError:
            continue
        allowed.append(action)
    return allowed
