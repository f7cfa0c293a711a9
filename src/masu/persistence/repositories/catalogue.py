"""Queries on treatments, cities, surcharge rules and coupons."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.models import (
    City,
    Coupon,
    CouponRedemption,
    SurchargeRule,
    Treatment,
    TreatmentDuration,
    User,
)


async def get_treatment(session: AsyncSession, treatment_id: str) -> Treatment | None:
    """Return the treatment with this id, active or not."""
    return await session.get(Treatment, treatment_id)


async def list_treatments(session: AsyncSession, *, active_only: bool) -> list[Treatment]:
    """Treatments by name."""
    query = sa.select(Treatment).order_by(Treatment.name, Treatment.id)
    if active_only:
        query = query.where(Treatment.is_active.is_(True))
    return list((await session.execute(query)).scalars())


async def durations_of(
    session: AsyncSession, treatment_ids: list[str], *, active_only: bool
) -> list[TreatmentDuration]:
    """Duration options of the given treatments, shortest first."""
    if not treatment_ids:
        return []
    query = (
        sa.select(TreatmentDuration)
        .where(TreatmentDuration.treatment_id.in_(treatment_ids))
        .order_by(TreatmentDuration.treatment_id, TreatmentDuration.minutes)
    )
    if active_only:
        query = query.where(TreatmentDuration.is_active.is_(True))
    return list((await session.execute(query)).scalars())


async def get_city(session: AsyncSession, city_id: str) -> City | None:
    """Return the city with this id, active or not."""
    return await session.get(City, city_id)


async def find_city(session: AsyncSession, name: str) -> City | None:
    """Return the active city whose English or Hebrew name matches `name` (case-insensitive)."""
    wanted = name.strip().lower()
    query = sa.select(City).where(
        City.is_active.is_(True),
        sa.or_(sa.func.lower(City.name) == wanted, City.name_he == name.strip()),
    )
    return (await session.execute(query)).scalars().first()


async def list_cities(session: AsyncSession, *, active_only: bool) -> list[City]:
    """Cities by name."""
    query = sa.select(City).order_by(City.name)
    if active_only:
        query = query.where(City.is_active.is_(True))
    return list((await session.execute(query)).scalars())


async def list_surcharge_rules(session: AsyncSession, *, active_only: bool) -> list[SurchargeRule]:
    """Surcharge rules, oldest first (the order prices apply them in)."""
    query = sa.select(SurchargeRule).order_by(SurchargeRule.created_at, SurchargeRule.id)
    if active_only:
        query = query.where(SurchargeRule.is_active.is_(True))
    return list((await session.execute(query)).scalars())


async def list_coupons(session: AsyncSession) -> list[Coupon]:
    """Every coupon, newest first."""
    query = sa.select(Coupon).order_by(Coupon.created_at.desc(), Coupon.code)
    return list((await session.execute(query)).scalars())


async def get_coupon_by_code(session: AsyncSession, code: str) -> Coupon | None:
    """Return the coupon with this code (codes are stored upper-case)."""
    return (
        await session.execute(sa.select(Coupon).where(Coupon.code == code.strip().upper()))
    ).scalar_one_or_none()


async def redemptions_by_user(session: AsyncSession, coupon_id: str, user_id: str) -> int:
    """Live redemptions of this coupon by this user or with their phone (by any account it had)."""
    query = sa.select(sa.func.count()).where(
        CouponRedemption.coupon_id == coupon_id,
        sa.or_(CouponRedemption.user_id == user_id, CouponRedemption.phone == _phone_of(user_id)),
    )
    return int((await session.execute(query)).scalar_one())


async def take_coupon_use(session: AsyncSession, coupon_id: str) -> bool:
    """Count one use of the coupon if its total limit allows; False when it is used up (atomic)."""
    result = await session.execute(
        sa.update(Coupon)
        .where(
            Coupon.id == coupon_id,
            sa.or_(Coupon.usage_limit.is_(None), Coupon.times_used < Coupon.usage_limit),
        )
        .values(times_used=Coupon.times_used + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def release_coupon_use(session: AsyncSession, booking_id: str) -> None:
    """Give back the coupon use of a booking (cancelled bookings do not consume a coupon)."""
    redemption = (
        await session.execute(sa.select(CouponRedemption).where(CouponRedemption.booking_id == booking_id))
    ).scalar_one_or_none()
    if redemption is None:
        return
    await session.execute(
        sa.update(Coupon).where(Coupon.id == redemption.coupon_id).values(times_used=Coupon.times_used - 1)
    )
    await session.delete(redemption)


def record_redemption(
    session: AsyncSession, *, coupon_id: str, user_id: str, booking_id: str, at: datetime
) -> None:
    """Add the redemption row for a booking that used a coupon, with the user's phone of the moment."""
    session.add(
        CouponRedemption(
            coupon_id=coupon_id,
            user_id=user_id,
            booking_id=booking_id,
            created_at=at,
            phone=_phone_of(user_id),
        )
    )


def _phone_of(user_id: str) -> sa.ScalarSelect[str]:
    return sa.select(User.phone).where(User.id == user_id).scalar_subquery()
