"""The message catalogue: every message the system sends, rendered per channel and language from templates.

A message is a folder under `templates/` named after it, holding `<language>.<channel>.txt` for every
language and channel. Email templates start with a `Subject: …` line. A render context holds only JSON values
(times as ISO strings in UTC, money in agorot), so a queued message can be rendered again for another channel;
the filters below turn them into what people read, in the message's language and in Israel's time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from masu.domain.money import agorot_to_shekels
from masu.domain.pricing import BUSINESS_TZ

MESSAGE_NAMES: tuple[str, ...] = (
    "booking-received",
    "payment-received",
    "payment-failed",
    "professional-offer",
    "booking-confirmed",
    "booking-taken",
    "professional-unassigned",
    "professional-on-way",
    "treatment-completed",
    "review-request",
    "review-reminder",
    "booking-cancelled",
    "refund-issued",
    "no-professional-found",
    "dispatch-exhausted",
    "visit-reminder",
    "phone-code",
)
LANGUAGES: tuple[str, ...] = ("he", "en", "ru")
CHANNELS: tuple[str, ...] = ("sms", "email")
DEFAULT_LANGUAGE = "he"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

# Monday first, as datetime.weekday() counts.
_WEEKDAYS = {
    "he": ("יום ב׳", "יום ג׳", "יום ד׳", "יום ה׳", "יום ו׳", "שבת", "יום א׳"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "ru": ("пн", "вт", "ср", "чт", "пт", "сб", "вс"),
}
_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "ru": (
        "янв.",
        "февр.",
        "марта",
        "апр.",
        "мая",
        "июня",
        "июля",
        "авг.",
        "сент.",
        "окт.",
        "нояб.",
        "дек.",
    ),
}
_ADDRESS_LABELS = {"he": ("בניין", "דירה"), "en": ("building", "apt"), "ru": ("корп.", "кв.")}
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message ready to send: the subject (email only) and the plain-text body."""

    subject: str | None
    body: str


class UnknownMessage(LookupError):
    """No template for this message, channel and language."""


def language_for(preferred: str | None) -> str:
    """The catalogue language for a person's preference (Hebrew when it is missing or unknown)."""
    return preferred if preferred in LANGUAGES else DEFAULT_LANGUAGE


def render(name: str, *, channel: str, language: str, context: dict[str, Any]) -> Rendered:
    """Render a message; UnknownMessage without a template, jinja2.UndefinedError for a missing variable."""
    if name not in MESSAGE_NAMES or channel not in CHANNELS or language not in LANGUAGES:
        raise UnknownMessage(f"no message {name!r} for {channel}/{language}")
    template = _ENVIRONMENT.get_template(f"{name}/{language}.{channel}.txt")
    text = _tidy(template.render({**context, "lang": language}))
    if channel != "email":
        return Rendered(subject=None, body=text)
    first_line, _, body = text.partition("\n")
    if not first_line.startswith("Subject:"):
        raise UnknownMessage(f"the email template of {name!r} ({language}) has no Subject line")
    return Rendered(subject=first_line.removeprefix("Subject:").strip(), body=body.strip())


def format_when(moment: datetime | str, language: str) -> str:
    """A visit time for people: weekday, day, month and time in Israel ("Fri 4 Dec at 12:00")."""
    local = _local(moment)
    weekday, clock = _WEEKDAYS[language][local.weekday()], f"{local:%H:%M}"
    if language == "he":
        return f"{weekday} {local:%d.%m} בשעה {clock}"
    month = _MONTHS[language][local.month - 1]
    joiner = "в" if language == "ru" else "at"
    return f"{weekday} {local.day} {month} {joiner} {clock}"


def format_time(moment: datetime | str) -> str:
    """The local time of day in Israel ("12:00")."""
    return f"{_local(moment):%H:%M}"


def format_shekels(agorot: int, language: str) -> str:
    """Agorot as shekels with the sign where the language puts it ("₪170", "170 ₪", "170.50 ₪")."""
    amount = agorot_to_shekels(agorot)
    number = f"{amount:.0f}" if amount == amount.to_integral_value() else f"{amount:.2f}"
    return f"₪{number}" if language == "en" else f"{number} ₪"


def format_phone(phone: str) -> str:
    """An Israeli E.164 number as people dial it in Israel ("+972521234567" → "052-1234567")."""
    if phone.startswith("+972") and len(phone) == 13:
        national = "0" + phone[4:]
        return f"{national[:3]}-{national[3:]}"
    return phone


def format_address(address: dict[str, Any], language: str) -> str:
    """A full street address on one line: street, building, apartment, city."""
    building_label, apartment_label = _ADDRESS_LABELS[language]
    parts = [str(address["street"])]
    if address.get("building"):
        parts.append(f"{building_label} {address['building']}")
    if address.get("apartment"):
        parts.append(f"{apartment_label} {address['apartment']}")
    parts.append(str(address["city"]))
    return ", ".join(parts)


def _local(moment: datetime | str) -> datetime:
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if value.tzinfo is None:
        raise ValueError("message times must be aware")
    return value.astimezone(BUSINESS_TZ)


def _tidy(text: str) -> str:
    """Trailing spaces off every line, at most one blank line in a row, no blank lines around the text."""
    lines = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return _BLANK_LINES.sub("\n\n", lines)


@jinja2.pass_context
def _when_filter(context: jinja2.runtime.Context, moment: str) -> str:
    return format_when(moment, context["lang"])


@jinja2.pass_context
def _shekels_filter(context: jinja2.runtime.Context, agorot: int) -> str:
    return format_shekels(agorot, context["lang"])


@jinja2.pass_context
def _address_filter(context: jinja2.runtime.Context, address: dict[str, Any]) -> str:
    return format_address(address, context["lang"])


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # plain text: escaping would show "&amp;" to people
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    environment.filters.update(
        when=_when_filter,
        time=format_time,
        shekels=_shekels_filter,
        address=_address_filter,
        phone=format_phone,
    )
    return environment


_ENVIRONMENT = _environment()
