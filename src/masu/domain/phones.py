"""Israeli phone numbers: accepted in local or international form, kept in E.164."""

from __future__ import annotations

import re

import phonenumbers

from masu.domain.errors import ValidationFailed

# Israeli mobiles are 05 followed by eight digits. Range-level validity data lags new allocations and
# rejects real numbers (and 052-1234567), so a number is accepted by its plan, not its range.
_ISRAELI_MOBILE = re.compile(r"5\d{8}")
_MESSAGE = "must be an Israeli mobile number such as 052-1234567"


def normalize_israeli_mobile(raw: str, *, field: str) -> str:
    """Return `raw` in E.164 (+9725 and 8 digits); ValidationFailed on `field` unless an Israeli mobile."""
    cleaned = raw.strip()
    if len(cleaned) > 20:
        raise ValidationFailed(field, _MESSAGE)
    try:
        number = phonenumbers.parse(cleaned, "IL")
    except phonenumbers.NumberParseException as exc:
        raise ValidationFailed(field, _MESSAGE) from exc
    national = phonenumbers.national_significant_number(number)
    if number.country_code != 972 or not _ISRAELI_MOBILE.fullmatch(national):
        raise ValidationFailed(field, _MESSAGE)
    return f"+972{national}"
