"""Pricing rules: base price, surcharge windows (midnight, holidays, DST), coupons and payouts.

Every expected number is worked out by hand in the table or a comment next to it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from masu.domain.errors import ValidationFailed
from masu.domain.pricing import (
    Adjustment,
    AdjustmentKind,
    AppliedSurcharge,
    CouponTerms,
    DurationOption,
    PricingType,
    SurchargeRule,
    TreatmentPricing,
    applicable_surcharges,
    base_price_for,
    coupon_discount,
    quote,
)

IDT = timezone(timedelta(hours=3))  # Israel summer time
IST = timezone(timedelta(hours=2))  # Israel winter time

FIXED = TreatmentPricing(
    pricing_type=PricingType.FIXED,
    default_duration_minutes=60,
    fixed_price=30000,
    fixed_professional_pay=18000,
)
BY_DURATION = TreatmentPricing(
    pricing_type=PricingType.DURATION,
    default_duration_minutes=60,
    durations=(
        DurationOption(minutes=60, price=25000, professional_pay=15000),
        DurationOption(minutes=90, price=35000, professional_pay=21000),
        DurationOption(minutes=120, price=45000, professional_pay=27000),
    ),
)

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=IDT)  # a Wednesday
WEDNESDAY_NOON = datetime(2026, 6, 10, 12, 0, tzinfo=IDT)


def fixed(value: int) -> Adjustment:
    return Adjustment(AdjustmentKind.FIXED, value)


def percent(basis_points: int) -> Adjustment:
    return Adjustment(AdjustmentKind.PERCENT, basis_points)


def rule(
    rule_id: str,
    start: time,
    end: time,
    *,
    weekday: int | None = None,
    on_date: date | None = None,
    amount: Adjustment | None = None,
    share: Adjustment | None = None,
) -> SurchargeRule:
    return SurchargeRule(
        id=rule_id,
        description=rule_id,
        start=start,
        end=end,
        amount=amount if amount is not None else fixed(1000),
        professional_share=share,
        weekday=weekday,
        on_date=on_date,
    )


def ids(rules: list[SurchargeRule]) -> list[str]:
    return [r.id for r in rules]


# --- base price -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pricing", "duration", "expected"),
    [
        (FIXED, None, (60, 30000, 18000)),
        (FIXED, 60, (60, 30000, 18000)),
        (BY_DURATION, 60, (60, 25000, 15000)),
        (BY_DURATION, 90, (90, 35000, 21000)),
        (BY_DURATION, 120, (120, 45000, 27000)),
    ],
)
def test_base_price(pricing: TreatmentPricing, duration: int | None, expected: tuple[int, int, int]) -> None:
    assert base_price_for(pricing, duration) == expected


@pytest.mark.parametrize(
    ("pricing", "duration", "message"),
    [
        (FIXED, 90, "this treatment lasts 60 minutes"),
        (BY_DURATION, None, "required for this treatment"),
        (BY_DURATION, 45, "must be one of 60, 90, 120"),
    ],
)
def test_base_price_rejects_bad_duration(
    pricing: TreatmentPricing, duration: int | None, message: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        base_price_for(pricing, duration)
    assert caught.value.field == "durationMinutes"
    assert caught.value.message == message


def test_offered_durations_are_listed_in_ascending_order() -> None:
    pricing = TreatmentPricing(
        pricing_type=PricingType.DURATION,
        default_duration_minutes=90,
        durations=(DurationOption(120, 1, 1), DurationOption(60, 1, 1), DurationOption(90, 1, 1)),
    )
    with pytest.raises(ValidationFailed, match="must be one of 60, 90, 120"):
        base_price_for(pricing, 30)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"pricing_type": PricingType.FIXED, "default_duration_minutes": 60, "fixed_price": 100},
        {"pricing_type": PricingType.FIXED, "default_duration_minutes": 60, "fixed_professional_pay": 100},
        {"pricing_type": PricingType.DURATION, "default_duration_minutes": 60},
    ],
)
def test_treatment_pricing_rejects_incomplete_price_list(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="treatment needs"):
        TreatmentPricing(**kwargs)  # type: ignore[arg-type]


# --- adjustments and rounding ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("adjustment", "amount", "expected"),
    [
        (fixed(700), 333, 700),  # fixed ignores the amount
        (percent(1500), 30000, 4500),
        (percent(1250), 333, 42),  # 41.625 -> 42
        (percent(5000), 333, 167),  # 166.5 -> 167 (half up)
        (percent(1250), 4, 1),  # 0.5 -> 1 (half up)
        (percent(1250), 3, 0),  # 0.375 -> 0
    ],
)
def test_adjustment_of(adjustment: Adjustment, amount: int, expected: int) -> None:
    assert adjustment.of(amount) == expected


# --- surcharge kinds through a quote ---------------------------------------------------------------
# Fixed-price treatment: base 30000, default professional pay 18000, no coupon, one whole-day rule.


@pytest.mark.parametrize(
    ("amount", "share", "surcharge", "pro_share", "final", "pro_total", "fee"),
    [
        (fixed(5000), None, 5000, 0, 35000, 18000, 17000),
        (percent(1500), None, 4500, 0, 34500, 18000, 16500),  # 15% of 30000
        (fixed(5000), fixed(2000), 5000, 2000, 35000, 20000, 15000),
        (fixed(5000), percent(5000), 5000, 2500, 35000, 20500, 14500),  # 50% of 5000
        (percent(1500), percent(4000), 4500, 1800, 34500, 19800, 14700),  # 40% of 4500
        (percent(1000), fixed(1000), 3000, 1000, 33000, 19000, 14000),  # 10% of 30000
    ],
)
def test_surcharge_kinds(
    amount: Adjustment,
    share: Adjustment | None,
    surcharge: int,
    pro_share: int,
    final: int,
    pro_total: int,
    fee: int,
) -> None:
    all_day = rule("all-day", time(0), time(0), amount=amount, share=share)
    details = quote(
        pricing=FIXED,
        duration_minutes=None,
        starts_at=WEDNESDAY_NOON,
        surcharge_rules=[all_day],
        coupon=None,
        now=NOW,
    )
    assert details.surcharges == (AppliedSurcharge("all-day", "all-day", surcharge, pro_share),)
    assert details.total_surcharges == surcharge
    assert details.surcharges_professional_payment == pro_share
    assert details.final_amount == final
    assert details.total_professional_payment == pro_total
    assert details.company_fee == fee


# --- surcharge windows -----------------------------------------------------------------------------

FRIDAY_NIGHT = rule("friday-night", time(22), time(6), weekday=4)


@pytest.mark.parametrize(
    ("starts_at", "applies"),
    [
        (datetime(2026, 6, 12, 23, 30, tzinfo=IDT), True),  # Friday 23:30
        (datetime(2026, 6, 13, 1, 30, tzinfo=IDT), True),  # Saturday 01:30, window opened Friday
        (datetime(2026, 6, 12, 1, 30, tzinfo=IDT), False),  # Friday 01:30 belongs to Thursday's night
        (datetime(2026, 6, 13, 6, 0, tzinfo=IDT), False),  # end is exclusive
        (datetime(2026, 6, 12, 22, 0, tzinfo=IDT), True),  # start is inclusive
        (datetime(2026, 6, 12, 21, 59, tzinfo=IDT), False),
        (datetime(2026, 6, 12, 19, 30, tzinfo=UTC), True),  # 19:30Z = Friday 22:30 local
        (datetime(2026, 6, 13, 3, 30, tzinfo=UTC), False),  # 03:30Z = Saturday 06:30 local
    ],
)
def test_window_across_midnight(starts_at: datetime, applies: bool) -> None:
    assert ids(applicable_surcharges([FRIDAY_NIGHT], starts_at)) == (["friday-night"] if applies else [])


EVERY_NIGHT = rule("every-night", time(23), time(5))


@pytest.mark.parametrize(
    ("starts_at", "applies"),
    [
        (datetime(2026, 6, 10, 23, 30, tzinfo=IDT), True),  # Wednesday
        (datetime(2026, 6, 11, 0, 0, tzinfo=IDT), True),
        (datetime(2026, 6, 11, 4, 59, tzinfo=IDT), True),
        (datetime(2026, 6, 11, 5, 0, tzinfo=IDT), False),
        (datetime(2026, 6, 10, 12, 0, tzinfo=IDT), False),
        (datetime(2026, 6, 14, 2, 0, tzinfo=IDT), True),  # Sunday
    ],
)
def test_every_day_night_window(starts_at: datetime, applies: bool) -> None:
    assert ids(applicable_surcharges([EVERY_NIGHT], starts_at)) == (["every-night"] if applies else [])


@pytest.mark.parametrize(
    ("window", "starts_at", "applies"),
    [
        # 00:00-00:00 on Wednesday is all of Wednesday.
        (rule("wed", time(0), time(0), weekday=2), datetime(2026, 6, 10, 0, 0, tzinfo=IDT), True),
        (rule("wed", time(0), time(0), weekday=2), datetime(2026, 6, 10, 23, 59, tzinfo=IDT), True),
        (rule("wed", time(0), time(0), weekday=2), datetime(2026, 6, 11, 0, 0, tzinfo=IDT), False),
        (rule("wed", time(0), time(0), weekday=2), datetime(2026, 6, 9, 23, 59, tzinfo=IDT), False),
        # 10:00-10:00 opened on Wednesday runs 24 hours, to Thursday 10:00.
        (rule("wed", time(10), time(10), weekday=2), datetime(2026, 6, 11, 9, 59, tzinfo=IDT), True),
        (rule("wed", time(10), time(10), weekday=2), datetime(2026, 6, 11, 10, 0, tzinfo=IDT), False),
        (rule("wed", time(10), time(10), weekday=2), datetime(2026, 6, 10, 9, 59, tzinfo=IDT), False),
    ],
)
def test_whole_day_window(window: SurchargeRule, starts_at: datetime, applies: bool) -> None:
    assert ids(applicable_surcharges([window], starts_at)) == (["wed"] if applies else [])


# Friday 2026-06-12 is a holiday with its own 18:00-02:00 window; other Fridays are normal.
HOLIDAY_RULES = [
    rule("friday-eve", time(14), time(22), weekday=4),
    rule("every-night", time(23), time(5)),
    rule("holiday", time(18), time(2), on_date=date(2026, 6, 12)),
]


@pytest.mark.parametrize(
    ("starts_at", "expected"),
    [
        (datetime(2026, 6, 12, 15, 0, tzinfo=IDT), []),  # friday-eve replaced by the holiday
        (datetime(2026, 6, 12, 19, 0, tzinfo=IDT), ["holiday"]),
        (datetime(2026, 6, 12, 23, 30, tzinfo=IDT), ["holiday"]),  # every-night replaced as well
        (datetime(2026, 6, 13, 1, 0, tzinfo=IDT), ["holiday"]),  # holiday window opened Friday
        (datetime(2026, 6, 13, 3, 0, tzinfo=IDT), []),  # Friday's every-night is replaced
        (datetime(2026, 6, 13, 23, 30, tzinfo=IDT), ["every-night"]),  # Saturday is an ordinary day
        (datetime(2026, 6, 12, 1, 0, tzinfo=IDT), ["every-night"]),  # opened Thursday, not a holiday
        (datetime(2026, 6, 19, 15, 0, tzinfo=IDT), ["friday-eve"]),  # an ordinary Friday
        (datetime(2026, 6, 20, 1, 0, tzinfo=IDT), ["every-night"]),  # the night after an ordinary Friday
    ],
)
def test_date_rule_replaces_weekday_rules(starts_at: datetime, expected: list[str]) -> None:
    assert ids(applicable_surcharges(HOLIDAY_RULES, starts_at)) == expected


@pytest.mark.parametrize(
    ("rules", "starts_at", "expected"),
    [
        (
            [EVERY_NIGHT, FRIDAY_NIGHT],
            datetime(2026, 6, 12, 23, 30, tzinfo=IDT),
            ["every-night", "friday-night"],
        ),
        (
            [FRIDAY_NIGHT, EVERY_NIGHT],
            datetime(2026, 6, 13, 0, 30, tzinfo=IDT),
            ["friday-night", "every-night"],
        ),
        # Saturday's morning rule opens on Saturday, Friday's night rule opened Friday: rule order still wins.
        (
            [rule("sat-morning", time(0), time(8), weekday=5), FRIDAY_NIGHT],
            datetime(2026, 6, 13, 1, 0, tzinfo=IDT),
            ["sat-morning", "friday-night"],
        ),
    ],
)
def test_several_rules_apply_in_rule_order(
    rules: list[SurchargeRule], starts_at: datetime, expected: list[str]
) -> None:
    assert ids(applicable_surcharges(rules, starts_at)) == expected


# Israel 2026: forward Fri 03-27 02:00->03:00, back Sun 10-25 02:00->01:00; 2027: Fri 03-26, Sun 10-31.
# Wall-clock 01:30 is before the spring gap and inside the autumn's repeated hour (it happens at both
# +03:00 and +02:00). Either way the local time reads 01:30: inside 00:00-06:00, outside 02:00-05:00.
DST_RULES = [rule("small-hours", time(0), time(6)), rule("deep-night", time(2), time(5))]


@pytest.mark.parametrize(
    ("starts_at", "expected"),
    [
        (datetime(2026, 3, 27, 1, 30, tzinfo=IST), ["small-hours"]),
        (datetime(2026, 10, 25, 1, 30, tzinfo=IDT), ["small-hours"]),  # first 01:30
        (datetime(2026, 10, 25, 1, 30, tzinfo=IST), ["small-hours"]),  # second 01:30
        (datetime(2027, 3, 26, 1, 30, tzinfo=IST), ["small-hours"]),
        (datetime(2027, 10, 31, 1, 30, tzinfo=IDT), ["small-hours"]),
        (datetime(2027, 10, 31, 1, 30, tzinfo=IST), ["small-hours"]),
        (datetime(2026, 10, 24, 22, 30, tzinfo=UTC), ["small-hours"]),  # = 01:30+03:00
        (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), ["small-hours"]),  # = 01:30+02:00
        (datetime(2026, 3, 27, 0, 30, tzinfo=UTC), ["small-hours", "deep-night"]),  # = 03:30+03:00
        (datetime(2026, 10, 25, 2, 30, tzinfo=IST), ["small-hours", "deep-night"]),  # after the repeat
    ],
)
def test_dst_change_days_use_wall_clock(starts_at: datetime, expected: list[str]) -> None:
    assert ids(applicable_surcharges(DST_RULES, starts_at)) == expected


def test_naive_start_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        applicable_surcharges([EVERY_NIGHT], datetime(2026, 6, 10, 23, 30))


@pytest.mark.parametrize(
    ("weekday", "on_date", "field"),
    [(7, None, "weekday"), (-1, None, "weekday"), (4, date(2026, 6, 12), "onDate")],
)
def test_surcharge_rule_rejects_bad_day(weekday: int, on_date: date | None, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        rule("bad", time(22), time(6), weekday=weekday, on_date=on_date)
    assert caught.value.field == field


# --- coupons ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("coupon", "subtotal", "expected"),
    [
        (CouponTerms("TEN", AdjustmentKind.PERCENT, 1000), 34500, 3450),
        (CouponTerms("ALL", AdjustmentKind.PERCENT, 10000), 34500, 34500),
        (CouponTerms("ODD", AdjustmentKind.PERCENT, 1250), 333, 42),  # 41.625 -> 42
        (CouponTerms("FIFTY", AdjustmentKind.FIXED, 5000), 34500, 5000),
        (CouponTerms("HUGE", AdjustmentKind.FIXED, 50000), 34500, 34500),  # capped at the subtotal
        # Bounds are inclusive; 09:00Z is the same instant as NOW (12:00+03:00).
        (CouponTerms("EDGE", AdjustmentKind.FIXED, 100, valid_from=NOW, valid_until=NOW), 34500, 100),
        (
            CouponTerms(
                "UTC", AdjustmentKind.FIXED, 100, valid_until=datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
            ),
            34500,
            100,
        ),
    ],
)
def test_coupon_discount(coupon: CouponTerms, subtotal: int, expected: int) -> None:
    assert coupon_discount(coupon, subtotal, NOW) == expected


@pytest.mark.parametrize(
    ("coupon", "message"),
    [
        (
            CouponTerms("OLD", AdjustmentKind.FIXED, 100, valid_until=datetime(2026, 6, 1, 0, 0, tzinfo=IDT)),
            "this coupon has expired or is not valid yet",
        ),
        (
            CouponTerms("SOON", AdjustmentKind.FIXED, 100, valid_from=datetime(2026, 7, 1, 0, 0, tzinfo=IDT)),
            "this coupon has expired or is not valid yet",
        ),
        (
            CouponTerms(
                "JUST", AdjustmentKind.FIXED, 100, valid_until=datetime(2026, 6, 10, 8, 59, tzinfo=UTC)
            ),
            "this coupon has expired or is not valid yet",
        ),
        (CouponTerms("OFF", AdjustmentKind.PERCENT, 1000, is_active=False), "this coupon is not active"),
    ],
)
def test_coupon_rejected(coupon: CouponTerms, message: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        coupon_discount(coupon, 34500, NOW)
    assert caught.value.field == "couponCode"
    assert caught.value.message == message


# --- quotes ----------------------------------------------------------------------------------------


def test_full_coupon_gives_zero_and_negative_company_fee() -> None:
    details = quote(
        pricing=FIXED,
        duration_minutes=None,
        starts_at=WEDNESDAY_NOON,
        surcharge_rules=[],
        coupon=CouponTerms("FREE", AdjustmentKind.PERCENT, 10000),
        now=NOW,
    )
    assert details.discount == 30000
    assert details.final_amount == 0
    assert details.total_professional_payment == 18000
    assert details.company_fee == -18000


@pytest.mark.parametrize(
    ("professional_pay", "bonus", "base_pay", "pro_total", "fee"),
    [
        (None, 0, 18000, 18000, 12000),  # the treatment default; 30000 - 18000
        (20000, 0, 20000, 20000, 10000),
        (None, 2500, 18000, 20500, 9500),
        (20000, 2500, 20000, 22500, 7500),
    ],
)
def test_professional_pay_and_bonus(
    professional_pay: int | None, bonus: int, base_pay: int, pro_total: int, fee: int
) -> None:
    details = quote(
        pricing=FIXED,
        duration_minutes=None,
        starts_at=WEDNESDAY_NOON,
        surcharge_rules=[],
        coupon=None,
        now=NOW,
        professional_pay=professional_pay,
        payment_bonus=bonus,
    )
    assert details.final_amount == 30000
    assert details.base_professional_payment == base_pay
    assert details.payment_bonus == bonus
    assert details.total_professional_payment == pro_total
    assert details.company_fee == fee


def test_full_quote_breakdown() -> None:
    # 90 minutes: 35000, Friday 23:30 night surcharge 15% = 5250 with a 50% share = 2625.
    # Subtotal 40250, coupon -2000 -> 38250; pay 20000 (own) + 2625 + bonus 1500 = 24125; fee 14125.
    details = quote(
        pricing=BY_DURATION,
        duration_minutes=90,
        starts_at=datetime(2026, 6, 12, 23, 30, tzinfo=IDT),
        surcharge_rules=[rule("night", time(22), time(6), amount=percent(1500), share=percent(5000))],
        coupon=CouponTerms("SPRING", AdjustmentKind.FIXED, 2000),
        now=NOW,
        professional_pay=20000,
        payment_bonus=1500,
    )
    assert details.base_price == 35000
    assert details.surcharges == (AppliedSurcharge("night", "night", 5250, 2625),)
    assert details.total_surcharges == 5250
    assert details.discount == 2000
    assert details.coupon_code == "SPRING"
    assert details.final_amount == 38250
    assert details.base_professional_payment == 20000
    assert details.surcharges_professional_payment == 2625
    assert details.payment_bonus == 1500
    assert details.total_professional_payment == 24125
    assert details.company_fee == 14125


def test_quote_rounds_each_percentage_half_up() -> None:
    # Base 333; 12.5% surcharge = 41.625 -> 42, its 50% share = 21; subtotal 375;
    # 12.5% coupon = 46.875 -> 47; final 328; pay 200 + 21 = 221; fee 107.
    pricing = TreatmentPricing(
        pricing_type=PricingType.FIXED,
        default_duration_minutes=30,
        fixed_price=333,
        fixed_professional_pay=200,
    )
    details = quote(
        pricing=pricing,
        duration_minutes=30,
        starts_at=WEDNESDAY_NOON,
        surcharge_rules=[rule("odd", time(0), time(0), amount=percent(1250), share=percent(5000))],
        coupon=CouponTerms("ODD", AdjustmentKind.PERCENT, 1250),
        now=NOW,
    )
    assert details.surcharges == (AppliedSurcharge("odd", "odd", 42, 21),)
    assert details.discount == 47
    assert details.coupon_code == "ODD"
    assert details.final_amount == 328
    assert details.total_professional_payment == 221
    assert details.company_fee == 107


def test_quote_without_coupon_has_no_code_or_discount() -> None:
    details = quote(
        pricing=FIXED,
        duration_minutes=60,
        starts_at=WEDNESDAY_NOON,
        surcharge_rules=[EVERY_NIGHT],
        coupon=None,
        now=NOW,
    )
    assert (details.surcharges, details.discount, details.coupon_code, details.final_amount) == (
        (),
        0,
        None,
        30000,
    )
