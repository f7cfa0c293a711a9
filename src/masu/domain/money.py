"""Money is integer agorot inside the system; shekels (Decimal) only at the edges."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

AGOROT_PER_SHEKEL = 100
BASIS_POINTS_PER_PERCENT = 100
_FULL_BASIS_POINTS = 100 * BASIS_POINTS_PER_PERCENT


def shekels_to_agorot(shekels: Decimal | int | str) -> int:
    """Convert a shekel amount with at most two decimals to agorot; raises ValueError otherwise."""
    try:
        value = Decimal(str(shekels))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {shekels!r}") from exc
    agorot = value * AGOROT_PER_SHEKEL
    if agorot != agorot.to_integral_value():
        raise ValueError("at most two decimal places")
    return int(agorot)


def agorot_to_shekels(agorot: int) -> Decimal:
    """Convert agorot to an exact Decimal shekel amount."""
    return (Decimal(agorot) / AGOROT_PER_SHEKEL).quantize(Decimal("0.01"))


def percent_to_basis_points(percent: Decimal | int | str) -> int:
    """Convert a percentage with at most two decimals (12.5) to basis points (1250)."""
    bp = Decimal(str(percent)) * BASIS_POINTS_PER_PERCENT
    if bp != bp.to_integral_value():
        raise ValueError("at most two decimal places")
    return int(bp)


def apply_basis_points(amount_agorot: int, basis_points: int) -> int:
    """Return `basis_points` of an agorot amount, rounded half up to a whole agora."""
    share = Decimal(amount_agorot) * Decimal(basis_points) / _FULL_BASIS_POINTS
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))
