"""Who is acting, and the seed's `authorizeBookingAccess` rule."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from masu.domain.lifecycle import Actor


class Role(StrEnum):
    """What a user may act as."""

    CUSTOMER = "customer"
    PROFESSIONAL = "professional"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated user and the roles they hold."""

    user_id: str
    name: str
    roles: frozenset[Role]

    @property
    def is_admin(self) -> bool:
        """True for administrators."""
        return Role.ADMIN in self.roles

    def has(self, role: Role) -> bool:
        """True when the user holds `role`."""
        return role in self.roles


def can_access_booking(principal: Principal, *, owner_id: str, professional_id: str | None) -> bool:
    """The owner, the assigned professional and admins may see a booking; nobody else."""
    if principal.is_admin or principal.user_id == owner_id:
        return True
    return professional_id is not None and principal.user_id == professional_id


def actor_for_booking(principal: Principal, *, owner_id: str, professional_id: str | None) -> Actor:
    """The lifecycle actor this principal acts as on a booking they can access."""
    if principal.is_admin:
        return Actor.ADMIN
    if principal.user_id == owner_id:
        return Actor.CUSTOMER
    return Actor.PROFESSIONAL
