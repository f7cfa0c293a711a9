"""Every message the system sends, as a row admins can inspect."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from masu.persistence.base import Base, JsonDocument, new_id


class Notification(Base):
    """One message to one recipient over one channel, with its delivery state.

    status: queued (due at next_attempt_at), sending (claimed by a worker until next_attempt_at, then due
    again), sent, failed (for good), cancelled (no longer wanted, e.g. a reminder of a cancelled visit),
    skipped (its moment passed: not sent by send_before), held_back (not sent: the number, which is no
    verified account's, had its day's share of messages).
    """

    __tablename__ = "notifications"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    booking_id: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    event_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    user_id: Mapped[str | None] = mapped_column(sa.String(32))
    channel: Mapped[str] = mapped_column(sa.String(8))
    recipient: Mapped[str] = mapped_column(sa.String(254))
    template: Mapped[str] = mapped_column(sa.String(60))
    language: Mapped[str] = mapped_column(sa.String(2))
    subject: Mapped[str | None] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    # What the message was rendered from, so it can be rendered again for another channel (email fallback).
    context: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    urgent: Mapped[bool] = mapped_column(default=False)  # urgent SMS ignore the quiet hours
    send_before: Mapped[datetime | None]
    fallback_for_id: Mapped[str | None] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    provider_id: Mapped[str | None] = mapped_column(sa.String(100))
    error: Mapped[str | None] = mapped_column(sa.Text)
    idempotency_key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]

    __table_args__ = (
        sa.Index(None, "recipient", "next_attempt_at"),  # SMS to one number on a day (the third-party cap)
        sa.Index(
            "ix_notifications_due",
            "next_attempt_at",
            postgresql_where=sa.text("status IN ('queued', 'sending')"),
            sqlite_where=sa.text("status IN ('queued', 'sending')"),
        ),
    )
