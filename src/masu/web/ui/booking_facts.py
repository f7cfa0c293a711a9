"""A booking's facts as every portal shows them: the treatment's name and the address on one line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from masu.services.catalogue.catalogue import treatments_with_durations

if TYPE_CHECKING:
    from masu.persistence.models import Booking


async def treatment_names(session: AsyncSession) -> dict[str, str]:
    """Every treatment's name by id (retired ones too: old bookings still name them)."""
    offers = await treatments_with_durations(session, active_only=False)
    return {offer.treatment.id: offer.treatment.name for offer in offers}


def one_line_address(booking: Booking) -> str:
    """Street, building, apartment and city, the empty ones left out."""
    parts = [
        booking.address_street,
        booking.address_building,
        booking.address_apartment,
        booking.address_city,
    ]
    return ", ".join(part for part in parts if part)
