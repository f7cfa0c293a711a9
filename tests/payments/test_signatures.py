"""HMAC signatures over a timestamp and the raw body: genuine and fresh, or refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from masu.payments.signatures import SignatureExpired, SignatureInvalid, sign, verify

KEY = b"k" * 32
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
STAMP = int(NOW.timestamp())
BODY = b'{"eventId":"evt_1","amount":18000}'


def _verify(timestamp: str | None, signature: str | None, body: bytes = BODY, *, now: datetime = NOW) -> None:
    verify(KEY, timestamp=timestamp, signature=signature, body=body, now=now)


def test_a_genuine_fresh_signature_is_accepted_within_the_window() -> None:
    signature = sign(KEY, timestamp=STAMP, body=BODY)

    assert signature.startswith("v1=")
    _verify(str(STAMP), signature)
    _verify(str(STAMP), signature, now=NOW + timedelta(minutes=5))
    _verify(str(STAMP), signature, now=NOW - timedelta(minutes=5))


@pytest.mark.parametrize(
    ("timestamp", "signature", "body"),
    [
        (str(STAMP), sign(KEY, timestamp=STAMP, body=BODY), BODY + b" "),  # body changed
        (str(STAMP), sign(b"another key", timestamp=STAMP, body=BODY), BODY),  # someone else's key
        (str(STAMP + 1), sign(KEY, timestamp=STAMP, body=BODY), BODY),  # timestamp moved
        (str(STAMP), sign(KEY, timestamp=STAMP, body=BODY).replace("v1=", "v0="), BODY),  # unknown scheme
        (str(STAMP), sign(KEY, timestamp=STAMP, body=BODY)[:-1], BODY),  # truncated
        (str(STAMP), None, BODY),
        (None, sign(KEY, timestamp=STAMP, body=BODY), BODY),
        ("-5", sign(KEY, timestamp=STAMP, body=BODY), BODY),
        ("1e9", sign(KEY, timestamp=STAMP, body=BODY), BODY),
        ("9" * 40, sign(KEY, timestamp=STAMP, body=BODY), BODY),
        (str(STAMP), "", BODY),
    ],
)
def test_a_forged_tampered_or_malformed_signature_is_refused(
    timestamp: str | None, signature: str | None, body: bytes
) -> None:
    with pytest.raises(SignatureInvalid) as refused:
        _verify(timestamp, signature, body)
    assert not isinstance(refused.value, SignatureExpired)


@pytest.mark.parametrize("offset", [timedelta(minutes=5, seconds=1), timedelta(minutes=-5, seconds=-1)])
def test_a_genuine_signature_outside_the_window_is_a_replay(offset: timedelta) -> None:
    signature = sign(KEY, timestamp=STAMP, body=BODY)

    with pytest.raises(SignatureExpired):
        _verify(str(STAMP), signature, now=NOW + offset)
