"""The sandbox gateway's own books: its hosted payments and refunds (empty unless PAYMENT_GATEWAY=sandbox).

They live in the database, not in memory, so the page served by one process, the worker's refunds and
any other process all see the same gateway, as they would a real one.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from masu.persistence.base import Base


class SandboxPayment(Base):
    """A payment session at the sandbox gateway: open, then paid or declined, never both."""

    __tablename__ = "sandbox_payments"

    reference: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    merchant_order: Mapped[str] = mapped_column(sa.String(40))
    description: Mapped[str] = mapped_column(sa.String(200))
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3))
    return_url: Mapped[str] = mapped_column(sa.String(500))
    callback_url: Mapped[str] = mapped_column(sa.String(500))
    status: Mapped[str] = mapped_column(sa.String(12))
    refunded_amount: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    callback_event_id: Mapped[str | None] = mapped_column(sa.String(100))
    callback_attempts: Mapped[int] = mapped_column(default=0)
    callback_delivered_at: Mapped[datetime | None]


class SandboxRefund(Base):
    """Money the sandbox gateway gave back on a payment; one per idempotency key."""

    __tablename__ = "sandbox_refunds"

    reference: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    payment_reference: Mapped[str] = mapped_column(
        sa.ForeignKey("sandbox_payments.reference", ondelete="CASCADE"), index=True
    )
    idempotency_key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    amount: Mapped[int]
    created_at: Mapped[datetime]
