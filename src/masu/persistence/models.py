"""Every model, imported in one place so the metadata is complete (migrations, tests)."""

from masu.persistence.base import Base
from masu.persistence.bookings import Booking, BookingStatusChange, Counter, Offer
from masu.persistence.catalogue import (
    City,
    Coupon,
    CouponRedemption,
    SurchargeRule,
    Treatment,
    TreatmentDuration,
)
from masu.persistence.idempotency import IdempotencyRecord
from masu.persistence.notifications import Notification
from masu.persistence.outbox import OutboxDelivery, OutboxEvent, WorkerHeartbeat
from masu.persistence.payments import Payment, PaymentCallback
from masu.persistence.reviews import Review, ReviewCycle
from masu.persistence.sandbox_gateway import SandboxPayment, SandboxRefund
from masu.persistence.users import (
    BrowserSessionRecord,
    PhoneCode,
    ProfessionalCity,
    ProfessionalCoverage,
    ProfessionalProfile,
    ProfessionalStats,
    ProfessionalTreatment,
    User,
    UserRole,
    WorkingHours,
)

__all__ = [
    "Base",
    "Booking",
    "BookingStatusChange",
    "BrowserSessionRecord",
    "City",
    "Counter",
    "Coupon",
    "CouponRedemption",
    "IdempotencyRecord",
    "Notification",
    "Offer",
    "OutboxDelivery",
    "OutboxEvent",
    "Payment",
    "PaymentCallback",
    "PhoneCode",
    "ProfessionalCity",
    "ProfessionalCoverage",
    "ProfessionalProfile",
    "ProfessionalStats",
    "ProfessionalTreatment",
    "Review",
    "ReviewCycle",
    "SandboxPayment",
    "SandboxRefund",
    "SurchargeRule",
    "Treatment",
    "TreatmentDuration",
    "User",
    "UserRole",
    "WorkerHeartbeat",
    "WorkingHours",
]
