"""Bearer tokens for the API: signed, expiring, bound to one user; request principals and role checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

_ALGORITHM = "HS256"


class TokenInvalid(Exception):
    """The token is malformed, forged or expired."""


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """Whom a valid token names, and the user's token version it was issued under."""

    user_id: str
    token_version: int


def issue_access_token(
    *, user_id: str, token_version: int, secret: str, now: datetime, ttl: timedelta
) -> str:
    """A signed token naming `user_id` at `token_version`, valid for `ttl` from `now`."""
    claims = {
        "sub": user_id,
        "ver": token_version,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
        "typ": "access",
    }
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def claims_of_token(token: str, *, secret: str, now: datetime) -> TokenClaims:
    """What a valid token says; TokenInvalid otherwise (expiry measured against `now`)."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[_ALGORITHM],
            options={"verify_exp": False, "verify_iat": False, "require": ["sub", "exp", "ver"]},
        )
    except jwt.PyJWTError as exc:
        raise TokenInvalid(str(exc)) from exc
    if claims.get("typ") != "access" or not isinstance(claims["sub"], str):
        raise TokenInvalid("not an access token")
    version = claims["ver"]
    if not isinstance(version, int) or isinstance(version, bool):
        raise TokenInvalid("no token version")
    expires = claims["exp"]
    if not isinstance(expires, int | float) or isinstance(expires, bool):
        raise TokenInvalid("malformed expiry")  # a signed but malformed claim is a 401, never a 500
    if int(expires) <= int(now.timestamp()):
        raise TokenInvalid("token expired")
    return TokenClaims(user_id=claims["sub"], token_version=version)
