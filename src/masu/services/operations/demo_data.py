"""The demo data of docs/api.md: cities, treatments, professionals, an admin, customers (idempotent)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.access import Role
from masu.persistence.models import Treatment
from masu.persistence.repositories import catalogue as catalogue_repository
from masu.persistence.repositories import user as user_repository
from masu.services.account.accounts import Passwords, Registration, register_user
from masu.services.catalogue import admin as catalogue_admin
from masu.services.catalogue.admin import DurationPrice, TreatmentSpec
from masu.services.professional import profiles as professionals

ADMIN_PHONE, ADMIN_PASSWORD = "0500000001", "admin-demo-pass"
CUSTOMER_PASSWORD, PRO_PASSWORD = "customer-demo-pass", "pro-demo-pass"
CUSTOMERS = (("0520000001", "Noa Cohen"), ("0520000002", "Yossi Levi"), ("0520000003", "Maya Mizrahi"))
CITIES = (
    ("Tel Aviv", "תל אביב", 32.0853, 34.7818),
    ("Jerusalem", "ירושלים", 31.7683, 35.2137),
    ("Haifa", "חיפה", 32.7940, 34.9896),
    ("Ramat Gan", "רמת גן", 32.0684, 34.8248),
    ("Herzliya", "הרצליה", 32.1624, 34.8447),
    ("Netanya", "נתניה", 32.3215, 34.8532),
    ("Rishon LeZion", "ראשון לציון", 31.9730, 34.7925),
    ("Petah Tikva", "פתח תקווה", 32.0840, 34.8878),
    ("Be'er Sheva", "באר שבע", 31.2518, 34.7913),
    ("Ashdod", "אשדוד", 31.8044, 34.6553),
)
TREATMENTS = (
    TreatmentSpec(
        name="Swedish Massage",
        category="massage",
        pricing_type="duration",
        description="A relaxing full-body massage.",
        durations=(
            DurationPrice(60, 25000, 17000),
            DurationPrice(90, 35000, 24000),
            DurationPrice(120, 45000, 31000),
        ),
    ),
    TreatmentSpec(
        name="Deep Tissue Massage",
        category="massage",
        pricing_type="duration",
        allows_gender_preference=True,
        description="Firm pressure for deep muscle tension; choose your therapist's gender.",
        durations=(DurationPrice(60, 28000, 19000), DurationPrice(90, 39000, 27000)),
    ),
    TreatmentSpec(
        name="Classic Facial",
        category="facial",
        pricing_type="fixed",
        fixed_price=30000,
        fixed_professional_pay=20000,
        default_duration_minutes=60,
        description="Cleansing, mask and massage.",
    ),
)
PRO_FIRST_NAMES = (
    "Avi",
    "Dana",
    "Eli",
    "Gila",
    "Itay",
    "Lior",
    "Moshe",
    "Noga",
    "Omer",
    "Rina",
    "Shira",
    "Tal",
    "Uri",
    "Yael",
    "Ziv",
    "Adi",
    "Boaz",
    "Chen",
    "Dror",
    "Efrat",
)


def professional_phone(index: int) -> str:
    """The phone of the demo professional at `index` (0-based): 0540000001 upwards."""
    return f"05400000{index + 1:02d}"


EVERY_DAY_8_TO_22 = [professionals.Interval(day, 8 * 60, 22 * 60) for day in range(7)]


async def load_demo_data(session: AsyncSession, *, now: datetime, passwords: Passwords) -> bool:
    """Load the demo data unless it is already there; True when something was added (caller commits)."""
    if await user_repository.get_user_by_phone(session, "+972500000001") is not None:
        return False
    await register_user(
        session,
        now=now,
        registration=Registration("Admin", ADMIN_PHONE, ADMIN_PASSWORD, language="en"),
        roles={Role.ADMIN},
        passwords=passwords,
    )
    for phone, name in CUSTOMERS:
        await register_user(
            session,
            now=now,
            registration=Registration(name, phone, CUSTOMER_PASSWORD),
            passwords=passwords,
            phone_verified=True,
        )
    city_ids = [
        (await catalogue_admin.create_city(session, name=n, name_he=he, latitude=lat, longitude=lng)).id
        for n, he, lat, lng in CITIES
    ]
    treatments = [await catalogue_admin.create_treatment(session, now=now, spec=spec) for spec in TREATMENTS]
    await _add_professionals(session, now, city_ids, treatments, passwords)
    await _add_pricing_rules(session, now)
    return True


async def _add_professionals(
    session: AsyncSession,
    now: datetime,
    city_ids: list[str],
    treatments: list[Treatment],
    passwords: Passwords,
) -> None:
    """20 approved professionals, alternating genders, each covering two neighbouring cities."""
    offered = [
        professionals.OfferedTreatment(t.id, d.minutes)
        for t in treatments
        for d in await catalogue_repository.durations_of(session, [t.id], active_only=True)
    ] + [professionals.OfferedTreatment(t.id) for t in treatments if t.pricing_type == "fixed"]
    for index, first_name in enumerate(PRO_FIRST_NAMES):
        registration = Registration(
            f"{first_name} Pro",
            professional_phone(index),
            PRO_PASSWORD,
            gender="male" if index % 2 == 0 else "female",
            language="he",
        )
        profile = await professionals.create_professional(
            session, now=now, registration=registration, approved=True, passwords=passwords
        )
        covered = [city_ids[index % len(city_ids)], city_ids[(index + 1) % len(city_ids)]]
        await professionals.set_cities(session, user_id=profile.user_id, city_ids=covered)
        await professionals.set_treatments(session, user_id=profile.user_id, offered=offered)
        await professionals.set_hours(session, user_id=profile.user_id, hours=EVERY_DAY_8_TO_22)


async def _add_pricing_rules(session: AsyncSession, now: datetime) -> None:
    """An evening surcharge, a Saturday surcharge, and a welcome coupon."""
    await catalogue_admin.create_surcharge_rule(
        session,
        now=now,
        weekday=None,
        on_date=None,
        description="Evening visit (20:00-22:00)",
        start_minute=20 * 60,
        end_minute=22 * 60,
        amount_kind="fixed",
        amount_value=5000,
        share_kind="percent",
        share_value=7000,
        is_active=True,
    )
    await catalogue_admin.create_surcharge_rule(
        session,
        now=now,
        weekday=5,
        on_date=None,
        description="Saturday",
        start_minute=0,
        end_minute=0,
        amount_kind="percent",
        amount_value=1500,
        share_kind="percent",
        share_value=7000,
        is_active=True,
    )
    await catalogue_admin.create_coupon(
        session,
        now=now,
        code="WELCOME10",
        kind="percent",
        value=1000,
        valid_from=None,
        valid_until=None,
        usage_limit=None,
        per_user_limit=1,
        is_active=True,
    )
