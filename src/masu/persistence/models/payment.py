"""Payments: one per booking with an amount due at the gateway, and the gateway callbacks processed."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from masu.persistence.base import Base, BigIntId, new_id

# created → paid | failed | cancelled; paid → refund_pending → refunded | refund_failed.
# A payment that arrives after its booking was called off goes cancelled/failed → refund_pending.
CREATED = "created"
PAID = "paid"
FAILED = "failed"
CANCELLED = "cancelled"
REFUND_PENDING = "refund_pending"
REFUNDED = "refunded"
REFUND_FAILED = "refund_failed"


class Payment(Base):
    """The money side of a booking: what is due, what the gateway took, and what went back."""

    __tablename__ = "payments"

    # Also the customer's checkout token (/pay/{id}): 122 random bits, so it cannot be guessed.
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    booking_id: Mapped[str] = mapped_column(sa.ForeignKey("bookings.id", ondelete="CASCADE"), unique=True)
    gateway: Mapped[str] = mapped_column(sa.String(16))
    reference: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    checkout_url: Mapped[str | None] = mapped_column(sa.String(500))
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3))
    status: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    refund_amount: Mapped[int | None]
    refund_reason: Mapped[str | None] = mapped_column(sa.String(24))
    refund_reference: Mapped[str | None] = mapped_column(sa.String(64))
    refunded_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(500))

    __table_args__ = (
        # The payment-timeout timer reads only payments still waiting for their money.
        sa.Index(
            "ix_payments_created_expires_at",
            "expires_at",
            postgresql_where=sa.text("status = 'created'"),
            sqlite_where=sa.text("status = 'created'"),
        ),
    )


class PaymentCallback(Base):
    """A gateway notification that was verified and processed; its event id makes a redelivery a no-op."""

    __tablename__ = "payment_callbacks"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    gateway: Mapped[str] = mapped_column(sa.String(16))
    event_id: Mapped[str] = mapped_column(sa.String(100))
    payment_id: Mapped[str] = mapped_column(sa.ForeignKey("payments.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(12))
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3))
    received_at: Mapped[datetime]

    __table_args__ = (sa.UniqueConstraint("gateway", "event_id"),)
