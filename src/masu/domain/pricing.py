"""Price quotes: base price, time-of-day surcharges, coupon discount and the professional's share.

All amounts are integer agorot; percentages are basis points (1500 = 15%) rounded half up.

Surcharge windows are matched on the local Asia/Jerusalem wall-clock time of the booking's start, so
across a DST change "01:30" is 01:30 whichever UTC offset it happens under. A window belongs to the
local day it starts on (its anchor day): a Friday 22:00-06:00 rule covers Friday 22:00 until Saturday
06:00, not the small hours of Friday. A booking is therefore checked against windows anchored on its
local date and on the previous local date.

For a given anchor day, rules with `on_date` equal to that day (holidays) REPLACE the weekday and
every-day rules for that day: a holiday's settings stand instead of the usual weekday's, not on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from masu.domain.errors import ValidationFailed
from masu.domain.money import apply_basis_points

BUSINESS_TZ = ZoneInfo("Asia/Jerusalem")

_ONE_DAY = timedelta(days=1)


class PricingType(StrEnum):
    """How a treatment is priced: one fixed price, or a price per offered duration."""

    FIXED = "fixed"
    DURATION = "duration"


class AdjustmentKind(StrEnum):
    """Whether an adjustment is a fixed agorot amount or a percentage in basis points."""

    FIXED = "fixed"
    PERCENT = "percent"


@dataclass(frozen=True, slots=True)
class Adjustment:
    """An amount that is either fixed agorot or basis points of some other amount."""

    kind: AdjustmentKind
    value: int

    def of(self, amount: int) -> int:
        """Return this adjustment applied to `amount` (fixed ignores it)."""
        if self.kind == AdjustmentKind.FIXED:
            return self.value
        return apply_basis_points(amount, self.value)


@dataclass(frozen=True, slots=True)
class DurationOption:
    """One bookable length of a per-duration treatment with its price and default pay."""

    minutes: int
    price: int
    professional_pay: int


@dataclass(frozen=True, slots=True)
class TreatmentPricing:
    """The price list of one treatment."""

    pricing_type: PricingType
    default_duration_minutes: int
    fixed_price: int | None = None
    fixed_professional_pay: int | None = None
    durations: tuple[DurationOption, ...] = ()

    def __post_init__(self) -> None:
        """Reject a price list that cannot produce a price."""
        if self.pricing_type == PricingType.FIXED:
            if self.fixed_price is None or self.fixed_professional_pay is None:
                raise ValueError("a fixed-price treatment needs fixed_price and fixed_professional_pay")
        elif not self.durations:
            raise ValueError("a per-duration treatment needs at least one duration option")


@dataclass(frozen=True, slots=True)
class SurchargeRule:
    """A surcharge for bookings starting inside a local wall-clock window."""

    id: str
    description: str
    start: time
    end: time
    amount: Adjustment
    professional_share: Adjustment | None = None
    weekday: int | None = None
    on_date: date | None = None

    def __post_init__(self) -> None:
        """Reject an impossible weekday or a rule bound to both a weekday and a date."""
        if self.weekday is not None and not 0 <= self.weekday <= 6:
            raise ValidationFailed("weekday", "must be between 0 (Monday) and 6 (Sunday)")
        if self.weekday is not None and self.on_date is not None:
            raise ValidationFailed("onDate", "a rule has either a weekday or a date, not both")

    def covers(self, anchor: date, wall: datetime) -> bool:
        """Return whether naive local `wall` falls in this rule's window opened on `anchor`."""
        since_anchor = wall - datetime.combine(anchor, time())
        opens = _since_midnight(self.start)
        closes = _since_midnight(self.end)
        if closes <= opens:
            closes += _ONE_DAY  # wraps past midnight, or equal ends mean a full 24 hours
        return opens <= since_anchor < closes


@dataclass(frozen=True, slots=True)
class CouponTerms:
    """The terms of a coupon as far as the price is concerned (usage limits live elsewhere)."""

    code: str
    kind: AdjustmentKind
    value: int
    is_active: bool = True
    valid_from: datetime | None = None
    valid_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class AppliedSurcharge:
    """A surcharge as charged on one booking."""

    rule_id: str
    description: str
    amount: int
    professional_share: int


@dataclass(frozen=True, slots=True)
class PriceDetails:
    """The full breakdown of a booking's price and of who gets what."""

    base_price: int
    surcharges: tuple[AppliedSurcharge, ...]
    total_surcharges: int
    discount: int
    coupon_code: str | None
    final_amount: int
    base_professional_payment: int
    surcharges_professional_payment: int
    payment_bonus: int
    total_professional_payment: int
    company_fee: int


def _since_midnight(moment: time) -> timedelta:
    """Return a wall-clock time as the offset from midnight."""
    return timedelta(
        hours=moment.hour, minutes=moment.minute, seconds=moment.second, microseconds=moment.microsecond
    )


def base_price_for(pricing: TreatmentPricing, duration_minutes: int | None) -> tuple[int, int, int]:
    """Return (minutes, price, default professional pay)."""
    if pricing.pricing_type == PricingType.FIXED:
        if duration_minutes is not None and duration_minutes != pricing.default_duration_minutes:
            raise ValidationFailed(
                "durationMinutes", f"this treatment lasts {pricing.default_duration_minutes} minutes"
            )
        if pricing.fixed_price is None or pricing.fixed_professional_pay is None:
            raise ValueError("a fixed-price treatment needs fixed_price and fixed_professional_pay")
        return pricing.default_duration_minutes, pricing.fixed_price, pricing.fixed_professional_pay
    if duration_minutes is None:
        raise ValidationFailed("durationMinutes", "required for this treatment")
    for option in pricing.durations:
        if option.minutes == duration_minutes:
            return option.minutes, option.price, option.professional_pay
    offered = ", ".join(str(minutes) for minutes in sorted(o.minutes for o in pricing.durations))
    raise ValidationFailed("durationMinutes", f"must be one of {offered}")


def _rules_for_anchor(rules: Sequence[SurchargeRule], anchor: date) -> list[int]:
    """Return the indexes of the rules whose windows open on `anchor`, date rules replacing others."""
    dated = [i for i, rule in enumerate(rules) if rule.on_date == anchor]
    if dated:
        return dated
    weekday = anchor.weekday()
    return [i for i, rule in enumerate(rules) if rule.on_date is None and rule.weekday in (None, weekday)]


def applicable_surcharges(rules: Sequence[SurchargeRule], starts_at: datetime) -> list[SurchargeRule]:
    """Return the rules whose local windows cover `starts_at`, in rule order."""
    if starts_at.tzinfo is None or starts_at.utcoffset() is None:
        raise ValueError("starts_at must be timezone-aware")
    # Wall-clock time without the offset: both instants of an ambiguous hour read the same.
    wall = starts_at.astimezone(BUSINESS_TZ).replace(tzinfo=None, fold=0)
    matched: set[int] = set()
    for anchor in (wall.date(), wall.date() - _ONE_DAY):
        matched.update(i for i in _rules_for_anchor(rules, anchor) if rules[i].covers(anchor, wall))
    return [rules[i] for i in sorted(matched)]


def coupon_discount(coupon: CouponTerms, subtotal: int, now: datetime) -> int:
    """Return the coupon's discount on `subtotal` at `now`, never more than the subtotal."""
    if not coupon.is_active:
        raise ValidationFailed("couponCode", "this coupon is not active")
    too_early = coupon.valid_from is not None and now < coupon.valid_from
    too_late = coupon.valid_until is not None and now > coupon.valid_until
    if too_early or too_late:
        raise ValidationFailed("couponCode", "this coupon has expired or is not valid yet")
    if coupon.kind == AdjustmentKind.PERCENT:
        return min(subtotal, apply_basis_points(subtotal, coupon.value))
    return min(subtotal, coupon.value)


def _apply_surcharge(rule: SurchargeRule, base_price: int) -> AppliedSurcharge:
    """Return the surcharge `rule` adds to `base_price` and the professional's part of it."""
    amount = rule.amount.of(base_price)
    share = rule.professional_share.of(amount) if rule.professional_share is not None else 0
    return AppliedSurcharge(
        rule_id=rule.id, description=rule.description, amount=amount, professional_share=share
    )


def quote(
    *,
    pricing: TreatmentPricing,
    duration_minutes: int | None,
    starts_at: datetime,
    surcharge_rules: Sequence[SurchargeRule],
    coupon: CouponTerms | None,
    now: datetime,
    professional_pay: int | None = None,
    payment_bonus: int = 0,
) -> PriceDetails:
    """Return the full price breakdown of a booking."""
    _, base_price, default_pay = base_price_for(pricing, duration_minutes)
    surcharges = tuple(
        _apply_surcharge(r, base_price) for r in applicable_surcharges(surcharge_rules, starts_at)
    )
    total_surcharges = sum(s.amount for s in surcharges)
    subtotal = base_price + total_surcharges
    discount = coupon_discount(coupon, subtotal, now) if coupon is not None else 0
    final_amount = max(0, subtotal - discount)
    base_pay = professional_pay if professional_pay is not None else default_pay
    surcharges_pay = sum(s.professional_share for s in surcharges)
    total_pay = base_pay + surcharges_pay + payment_bonus
    return PriceDetails(
        base_price=base_price,
        surcharges=surcharges,
        total_surcharges=total_surcharges,
        discount=discount,
        coupon_code=coupon.code if coupon is not None else None,
        final_amount=final_amount,
        base_professional_payment=base_pay,
        surcharges_professional_payment=surcharges_pay,
        payment_bonus=payment_bonus,
        total_professional_payment=total_pay,
        # Negative when the professional earns more than the customer pays (e.g. a 100% coupon).
        company_fee=final_amount - total_pay,
    )
