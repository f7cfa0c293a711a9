"""HMAC-SHA256 signatures over a timestamp and the raw body, refusing stale ones (replays)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

SCHEME = "v1"
DEFAULT_TOLERANCE = timedelta(minutes=5)


class SignatureInvalid(Exception):
    """The signature is missing, malformed or does not match the body."""


class SignatureExpired(SignatureInvalid):
    """The signature is genuine but its timestamp is too far from now: a replay or a very late delivery."""


def sign(key: bytes, *, timestamp: int, body: bytes) -> str:
    """The signature header value for `body` sent at `timestamp` (Unix seconds)."""
    return f"{SCHEME}={_digest(key, timestamp, body)}"


def verify(
    key: bytes,
    *,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: datetime,
    tolerance: timedelta = DEFAULT_TOLERANCE,
) -> None:
    """Accept a genuine, fresh signature; raise SignatureInvalid or SignatureExpired otherwise."""
    if not timestamp or not signature or not timestamp.isdigit() or len(timestamp) > 12:
        raise SignatureInvalid("missing or malformed signature headers")
    scheme, _, given = signature.partition("=")
    expected = _digest(key, int(timestamp), body)
    # Constant-time comparison, so the time taken reveals nothing about how much of a forgery matched.
    if scheme != SCHEME or not hmac.compare_digest(given.encode(), expected.encode()):
        raise SignatureInvalid("signature does not match")
    # Checked after the signature, so the timestamp itself is known to come from the key holder.
    if abs(now.timestamp() - int(timestamp)) > tolerance.total_seconds():
        raise SignatureExpired("signature timestamp is outside the accepted window")


def _digest(key: bytes, timestamp: int, body: bytes) -> str:
    return hmac.new(key, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
