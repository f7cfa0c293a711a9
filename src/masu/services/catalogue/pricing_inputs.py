"""Turning catalogue rows into the pure pricing model."""

from __future__ import annotations

from datetime import time

from masu.domain.pricing import (
    Adjustment,
    AdjustmentKind,
    CouponTerms,
    DurationOption,
    PricingType,
    SurchargeRule,
    TreatmentPricing,
)
from masu.persistence.models import catalogue as rows


def treatment_pricing(treatment: rows.Treatment, durations: list[rows.TreatmentDuration]) -> TreatmentPricing:
    """The pricing of a treatment with its active durations."""
    return TreatmentPricing(
        pricing_type=PricingType(treatment.pricing_type),
        default_duration_minutes=treatment.default_duration_minutes,
        fixed_price=treatment.fixed_price,
        fixed_professional_pay=treatment.fixed_professional_pay,
        durations=tuple(
            DurationOption(minutes=d.minutes, price=d.price, professional_pay=d.professional_pay)
            for d in durations
        ),
    )


def surcharge_rule(rule: rows.SurchargeRule) -> SurchargeRule:
    """A stored surcharge rule as the pricing model sees it."""
    share = None
    if rule.share_kind is not None and rule.share_value is not None:
        share = Adjustment(AdjustmentKind(rule.share_kind), rule.share_value)
    return SurchargeRule(
        id=rule.id,
        description=rule.description,
        start=minute_to_time(rule.start_minute),
        end=minute_to_time(rule.end_minute),
        amount=Adjustment(AdjustmentKind(rule.amount_kind), rule.amount_value),
        professional_share=share,
        weekday=rule.weekday,
        on_date=rule.on_date,
    )


def coupon_terms(coupon: rows.Coupon) -> CouponTerms:
    """A stored coupon as the pricing model sees it."""
    return CouponTerms(
        code=coupon.code,
        kind=AdjustmentKind(coupon.kind),
        value=coupon.value,
        is_active=coupon.is_active,
        valid_from=coupon.valid_from,
        valid_until=coupon.valid_until,
    )


def minute_to_time(minute: int) -> time:
    """Minutes from local midnight as a wall-clock time (1440 is midnight at the end of the day)."""
    minute %= 24 * 60
    return time(minute // 60, minute % 60)
