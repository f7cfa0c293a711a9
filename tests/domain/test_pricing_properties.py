"""Properties every quote keeps, whatever the prices, windows, coupon and time."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from masu.domain.pricing import (
    Adjustment,
    AdjustmentKind,
    CouponTerms,
    DurationOption,
    PricingType,
    SurchargeRule,
    TreatmentPricing,
    quote,
)

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)

amounts = st.integers(min_value=0, max_value=2_000_000)
adjustments = st.one_of(
    st.builds(Adjustment, st.just(AdjustmentKind.FIXED), amounts),
    st.builds(Adjustment, st.just(AdjustmentKind.PERCENT), st.integers(min_value=0, max_value=10_000)),
)
clock_times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
rules = st.lists(
    st.builds(
        SurchargeRule,
        id=st.uuids().map(str),
        description=st.just("window"),
        start=clock_times,
        end=clock_times,
        amount=adjustments,
        professional_share=st.none() | adjustments,
        weekday=st.none() | st.integers(0, 6),
    ),
    max_size=4,
)
coupons = st.none() | st.builds(
    CouponTerms, code=st.just("ANY"), kind=st.sampled_from(AdjustmentKind), value=st.integers(0, 10_000)
)
visits = st.integers(min_value=2 * 60, max_value=30 * 24 * 60).map(
    lambda minutes: NOW + timedelta(minutes=minutes)
)


@settings(max_examples=300, deadline=None)
@given(price=amounts, pay=amounts, surcharge_rules=rules, coupon=coupons, starts_at=visits, bonus=amounts)
def test_quote_invariants(
    price: int,
    pay: int,
    surcharge_rules: list[SurchargeRule],
    coupon: CouponTerms | None,
    starts_at: datetime,
    bonus: int,
) -> None:
    pricing = TreatmentPricing(
        pricing_type=PricingType.DURATION,
        default_duration_minutes=60,
        durations=(DurationOption(minutes=60, price=price, professional_pay=pay),),
    )
    details = quote(
        pricing=pricing,
        duration_minutes=60,
        starts_at=starts_at,
        surcharge_rules=surcharge_rules,
        coupon=coupon,
        now=NOW,
        payment_bonus=bonus,
    )
    subtotal = details.base_price + details.total_surcharges
    assert details.base_price == price
    assert details.total_surcharges == sum(s.amount for s in details.surcharges) >= 0
    assert 0 <= details.discount <= subtotal
    assert details.final_amount == max(0, subtotal - details.discount)
    assert details.surcharges_professional_payment == sum(s.professional_share for s in details.surcharges)
    assert details.total_professional_payment == (pay + details.surcharges_professional_payment + bonus)
    assert details.company_fee == details.final_amount - details.total_professional_payment
    assert len({s.rule_id for s in details.surcharges}) == len(details.surcharges)
    assert all(
        isinstance(value, int) for value in (details.final_amount, details.company_fee, details.discount)
    )
