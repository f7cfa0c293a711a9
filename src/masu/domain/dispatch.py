"""Dispatch rules: offer links, and the pay of the professional who accepts."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

_TOKEN_BYTES = 16  # 128 bits of HMAC on top of the offer's random id


def offer_token(offer_id: str, secret: str) -> str:
    """The link token of an offer: its id and an HMAC of it, so nothing secret needs storing."""
    return f"{offer_id}.{_signature(offer_id, secret)}"


def offer_id_from_token(token: str, secret: str) -> str | None:
    """The offer a token was issued for, or None for a forged or damaged token."""
    offer_id, _, signature = token.partition(".")
    if not offer_id or not hmac.compare_digest(signature, _signature(offer_id, secret)):
        return None
    return offer_id


@dataclass(frozen=True, slots=True)
class ProfessionalPay:
    """What the assigned professional earns on a booking, and what is left for the company (agorot)."""

    base: int
    total: int
    company_fee: int


def pay_for(
    *, own_pay: int | None, default_pay: int, surcharge_shares: int, bonus: int, final_amount: int
) -> ProfessionalPay:
    """The professional's own pay (or the treatment's default) plus surcharge shares and bonus."""
    base = own_pay if own_pay is not None else default_pay
    total = base + surcharge_shares + bonus
    return ProfessionalPay(base=base, total=total, company_fee=final_amount - total)


def _signature(offer_id: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), b"offer:" + offer_id.encode(), hashlib.sha256).hexdigest()
    return digest[: _TOKEN_BYTES * 2]
