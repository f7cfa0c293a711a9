"""Every model, imported in one place so the metadata is complete (migrations, tests)."""

from masu.persistence.base import Base
from masu.persistence.models.booking import Booking, BookingStatusChange, Counter
from masu.persistence.models.catalogue import (
    City,
    Coupon,
    CouponRedemption,
    SurchargeRule,
    Treatment,
    TreatmentDuration,
)
from masu.persistence.models.idempotency import IdempotencyRecord
from masu.persistence.models.notification import Notification
from masu.persistence.models.offer import Offer
from masu.persistence.models.outbox import OutboxDelivery, OutboxEvent, WorkerHeartbeat
from masu.persistence.models.payment import Payment, PaymentCallback
from masu.persistence.models.professional import (
    ProfessionalCity,
    ProfessionalCoverage,
    ProfessionalProfile,
    ProfessionalStats,
    ProfessionalTreatment,
    WorkingHours,
)
from masu.persistence.models.review import Review, ReviewCycle
from masu.persistence.models.sandbox_gateway import SandboxPayment, SandboxRefund
from masu.persistence.models.user import BrowserSessionRecord, PhoneCode, User, UserRole

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
