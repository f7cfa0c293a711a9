"""Names of the events the lifecycle publishes, one per action."""

from __future__ import annotations

from masu.domain.lifecycle import Action

BOOKING_EVENT_FOR_ACTION: dict[Action, str] = {
    Action.CREATE: "booking.created",
    Action.PAYMENT_SUCCEEDED: "booking.paid",
    Action.PAYMENT_FAILED: "booking.payment_failed",
    Action.ACCEPT_OFFER: "booking.confirmed",
    Action.ASSIGN: "booking.confirmed",
    Action.UNASSIGN: "booking.unassigned",
    Action.WITHDRAW: "booking.withdrawn",
    Action.DEPART: "booking.on_way",
    Action.START: "booking.treatment_started",
    Action.COMPLETE: "booking.treatment_completed",
    Action.REVIEW: "booking.reviewed",
    Action.CLOSE_REVIEW_WINDOW: "booking.review_window_closed",
    Action.CANCEL: "booking.cancelled",
    Action.REFUND: "booking.refunded",
}
