"""The message catalogue: every message renders in every language and channel; formats people can read."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Any

import jinja2
import pytest

from masu.notifications.catalogue import (
    CHANNELS,
    LANGUAGES,
    MESSAGE_NAMES,
    TEMPLATES_DIR,
    UnknownMessage,
    format_address,
    format_phone,
    format_shekels,
    format_when,
    language_for,
    render,
)

VISIT_AT = "2026-12-04T10:00:00+00:00"  # Friday 4 December, 12:00 in Israel
LINK = "https://masu.co.il/o/0f8e6b2a9c1d4e7f8a3b5c6d7e8f9a0b.1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d"
BASE = {
    "name": "Noa",
    "bookingNumber": "MASU-2026-000123",
    "treatment": "Swedish Massage",
    "durationMinutes": 60,
    "visitAt": VISIT_AT,
    "city": "Tel Aviv",
}
PEOPLE = {
    "forSomeoneElse": True,
    "recipientName": "Dana Levi",
    "bookerName": "Noa Cohen",
    "professionalName": "Avi",
    "link": "https://masu.co.il/bookings/b1",
}
JOB = {
    "address": {"street": "Herzl 10", "building": "3", "apartment": "12", "city": "Tel Aviv"},
    "recipientName": "Dana Levi",
    "recipientPhone": "+972521234567",
    "notes": "Parking behind the building",
    "link": "https://masu.co.il/pro",
}
ADMIN = {"link": "https://masu.co.il/admin/bookings/b1"}
CUSTOMER_SIDE = {"customer": PEOPLE, "recipient": {**PEOPLE, "link": None}}

# Every audience each message is written for, with the context the handlers give it.
SAMPLES: dict[str, dict[str, dict[str, Any]]] = {
    "booking-received": {a: {**p, "amount": 25000} for a, p in CUSTOMER_SIDE.items()},
    "payment-received": {"customer": {**PEOPLE, "amount": 25000}},
    "payment-failed": {"customer": {**PEOPLE, "amount": 25050}},
    "professional-offer": {
        "professional": {"pay": 17000, "answerBy": "2026-12-01T08:15:00+00:00", "link": LINK}
    },
    "booking-confirmed": {**CUSTOMER_SIDE, "professional": {**JOB, "pay": 17000}},
    "booking-taken": {"professional": {}},
    "professional-unassigned": {**CUSTOMER_SIDE, "professional": {}},
    "professional-on-way": CUSTOMER_SIDE,
    "treatment-completed": {"customer": PEOPLE},
    "review-request": {"customer": {**PEOPLE, "step": "request", "link": LINK}},
    "review-reminder": {
        "customer": {**PEOPLE, "step": "first_reminder", "link": LINK},
        "final": {**PEOPLE, "step": "final_reminder", "link": LINK},
    },
    "booking-cancelled": {**CUSTOMER_SIDE, "professional": {}, "candidate": {}},
    "refund-issued": {"customer": {**PEOPLE, "amount": 12500}},
    "no-professional-found": {**CUSTOMER_SIDE, "admin": ADMIN},
    "dispatch-exhausted": {"admin": ADMIN},
    "visit-reminder": {
        **{a: {**p, "hours": 24} for a, p in CUSTOMER_SIDE.items()},
        "professional": {**JOB, "hours": 2},
    },
    "phone-code": {"customer": {"code": "123456"}},
}
CASES = [(name, audience) for name, audiences in SAMPLES.items() for audience in audiences]


def sample(name: str, audience: str, **overrides: Any) -> dict[str, Any]:
    """The render context of a message for one audience ("final" is the last review reminder)."""
    who = "customer" if audience == "final" else audience
    return {**BASE, "audience": who, **SAMPLES[name][audience], **overrides}


def sms_segments(text: str) -> int:
    """How many SMS segments a text takes: GSM-7 160/153 characters, otherwise UCS-2 70/67."""
    gsm = all(ord(ch) < 128 and ch not in "`" for ch in text)
    single, multi = (160, 153) if gsm else (70, 67)
    return 1 if len(text) <= single else -(-len(text) // multi)


def test_every_message_has_every_template_and_a_sample() -> None:
    assert set(SAMPLES) == set(MESSAGE_NAMES)
    on_disk = {path.relative_to(TEMPLATES_DIR).as_posix() for path in TEMPLATES_DIR.rglob("*.txt")}
    expected = {f"{n}/{lang}.{ch}.txt" for n in MESSAGE_NAMES for lang in LANGUAGES for ch in CHANNELS}
    assert on_disk == expected


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("name", "audience"), CASES, ids=[f"{n}-{a}" for n, a in CASES])
def test_every_message_renders_in_every_language_and_channel(name: str, audience: str, language: str) -> None:
    sms = render(name, channel="sms", language=language, context=sample(name, audience))
    email = render(name, channel="email", language=language, context=sample(name, audience))

    assert sms.subject is None
    assert sms.body
    assert "{" not in sms.body
    assert "None" not in sms.body
    assert email.subject
    assert len(email.subject) <= 120
    assert "\n" not in email.subject
    assert email.body
    assert "{" not in email.body
    assert "None" not in email.body
    assert "Subject:" not in email.body
    for rendered in (sms.body, email.body):
        about_booking = "Swedish Massage" in rendered or "MASU-2026-000123" in rendered
        assert about_booking or (name == "phone-code" and "123456" in rendered)
        assert "Herzl" not in rendered or audience == "professional"


@pytest.mark.parametrize(("name", "audience"), CASES, ids=[f"{n}-{a}" for n, a in CASES])
def test_hebrew_texts_start_right_to_left_on_every_line_that_has_words(name: str, audience: str) -> None:
    """A line whose first strong letter is Latin would be laid out left to right and scramble the Hebrew."""
    for channel in CHANNELS:
        rendered = render(name, channel=channel, language="he", context=sample(name, audience))
        lines = [rendered.subject or "", *rendered.body.splitlines()]
        for line in lines:
            if any(unicodedata.bidirectional(ch) == "R" for ch in line):
                first_strong = next(ch for ch in line if unicodedata.bidirectional(ch) in {"L", "R"})
                assert unicodedata.bidirectional(first_strong) == "R", (name, channel, line)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("name", "audience"), CASES, ids=[f"{n}-{a}" for n, a in CASES])
def test_sms_bodies_stay_short(name: str, audience: str, language: str) -> None:
    """Two segments at most; three for the few that must carry a long signed link or a full address."""
    body = render(name, channel="sms", language=language, context=sample(name, audience)).body
    long_ones = {"professional-offer", "review-request", "review-reminder", "dispatch-exhausted"}
    carries_link_or_address = name in long_ones or audience in {"professional", "admin"}
    assert sms_segments(body) <= (3 if carries_link_or_address else 2), (len(body), body)


def test_a_missing_variable_is_an_error_not_a_blank() -> None:
    context = sample("professional-offer", "professional")
    del context["link"]
    with pytest.raises(jinja2.UndefinedError):
        render("professional-offer", channel="sms", language="en", context=context)


def test_unknown_messages_languages_and_channels_are_refused() -> None:
    context = sample("booking-taken", "professional")
    with pytest.raises(UnknownMessage):
        render("booking-lost", channel="sms", language="en", context=context)
    with pytest.raises(UnknownMessage):
        render("booking-taken", channel="fax", language="en", context=context)
    with pytest.raises(UnknownMessage):
        render("booking-taken", channel="sms", language="fr", context=context)
    assert (language_for("fr"), language_for(None), language_for("ru")) == ("he", "he", "ru")


@pytest.mark.parametrize(
    ("language", "expected"),
    [("he", "יום ו׳ 04.12 בשעה 12:00"), ("en", "Fri 4 Dec at 12:00"), ("ru", "пт 4 дек. в 12:00")],
)
def test_visit_times_are_local_and_per_language(language: str, expected: str) -> None:
    assert format_when(VISIT_AT, language) == expected
    assert format_when(datetime(2026, 12, 4, 10, 0, tzinfo=UTC), language) == expected


def test_local_times_follow_daylight_saving_time() -> None:
    # 10:00 UTC is 13:00 in Israel in summer (UTC+3) and 12:00 in winter (UTC+2).
    assert format_when("2026-07-03T10:00:00+00:00", "en") == "Fri 3 Jul at 13:00"
    assert format_when("2026-07-04T10:00:00+00:00", "he") == "שבת 04.07 בשעה 13:00"


def test_money_phones_and_addresses_for_people() -> None:
    assert (format_shekels(17000, "en"), format_shekels(17000, "he"), format_shekels(17050, "ru")) == (
        "₪170",
        "170 ₪",
        "170.50 ₪",
    )
    assert format_phone("+972521234567") == "052-1234567"
    assert format_phone("+15551234567") == "+15551234567"
    address = {"street": "Herzl 10", "building": "3", "apartment": None, "city": "תל אביב"}
    assert format_address(address, "he") == "Herzl 10, בניין 3, תל אביב"
    assert format_address({**address, "apartment": "12"}, "en") == "Herzl 10, building 3, apt 12, תל אביב"


def test_the_offer_sms_shows_the_city_the_pay_and_the_link_but_never_the_street() -> None:
    body = render(
        "professional-offer",
        channel="sms",
        language="he",
        context=sample("professional-offer", "professional"),
    ).body
    assert "Tel Aviv" in body
    assert "170 ₪" in body
    assert LINK in body
    assert "10:15" in body
    assert "Herzl" not in body


def test_the_customer_confirmation_names_the_professional_and_the_professional_gets_the_address() -> None:
    customer = render(
        "booking-confirmed", channel="sms", language="en", context=sample("booking-confirmed", "customer")
    ).body
    professional = render(
        "booking-confirmed",
        channel="sms",
        language="en",
        context=sample("booking-confirmed", "professional"),
    ).body
    assert "Avi will come" in customer
    assert "Herzl" not in customer
    assert "Herzl 10, building 3, apt 12, Tel Aviv" in professional
    assert "Dana Levi, 052-1234567" in professional
