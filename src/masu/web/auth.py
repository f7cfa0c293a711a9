"""Bearer tokens for the API: signed, expiring, bound to one user; request principals and role checks."""

from __future__ import annotations

from datetime import datetime, timedelta

import jwt

_ALGORITHM = "HS256"


class TokenInvalid(Exception):
    """The token is malformed, forged or expired."""


def issue_access_token(*, user_id: str, secret: str, now: datetime, ttl: timedelta) -> str:
    """A signed token naming `user_id`, valid for `ttl` from `now`."""
    claims = {
        "sub": user_id,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
        "typ": "access",
    }
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def user_id_from_token(token: str, *, secret: str, now: datetime) -> str:
    """The user a valid token names; TokenInvalid otherwise (expiry measured against `now`)."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[_ALGORITHM],
            options={"verify_exp": False, "verify_iat": False, "require": ["sub", "exp"]},
        )
    except jwt.PyJWTError as exc:
        raise TokenInvalid(str(exc)) from exc
    if claims.get("typ") != "access" or not isinstance(claims["sub"], str):
        raise TokenInvalid("not an access token")
    if int(claims["exp"]) <= int(now.timestamp()):
        raise TokenInvalid("token expired")
    return claims["sub"]
