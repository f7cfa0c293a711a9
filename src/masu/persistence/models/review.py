"""Customers' reviews of completed treatments, and where each booking stands in its review cycle."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from masu.persistence.base import Base, new_id


class Review(Base):
    """One review per booking, with the professional's single reply."""

    __tablename__ = "reviews"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    booking_id: Mapped[str] = mapped_column(sa.ForeignKey("bookings.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id"))
    professional_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id"))
    rating: Mapped[int]
    comment: Mapped[str | None] = mapped_column(sa.String(1000))
    professional_reply: Mapped[str | None] = mapped_column(sa.String(1000))
    replied_at: Mapped[datetime | None]
    is_hidden: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]

    __table_args__ = (
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        sa.Index(None, "professional_id", "rating"),
        sa.Index(None, "user_id", "created_at"),
        # A professional's public reviews are read newest first.
        sa.Index(None, "professional_id", "created_at"),
    )


class ReviewCycle(Base):
    """A booking waiting for its review: the next step of its cycle and when it falls due (`nextReminderAt`).

    The row exists only while the cycle runs; the worker finds due rows through the index on `next_step_at`.
    """

    __tablename__ = "review_cycles"

    booking_id: Mapped[str] = mapped_column(
        sa.ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True
    )
    next_step: Mapped[str] = mapped_column(sa.String(16))
    next_step_at: Mapped[datetime] = mapped_column(index=True)
