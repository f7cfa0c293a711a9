"""Shapes of bookings on the wire (field names follow the seed's booking document)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pydantic import EmailStr, Field

from masu.domain.lifecycle import BookingStatus
from masu.services.booking.access import BookingView
from masu.services.booking.creation import NewBooking
from masu.web.schemas.common import ApiInput, ApiModel, Moment, PersonName, Shekels

if TYPE_CHECKING:
    from masu.persistence.queries.booking import BookingSummary, StatusTotal

GenderPreference = Literal["any", "male", "female"]


class AddressIn(ApiInput):
    street: str = Field(min_length=5, max_length=100)
    city: str = Field(min_length=2, max_length=50)
    building: str | None = Field(default=None, max_length=20)
    apartment: str | None = Field(default=None, max_length=20)


class BookingIn(ApiInput):
    treatment_id: str = Field(min_length=1, max_length=64)
    duration_minutes: int | None = Field(default=None, ge=1, le=600)
    booking_date_time: Moment
    recipient_name: PersonName
    recipient_phone: str = Field(min_length=1, max_length=20)
    recipient_email: EmailStr | None = None
    address: AddressIn
    therapist_gender_preference: GenderPreference = "any"
    notes: str | None = Field(default=None, max_length=500)
    coupon_code: str | None = Field(default=None, max_length=40)
    user_id: str | None = Field(default=None, max_length=64)
    # Admins only: book a time at which nobody could take the visit (the history says so).
    force: bool = False

    def command(self) -> NewBooking:
        """The service command for this request."""
        return NewBooking(
            treatment_id=self.treatment_id,
            duration_minutes=self.duration_minutes,
            starts_at=self.booking_date_time,
            recipient_name=self.recipient_name,
            recipient_phone=self.recipient_phone,
            recipient_email=self.recipient_email,
            street=self.address.street,
            city=self.address.city,
            building=self.address.building or None,
            apartment=self.address.apartment or None,
            gender_preference=self.therapist_gender_preference,
            notes=self.notes or None,
            coupon_code=self.coupon_code or None,
            customer_id=self.user_id,
            force=self.force,
        )


class CancelIn(ApiInput):
    reason: str | None = Field(default=None, max_length=500)


class AdminCancelIn(ApiInput):
    reason: str = Field(min_length=2, max_length=500)
    # Omitted: a paid booking is refunded in full before the cut-off and not after it.
    refund: bool | None = None


class StatusChangeOut(ApiModel):
    status: BookingStatus
    timestamp: datetime
    triggered_by: str
    actor_id: str | None
    reason: str | None


class AddressOut(ApiModel):
    street: str
    city: str
    building: str | None
    apartment: str | None


class SurchargeOut(ApiModel):
    description: str
    amount: Shekels
    professional_share: Shekels


class PriceDetailsOut(ApiModel):
    base_price: Shekels
    surcharges: list[SurchargeOut]
    total_surcharges: Shekels
    discount: Shekels
    final_amount: Shekels
    base_professional_payment: Shekels
    surcharges_professional_payment: Shekels
    payment_bonus: Shekels
    total_professional_payment: Shekels
    company_fee: Shekels


def _omitted_when_none(value: object) -> bool:
    return value is None


class PaymentOut(ApiModel):
    """`status`; with a gateway also the amount, the pay URL and deadline while payable, and any refund."""

    status: str
    amount: Shekels | None = Field(default=None, exclude_if=_omitted_when_none)
    pay_url: str | None = Field(default=None, exclude_if=_omitted_when_none)
    expires_at: datetime | None = Field(default=None, exclude_if=_omitted_when_none)
    refund_amount: Shekels | None = Field(default=None, exclude_if=_omitted_when_none)

    @classmethod
    def of(cls, view: BookingView, *, base_url: str) -> PaymentOut:
        """The booking's payment; the pay URL is ours (/pay/{checkoutId}), which opens the gateway's page."""
        payment = view.payment
        if payment is None:
            return cls(status=view.booking.payment_status)
        return cls(
            status=payment.status,
            amount=payment.amount,
            pay_url=f"{base_url.rstrip('/')}/pay/{payment.checkout_id}" if payment.checkout_id else None,
            expires_at=payment.expires_at,
            refund_amount=payment.refund_amount,
        )


class BookingOut(ApiModel):
    id: str
    booking_number: str
    status: BookingStatus
    status_history: list[StatusChangeOut]
    user_id: str
    professional_id: str | None
    treatment_id: str
    duration_minutes: int
    booking_date_time: datetime
    created_at: datetime
    confirmed_at: datetime | None
    treatment_completed_at: datetime | None
    cancelled_at: datetime | None
    recipient_name: str
    recipient_phone: str
    recipient_email: str | None
    is_for_someone_else: bool
    address: AddressOut
    therapist_gender_preference: GenderPreference
    notes: str | None
    price_details: PriceDetailsOut
    payment: PaymentOut
    needs_attention: bool
    cancellation_reason: str | None
    review_request_sent_at: datetime | None
    first_reminder_sent_at: datetime | None
    second_reminder_sent_at: datetime | None
    final_reminder_sent_at: datetime | None

    @classmethod
    def of(cls, view: BookingView, *, base_url: str = "") -> BookingOut:
        """The wire form of a booking with its history; links start with `base_url` (PUBLIC_BASE_URL)."""
        b = view.booking
        return cls.model_validate(
            {
                **{name: getattr(b, name) for name in _COPIED},
                "status_history": [
                    StatusChangeOut(
                        status=BookingStatus(h.status),
                        timestamp=h.occurred_at,
                        triggered_by=h.triggered_by,
                        actor_id=h.actor_id,
                        reason=h.reason,
                    )
                    for h in view.history
                ],
                "booking_date_time": b.booking_date_time,
                "address": AddressOut(
                    street=b.address_street,
                    city=b.address_city,
                    building=b.address_building,
                    apartment=b.address_apartment,
                ),
                "price_details": PriceDetailsOut.model_validate(
                    {
                        **{
                            name: getattr(b, name)
                            for name in PriceDetailsOut.model_fields
                            if name != "surcharges"
                        },
                        "surcharges": [
                            SurchargeOut(
                                description=s["description"],
                                amount=s["amount"],
                                professional_share=s["professionalShare"],
                            )
                            for s in b.surcharges
                        ],
                    }
                ),
                "payment": PaymentOut.of(view, base_url=base_url),
            }
        )


_COPIED = (
    "id",
    "booking_number",
    "status",
    "user_id",
    "professional_id",
    "treatment_id",
    "duration_minutes",
    "created_at",
    "confirmed_at",
    "treatment_completed_at",
    "cancelled_at",
    "recipient_name",
    "recipient_phone",
    "recipient_email",
    "is_for_someone_else",
    "therapist_gender_preference",
    "notes",
    "needs_attention",
    "cancellation_reason",
    "review_request_sent_at",
    "first_reminder_sent_at",
    "second_reminder_sent_at",
    "final_reminder_sent_at",
)


class BookingSummaryOut(ApiModel):
    id: str
    booking_number: str
    status: BookingStatus
    booking_date_time: datetime
    created_at: datetime
    treatment_id: str
    duration_minutes: int
    city: str
    final_amount: Shekels
    professional_id: str | None

    @classmethod
    def of(cls, summary: BookingSummary) -> BookingSummaryOut:
        """The wire form of a list entry."""
        return cls.model_validate(summary)


class StatusTotalOut(ApiModel):
    status: BookingStatus
    count: int
    total_amount: Shekels

    @classmethod
    def of(cls, total: StatusTotal) -> StatusTotalOut:
        """The wire form of one line of stats."""
        return cls.model_validate(total)
