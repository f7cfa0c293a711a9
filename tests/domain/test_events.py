"""Event classes: one per event type, each payload written and read back unchanged, also through JSON."""

from __future__ import annotations

import dataclasses
import json
import typing
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from masu.domain.events import BOOKING_EVENT_FOR_ACTION, EVENT_CLASSES, DomainEvent, EventType, read_event
from masu.domain.lifecycle import Action

AWARE = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))]),
)


def events_of(cls: type[DomainEvent]) -> st.SearchStrategy[DomainEvent]:
    """Any event of the class: every field from its type, times aware as the system writes them."""
    hints = typing.get_type_hints(cls)
    times = {
        f.name: AWARE if hints[f.name] is datetime else st.none() | AWARE
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if datetime in (hints[f.name], *typing.get_args(hints[f.name]))
    }
    return st.builds(cls, **times)


def test_every_event_type_has_a_class_of_that_type() -> None:
    assert set(EVENT_CLASSES) == set(EventType)
    assert all(cls.type is event_type for event_type, cls in EVENT_CLASSES.items())
    assert len({cls.__name__ for cls in EVENT_CLASSES.values()}) == len(EventType)


def test_every_lifecycle_action_publishes_a_booking_event() -> None:
    assert set(BOOKING_EVENT_FOR_ACTION) == set(Action)
    assert {cls.type for cls in BOOKING_EVENT_FOR_ACTION.values()} <= set(EventType)


@pytest.mark.parametrize("event_type", list(EventType), ids=str)
@given(data=st.data())
def test_a_payload_reads_back_into_the_event_that_wrote_it(
    event_type: EventType, data: st.DataObject
) -> None:
    event = data.draw(events_of(EVENT_CLASSES[event_type]))
    payload = event.to_payload()
    stored: dict[str, Any] = json.loads(json.dumps(payload))  # as the outbox's JSON column gives it back

    assert type(event).from_payload(payload) == event
    assert read_event(event_type, stored) == event
    assert all(key[0].islower() and "_" not in key for key in payload), payload


def test_unknown_keys_are_ignored_and_a_missing_required_key_is_refused() -> None:
    stored = {"offerId": "o", "bookingId": "b", "professionalId": "p", "wave": 2, "channel": "sms"}
    offer = read_event(EventType.OFFER_DECLINED, stored)
    assert offer.to_payload() == {"offerId": "o", "bookingId": "b", "professionalId": "p", "wave": 2}
    with pytest.raises(KeyError):
        read_event(EventType.OFFER_DECLINED, {"offerId": "o", "bookingId": "b"})
    with pytest.raises(ValueError, match="Invalid isoformat"):
        read_event(EventType.OFFER_CREATED, {**stored, "expiresAt": "tomorrow"})
