"""Review rules: the single-use review link."""

from __future__ import annotations

import hashlib
import hmac

_TOKEN_BYTES = 16  # 128 bits of HMAC on top of the booking's random id


def review_token(booking_id: str, secret: str) -> str:
    """The token of a booking's review link: its id and an HMAC of it, so nothing secret needs storing."""
    return f"{booking_id}.{_signature(booking_id, secret)}"


def booking_id_from_review_token(token: str, secret: str) -> str | None:
    """The booking a review token was issued for, or None for a forged or damaged token."""
    booking_id, _, signature = token.partition(".")
    if not booking_id or not hmac.compare_digest(signature, _signature(booking_id, secret)):
        return None
    return booking_id


def _signature(booking_id: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), b"review:" + booking_id.encode(), hashlib.sha256).hexdigest()
    return digest[: _TOKEN_BYTES * 2]
