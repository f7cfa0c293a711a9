"""People's names: one rule for every name a person types (sign-up, settings, the person treated).

A name reaches admin pages and other people's SMS, so it may hold only what names are made of: letters of
any script (with their combining marks, such as Hebrew points), spaces, hyphens, apostrophes (' ’ and the
Hebrew geresh ׳ and gershayim ״) and full stops. No digits, no punctuation a link or an advert needs, no
control, format, bidirectional-override or zero-width characters, and nothing shaped like a web address.
"""

from __future__ import annotations

import re
import unicodedata

from masu.domain.errors import ValidationFailed

MIN_NAME, MAX_NAME = 2, 50
_PUNCTUATION = frozenset(" -'.\u2019\u05f3\u05f4")
# Two letters, a full stop, two letters: "evil.example" (initials such as "J.R." stay allowed).
_WEB_ADDRESS = re.compile(r"[^\W\d_]{2,}\.[^\W\d_]{2,}")
_SPACES = re.compile(r" {2,}")
_MESSAGE = f"a name of {MIN_NAME} to {MAX_NAME} letters, with spaces, - ' or . between them"


def _allowed(character: str) -> bool:
    return character in _PUNCTUATION or unicodedata.category(character)[0] in ("L", "M")


def clean_person_name(raw: str) -> str | None:
    """`raw` in its stored form (NFC, trimmed, single spaces) if it follows the name rule, else None."""
    name = _SPACES.sub(" ", unicodedata.normalize("NFC", raw).strip())
    if not MIN_NAME <= len(name) <= MAX_NAME or not all(_allowed(character) for character in name):
        return None
    if sum(unicodedata.category(character).startswith("L") for character in name) < MIN_NAME:
        return None
    if _WEB_ADDRESS.search(name) is not None:
        return None
    return name


def person_name(raw: str, *, field: str) -> str:
    """The stored form of a name; ValidationFailed on `field` when it breaks the name rule."""
    name = clean_person_name(raw)
    if name is None:
        raise ValidationFailed(field, _MESSAGE, code="name_invalid")
    return name


def safe_first_name(name: str) -> str | None:
    """The first word of a stored name, or None when the name (stored before the rule) breaks it."""
    cleaned = clean_person_name(name)
    return cleaned.split(" ")[0] if cleaned is not None else None
