"""What can be booked and what it costs: treatments, cities, surcharges, coupons."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from masu.persistence.base import Base, new_id


class Treatment(Base):
    """A bookable treatment, priced either at a fixed price or per duration."""

    __tablename__ = "treatments"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(100))
    category: Mapped[str] = mapped_column(sa.String(20))
    description: Mapped[str | None] = mapped_column(sa.Text)
    pricing_type: Mapped[str] = mapped_column(sa.String(10))
    fixed_price: Mapped[int | None]
    fixed_professional_pay: Mapped[int | None]
    default_duration_minutes: Mapped[int] = mapped_column(default=60)
    allows_gender_preference: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class TreatmentDuration(Base):
    """A duration option of a duration-priced treatment, with its price and default pay."""

    __tablename__ = "treatment_durations"

    treatment_id: Mapped[str] = mapped_column(
        sa.ForeignKey("treatments.id", ondelete="CASCADE"), primary_key=True
    )
    minutes: Mapped[int] = mapped_column(primary_key=True)
    price: Mapped[int]
    professional_pay: Mapped[int]
    is_active: Mapped[bool] = mapped_column(default=True)


class City(Base):
    """A city the service covers."""

    __tablename__ = "cities"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(50))
    name_he: Mapped[str | None] = mapped_column(sa.String(50))
    latitude: Mapped[float]
    longitude: Mapped[float]
    is_active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (sa.Index("uq_cities_lower_name", sa.func.lower(sa.column("name")), unique=True),)


class SurchargeRule(Base):
    """A local time window (on a weekday, a date, or every day) that adds to the price."""

    __tablename__ = "surcharge_rules"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    description: Mapped[str] = mapped_column(sa.String(100))
    weekday: Mapped[int | None]
    on_date: Mapped[date | None]
    start_minute: Mapped[int]
    end_minute: Mapped[int]
    amount_kind: Mapped[str] = mapped_column(sa.String(8))
    amount_value: Mapped[int]
    share_kind: Mapped[str | None] = mapped_column(sa.String(8))
    share_value: Mapped[int | None]
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class Coupon(Base):
    """A discount code with a validity window and total and per-user usage limits."""

    __tablename__ = "coupons"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(8))
    value: Mapped[int]
    valid_from: Mapped[datetime | None]
    valid_until: Mapped[datetime | None]
    usage_limit: Mapped[int | None]
    per_user_limit: Mapped[int | None]
    times_used: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]

    __table_args__ = (
        sa.CheckConstraint("usage_limit IS NULL OR times_used <= usage_limit", name="within_limit"),
    )


class CouponRedemption(Base):
    """One use of a coupon by a user for a booking (released when the booking is cancelled)."""

    __tablename__ = "coupon_redemptions"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    coupon_id: Mapped[str] = mapped_column(sa.ForeignKey("coupons.id"))
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id"))
    booking_id: Mapped[str] = mapped_column(sa.ForeignKey("bookings.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime]
    # The account's phone at the time: a once-per-customer coupon is once per phone, not per account.
    phone: Mapped[str | None] = mapped_column(sa.String(20))

    __table_args__ = (sa.Index(None, "coupon_id", "user_id"), sa.Index(None, "coupon_id", "phone"))
