"""Reading the booking wizard's answers: the visit picked so far and the details form, with field errors.

The details are checked by the same request model as `POST /api/v1/bookings`, so the page and the API accept
and refuse exactly the same bookings; its error paths are mapped back to the form's field names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from pydantic import ValidationError

from masu.domain.errors import ValidationFailed
from masu.domain.phones import normalize_israeli_mobile
from masu.domain.pricing import BUSINESS_TZ
from masu.services.booking.creation import NewBooking
from masu.services.booking.wizard import Contact
from masu.web.schemas.booking import BookingIn

PICK_NAMES = ("treatment", "duration", "city", "date", "time", "gender")
DETAIL_NAMES = (
    "street",
    "building",
    "apartment",
    "notes",
    "for_whom",
    "recipient_name",
    "recipient_phone",
    "recipient_email",
    "coupon",
)
GENDERS = ("any", "female", "male")
# Why creating the booking refused its time (services.availability.slot_refusal): each has its own text.
TIME_CODES = ("no_professional_available", "not_a_start_time")
MAX_FIELD = 500
# The request model's error paths (camelCase, as on the wire) → the form's field names.
FORM_FIELD = {
    "treatmentId": "treatment",
    "durationMinutes": "duration",
    "bookingDateTime": "time",
    "address.street": "street",
    "address.building": "building",
    "address.apartment": "apartment",
    "address.city": "city",
    "city": "city",
    "recipientName": "recipient_name",
    "recipientPhone": "recipient_phone",
    "recipientEmail": "recipient_email",
    "notes": "notes",
    "therapistGenderPreference": "gender",
    "couponCode": "coupon",
}


@dataclass(frozen=True, slots=True)
class Picks:
    """The visit chosen in the first steps, as typed: each may still be missing or wrong."""

    treatment: str = ""
    duration: str = ""
    city: str = ""
    date: str = ""
    time: str = ""
    gender: str = "any"

    @classmethod
    def read(cls, values: Mapping[str, Any]) -> Picks:
        """The picks found in query parameters or a posted form (anything else is ignored)."""
        found = {name: str(values.get(name, "") or "").strip()[:64] for name in PICK_NAMES}
        found["gender"] = found["gender"] if found["gender"] in GENDERS else "any"
        return cls(**found)

    def day(self) -> dt.date | None:
        """The picked date, or None when missing or not a date."""
        try:
            return dt.date.fromisoformat(self.date)
        except ValueError:
            return None

    def minutes(self) -> int | None:
        """The picked duration in minutes, or None."""
        return int(self.duration) if self.duration.isdigit() else None

    def starts_at(self) -> dt.datetime | None:
        """The picked local date and HH:MM in Israel's time, or None."""
        day = self.day()
        try:
            clock = dt.time.fromisoformat(self.time) if len(self.time) == 5 else None
        except ValueError:
            clock = None
        if day is None or clock is None:
            return None
        return dt.datetime.combine(day, clock, tzinfo=BUSINESS_TZ)

    def without(self, *names: str) -> Picks:
        """The picks with `names` cleared (to go back to their step)."""
        return replace(self, **dict.fromkeys(names, ""))

    def as_params(self) -> dict[str, str]:
        """The non-empty picks, for a URL or hidden fields."""
        return {name: getattr(self, name) for name in PICK_NAMES if getattr(self, name)}


def read_details(values: Mapping[str, Any]) -> dict[str, str]:
    """The details form's values, trimmed and bounded (the request model judges them)."""
    details = {name: str(values.get(name, "") or "").strip()[:MAX_FIELD] for name in DETAIL_NAMES}
    details["for_whom"] = "other" if details["for_whom"] == "other" else "me"
    return details


def booking_command(
    picks: Picks, details: Mapping[str, str], *, contact: Contact, city_name: str
) -> tuple[NewBooking | None, dict[str, str]]:
    """The booking the wizard asks for, or None with each wrong field's message key."""
    for_me = details["for_whom"] == "me"
    starts_at = picks.starts_at()
    body = {
        "treatmentId": picks.treatment,
        "durationMinutes": picks.minutes(),
        "bookingDateTime": starts_at.isoformat() if starts_at else "",
        "recipientName": contact.name if for_me else details["recipient_name"],
        "recipientPhone": contact.phone if for_me else details["recipient_phone"],
        "recipientEmail": (contact.email if for_me else details["recipient_email"]) or None,
        "address": {
            "street": details["street"],
            "city": city_name,
            "building": details["building"] or None,
            "apartment": details["apartment"] or None,
        },
        "therapistGenderPreference": picks.gender,
        "notes": details["notes"] or None,
        "couponCode": details["coupon"] or None,
    }
    errors = {} if for_me else _phone_error(details["recipient_phone"])
    try:
        command = BookingIn.model_validate(body).command()
    except ValidationError as invalid:
        fields = [_form_field(error["loc"]) for error in invalid.errors()]
        return None, {field: message_key(field) for field in fields} | errors
    return (None, errors) if errors else (command, {})


def _phone_error(phone: str) -> dict[str, str]:
    """The recipient phone's error, found now so that the form shows every error at once."""
    try:
        normalize_israeli_mobile(phone, field="recipientPhone")
    except ValidationFailed:
        return {"recipient_phone": message_key("recipient_phone")}
    return {}


def form_field(wire_field: str) -> str:
    """The form field behind a request field named in a domain error (`address.city` → `city`)."""
    return FORM_FIELD.get(wire_field, "form")


def message_key(field: str, code: str | None = None) -> str:
    """The texts key of the message shown next to `field` (a specific one for known codes)."""
    return code if code and (code.startswith("coupon_") or code in TIME_CODES) else f"err_{field}"


def _form_field(location: tuple[Any, ...]) -> str:
    return form_field(".".join(str(part) for part in location))
