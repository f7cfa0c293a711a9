"""Bookings, their status history, and the counter that numbers them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from masu.persistence.base import Base, BigIntId, JsonDocument, new_id


class Booking(Base):
    """One booked visit: who, what, where, when, the price and where it stands in its lifecycle."""

    __tablename__ = "bookings"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    booking_number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    status: Mapped[str] = mapped_column(sa.String(24))
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id"))
    professional_id: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id"))
    treatment_id: Mapped[str] = mapped_column(sa.ForeignKey("treatments.id"))
    duration_minutes: Mapped[int]
    booking_date_time: Mapped[datetime]
    ends_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    treatment_completed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]

    recipient_name: Mapped[str] = mapped_column(sa.String(50))
    recipient_phone: Mapped[str] = mapped_column(sa.String(20))
    recipient_email: Mapped[str | None] = mapped_column(sa.String(254))
    is_for_someone_else: Mapped[bool] = mapped_column(default=False)
    city_id: Mapped[str] = mapped_column(sa.ForeignKey("cities.id"))
    address_street: Mapped[str] = mapped_column(sa.String(100))
    address_city: Mapped[str] = mapped_column(sa.String(50))
    address_building: Mapped[str | None] = mapped_column(sa.String(20))
    address_apartment: Mapped[str | None] = mapped_column(sa.String(20))
    therapist_gender_preference: Mapped[str] = mapped_column(sa.String(8), default="any")
    notes: Mapped[str | None] = mapped_column(sa.String(500))

    coupon_id: Mapped[str | None] = mapped_column(sa.ForeignKey("coupons.id"))
    base_price: Mapped[int]
    surcharges: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument)
    total_surcharges: Mapped[int]
    discount: Mapped[int]
    final_amount: Mapped[int]
    base_professional_payment: Mapped[int]
    surcharges_professional_payment: Mapped[int]
    payment_bonus: Mapped[int] = mapped_column(default=0)
    total_professional_payment: Mapped[int]
    company_fee: Mapped[int]
    payment_status: Mapped[str] = mapped_column(sa.String(16))

    needs_attention: Mapped[bool] = mapped_column(default=False)
    cancellation_reason: Mapped[str | None] = mapped_column(sa.String(500))
    cancelled_by: Mapped[str | None] = mapped_column(sa.String(16))
    review_request_sent_at: Mapped[datetime | None]
    first_reminder_sent_at: Mapped[datetime | None]
    second_reminder_sent_at: Mapped[datetime | None]
    final_reminder_sent_at: Mapped[datetime | None]

    __table_args__ = (
        sa.Index(None, "status", "booking_date_time"),
        sa.Index(None, "user_id", "created_at", "id"),
        sa.Index(None, "professional_id", "status"),
        sa.Index(None, "professional_id", "confirmed_at"),
        sa.Index(None, "created_at", "id"),
        sa.Index(None, "city_id", "booking_date_time"),
        sa.Index(
            "ix_bookings_open_created_at",
            "created_at",
            postgresql_where=sa.text("status IN ('pending_professional', 'confirmed')"),
            sqlite_where=sa.text("status IN ('pending_professional', 'confirmed')"),
        ),
    )


class BookingStatusChange(Base):
    """One entry of a booking's `statusHistory`."""

    __tablename__ = "booking_status_history"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    booking_id: Mapped[str] = mapped_column(sa.ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(24))
    action: Mapped[str] = mapped_column(sa.String(24))
    occurred_at: Mapped[datetime]
    triggered_by: Mapped[str] = mapped_column(sa.String(16))
    actor_id: Mapped[str | None] = mapped_column(sa.String(32))
    reason: Mapped[str | None] = mapped_column(sa.String(500))


class Counter(Base):
    """A named monotonic counter (booking numbers on databases without sequences)."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger, default=0)
