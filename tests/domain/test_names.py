"""The one name rule: letters of any script with spaces, - ' and . between them; nothing an advert needs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from masu.domain.errors import ValidationFailed
from masu.domain.names import clean_person_name, person_name, safe_first_name


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Dana Levi", "Dana Levi"),
        ("  Dana   Levi ", "Dana Levi"),
        ("דנה לוי", "דנה לוי"),
        ("ג׳ורג׳ בן-דוד", "ג׳ורג׳ בן-דוד"),
        ("Ольга Иванова", "Ольга Иванова"),
        ("O'Brien", "O'Brien"),
        ("J.R. Smith", "J.R. Smith"),
        ("Zoe\u0301", "Zoé"),  # NFC: the combining accent joins its letter
        ("שָׁלוֹם", "שָׁלוֹם"),  # Hebrew points are marks of their letters
        ("Al", "Al"),
        ("a" * 50, "a" * 50),
    ],
)
def test_names_people_have_are_kept(typed: str, stored: str) -> None:
    assert person_name(typed, field="name") == stored


@pytest.mark.parametrize(
    "typed",
    [
        "WIN 5000 NIS! claim at http://evil.example/x now",
        "claim at evil.example now",
        "\u202eAdmin",
        "Dana\u0007Levi",
        "\u200b\u200b",
        "Dana\u200bLevi",
        "Dana\u2066Levi",
        "Agent 007",
        "A",
        "a" * 51,
        "- ' .",
        "Dana\nLevi",
        "Dana@Levi",
        "",
    ],
)
def test_anything_else_is_refused_naming_the_field(typed: str) -> None:
    assert clean_person_name(typed) is None
    with pytest.raises(ValidationFailed) as refused:
        person_name(typed, field="recipientName")
    assert (refused.value.field, refused.value.code) == ("recipientName", "name_invalid")


@given(st.text(max_size=80))
def test_whatever_is_accepted_holds_no_digit_control_or_format_character(typed: str) -> None:
    name = clean_person_name(typed)
    if name is not None:
        assert 2 <= len(name) <= 50
        assert not any(character.isdigit() or not character.isprintable() for character in name)
        assert clean_person_name(name) == name


def test_a_first_name_is_given_only_from_a_name_that_keeps_the_rule() -> None:
    assert safe_first_name("Noa Cohen") == "Noa"
    assert safe_first_name("WIN 5000 NIS! claim at http://evil.example/x now") is None
