"""Offers of a booking to professionals, one row per professional and wave."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from masu.persistence.base import Base, new_id


class Offer(Base):
    """An offer of a booking to one professional in one wave (`suitableProfessionals`)."""

    __tablename__ = "offers"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    booking_id: Mapped[str] = mapped_column(sa.ForeignKey("bookings.id", ondelete="CASCADE"))
    professional_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id"))
    wave: Mapped[int]
    match_score: Mapped[float]
    notified_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]
    response_status: Mapped[str] = mapped_column(sa.String(12), default="pending")
    response_at: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(sa.String(8))
    delivery_status: Mapped[str | None] = mapped_column(sa.String(12))
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime]

    __table_args__ = (
        sa.UniqueConstraint("booking_id", "professional_id", "wave"),
        sa.Index(None, "professional_id", "response_status"),
        sa.Index(None, "professional_id", "created_at"),
        sa.Index(
            "ix_offers_pending_expires_at",
            "expires_at",
            postgresql_where=sa.text("response_status = 'pending'"),
            sqlite_where=sa.text("response_status = 'pending'"),
        ),
    )
