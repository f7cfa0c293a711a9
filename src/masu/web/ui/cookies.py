"""The pages' security cookies: HttpOnly, SameSite=Lax, and in production Secure with the `__Host-` prefix.

A `__Host-` cookie must be Secure, for Path=/ and without a Domain, so a neighbouring subdomain cannot plant
or overwrite it; browsers refuse it otherwise.
"""

from __future__ import annotations

from fastapi import Request, Response

from masu.bootstrap import Container

SESSION_COOKIE = "masu_session"
CSRF_COOKIE = "masu_csrf"
HOST_PREFIX = "__Host-"


def cookie_name(base: str, container: Container) -> str:
    """The name `base` goes by: with the `__Host-` prefix in production."""
    return HOST_PREFIX + base if container.settings.is_production else base


def read_cookie(request: Request, base: str, container: Container) -> str | None:
    """The request's value of the cookie named `base`, if any."""
    return request.cookies.get(cookie_name(base, container)) or None


def set_cookie(
    response: Response, base: str, value: str, container: Container, *, max_age: int | None = None
) -> None:
    """Set the cookie `base` (HttpOnly, SameSite=Lax, Path=/, no Domain; Secure in production)."""
    response.set_cookie(
        cookie_name(base, container),
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=container.settings.is_production,
        path="/",
    )


def delete_cookie(response: Response, base: str, container: Container) -> None:
    """Remove the cookie `base` from the browser."""
    response.delete_cookie(
        cookie_name(base, container),
        path="/",
        httponly=True,
        samesite="lax",
        secure=container.settings.is_production,
    )
