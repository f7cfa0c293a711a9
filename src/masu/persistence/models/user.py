"""Users, their roles, phone codes and browser sessions."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from masu.persistence.base import Base, new_id


class User(Base):
    """A person who logs in: customer, professional, admin (roles in `user_roles`)."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(100))
    phone: Mapped[str] = mapped_column(sa.String(20), unique=True)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    gender: Mapped[str | None] = mapped_column(sa.String(8))
    language: Mapped[str] = mapped_column(sa.String(2), default="he")
    notify_by_sms: Mapped[bool] = mapped_column(default=True)
    notify_by_email: Mapped[bool] = mapped_column(default=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Written into every bearer token; raising it revokes them all (log out everywhere, password change).
    token_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime]
    # When the user proved the phone is theirs (a code sent to it); None: nothing but codes goes to it.
    phone_verified_at: Mapped[datetime | None]

    @property
    def phone_verified(self) -> bool:
        """True once the user has proved the phone is theirs."""
        return self.phone_verified_at is not None


class PhoneCode(Base):
    """A one-time code sent by SMS to prove a phone: only its keyed hash, with its tries and expiry."""

    __tablename__ = "phone_codes"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    phone: Mapped[str] = mapped_column(sa.String(20))
    purpose: Mapped[str] = mapped_column(sa.String(10))
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    requested_by: Mapped[str | None] = mapped_column(sa.String(64))  # the client address that asked
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    __table_args__ = (sa.Index(None, "phone", "created_at"),)


class BrowserSessionRecord(Base):
    """A logged-in browser; its cookie carries a random id whose SHA-256 is `id`. Deleting it logs out."""

    __tablename__ = "browser_sessions"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)  # the worker's purge finds expired rows by it


class UserRole(Base):
    """One role a user holds."""

    __tablename__ = "user_roles"

    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
