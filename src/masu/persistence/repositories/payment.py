"""Reads and writes on payments and the record of processed gateway callbacks."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.models import Payment, PaymentCallback
from masu.persistence.models.payment import CREATED


def add_payment(session: AsyncSession, payment: Payment) -> Payment:
    """Stage a new payment in the caller's transaction."""
    session.add(payment)
    return payment


async def get_payment(session: AsyncSession, payment_id: str, *, for_update: bool = False) -> Payment | None:
    """The payment with this id, optionally locking its row until commit."""
    query = sa.select(Payment).where(Payment.id == payment_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query.execution_options(populate_existing=True))).scalar_one_or_none()


async def payment_of_booking(
    session: AsyncSession, booking_id: str, *, for_update: bool = False
) -> Payment | None:
    """The booking's payment (None when nothing was due at a gateway), optionally locked."""
    query = sa.select(Payment).where(Payment.booking_id == booking_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query.execution_options(populate_existing=True))).scalar_one_or_none()


async def payment_by_reference(session: AsyncSession, *, gateway: str, reference: str) -> Payment | None:
    """The payment a gateway knows by `reference`."""
    query = sa.select(Payment).where(Payment.gateway == gateway, Payment.reference == reference)
    return (await session.execute(query)).scalar_one_or_none()


async def due_unpaid(session: AsyncSession, *, now: datetime, limit: int) -> list[str]:
    """Bookings whose payment is still awaited past its deadline, oldest deadline first (partial index)."""
    query = (
        sa.select(Payment.booking_id)
        .where(Payment.status == CREATED, Payment.expires_at <= now)
        .order_by(Payment.expires_at)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def attach_checkout(
    session: AsyncSession, *, payment_id: str, reference: str, checkout_url: str, now: datetime
) -> bool:
    """Store the gateway's session unless one is stored already; False when another request was first."""
    result = await session.execute(
        sa.update(Payment)
        .where(Payment.id == payment_id, Payment.reference.is_(None))
        .values(reference=reference, checkout_url=checkout_url, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def record_callback(
    session: AsyncSession,
    *,
    gateway: str,
    event_id: str,
    payment_id: str,
    outcome: str,
    amount: int,
    currency: str,
    now: datetime,
) -> bool:
    """Record a gateway event as processed; False when it was processed before (atomic, so races agree)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(PaymentCallback)
        .values(
            gateway=gateway,
            event_id=event_id,
            payment_id=payment_id,
            outcome=outcome,
            amount=amount,
            currency=currency,
            received_at=now,
        )
        .on_conflict_do_nothing()
        .returning(PaymentCallback.id)
    )
    return (await session.execute(statement)).first() is not None
