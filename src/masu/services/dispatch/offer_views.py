"""What a professional sees of the offers made to them (no customer contact details before accepting)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.dispatch import pay_for
from masu.persistence.models import Booking, Offer
from masu.persistence.repositories import booking as booking_repository
from masu.persistence.repositories import catalogue as catalogue_repository
from masu.persistence.repositories import offer as offer_repository
from masu.persistence.repositories import user as user_repository


@dataclass(frozen=True, slots=True)
class OfferView:
    """One offer as its professional sees it."""

    id: str
    booking_id: str
    booking_number: str
    treatment: str
    duration_minutes: int
    booking_date_time: datetime
    city: str
    expires_at: datetime
    expected_payment: int
    response_status: str
    wave: int


async def offers_for(session: AsyncSession, professional_id: str) -> list[OfferView]:
    """A professional's recent offers, newest first, with what they would earn."""
    return [
        await _offer_view(session, offer, booking)
        for offer, booking in await offer_repository.offers_of_professional(session, professional_id)
    ]


async def _offer_view(session: AsyncSession, offer: Offer, booking: Booking) -> OfferView:
    treatment = await catalogue_repository.get_treatment(session, booking.treatment_id)
    assert treatment is not None
    key = 0 if treatment.pricing_type == "fixed" else booking.duration_minutes
    own = await offer_repository.own_pay(session, offer.professional_id, booking.treatment_id, key)
    pay = pay_for(
        own_pay=own,
        default_pay=booking.base_professional_payment,
        surcharge_shares=booking.surcharges_professional_payment,
        bonus=booking.payment_bonus,
        final_amount=booking.final_amount,
    )
    return OfferView(
        id=offer.id,
        booking_id=booking.id,
        booking_number=booking.booking_number,
        treatment=treatment.name,
        duration_minutes=booking.duration_minutes,
        booking_date_time=booking.booking_date_time,
        city=booking.address_city,
        expires_at=offer.expires_at,
        expected_payment=pay.total,
        response_status=offer.response_status,
        wave=offer.wave,
    )


@dataclass(frozen=True, slots=True)
class OfferLinkView:
    """One offer as its SMS-link page shows it, in the professional's language."""

    offer: OfferView
    professional_id: str
    language: str
    address: str | None  # only once this professional has the booking


async def offer_for_link(session: AsyncSession, offer_id: str) -> OfferLinkView | None:
    """The offer behind a link, or None when it does not exist."""
    offer = await offer_repository.get_offer(session, offer_id)
    if offer is None:
        return None
    professional = await user_repository.get_user(session, offer.professional_id)
    booking = await booking_repository.get_booking(session, offer.booking_id)
    assert professional is not None, "offers reference existing users"
    assert booking is not None, "offers reference existing bookings"
    mine = booking.professional_id == offer.professional_id
    address = f"{booking.address_street}, {booking.address_city}" if mine else None
    view = await _offer_view(session, offer, booking)
    return OfferLinkView(view, offer.professional_id, professional.language, address)


async def offers_of_booking(session: AsyncSession, booking_id: str) -> list[tuple[Offer, str]]:
    """Every offer of the booking by wave, with the professional's name."""
    return await offer_repository.offers_of_booking(session, booking_id)
