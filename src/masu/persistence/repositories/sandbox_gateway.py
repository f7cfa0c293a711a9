"""The sandbox gateway's queries on its own books."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from masu.persistence.models import SandboxPayment, SandboxRefund

OPEN = "open"


async def payment_by_key(session: AsyncSession, idempotency_key: str) -> SandboxPayment | None:
    """The payment opened earlier with this idempotency key."""
    query = sa.select(SandboxPayment).where(SandboxPayment.idempotency_key == idempotency_key)
    return (await session.execute(query)).scalar_one_or_none()


async def get_payment(
    session: AsyncSession, reference: str, *, for_update: bool = False
) -> SandboxPayment | None:
    """The payment with this reference, optionally locked until commit."""
    query = sa.select(SandboxPayment).where(SandboxPayment.reference == reference)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query.execution_options(populate_existing=True))).scalar_one_or_none()


def add(session: AsyncSession, row: SandboxPayment | SandboxRefund) -> None:
    """Stage a new payment or refund."""
    session.add(row)


async def complete_if_open(
    session: AsyncSession, reference: str, *, status: str, event_id: str, now: datetime
) -> bool:
    """Close an open payment as paid or declined; False when it was closed already (one outcome only)."""
    result = await session.execute(
        sa.update(SandboxPayment)
        .where(SandboxPayment.reference == reference, SandboxPayment.status == OPEN)
        .values(status=status, completed_at=now, callback_event_id=event_id)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def record_delivery(
    session: AsyncSession, reference: str, *, attempts: int, delivered_at: datetime | None
) -> None:
    """Count callback attempts, and stamp the time the merchant acknowledged one."""
    values: dict[str, object] = {"callback_attempts": SandboxPayment.callback_attempts + attempts}
    if delivered_at is not None:
        values["callback_delivered_at"] = delivered_at
    await session.execute(
        sa.update(SandboxPayment).where(SandboxPayment.reference == reference).values(**values)
    )


async def refund_by_key(session: AsyncSession, idempotency_key: str) -> SandboxRefund | None:
    """The refund made earlier with this idempotency key."""
    query = sa.select(SandboxRefund).where(SandboxRefund.idempotency_key == idempotency_key)
    return (await session.execute(query)).scalar_one_or_none()


async def refunds_of(session: AsyncSession, payment_reference: str) -> list[SandboxRefund]:
    """Every refund of a payment, oldest first."""
    query = (
        sa.select(SandboxRefund)
        .where(SandboxRefund.payment_reference == payment_reference)
        .order_by(SandboxRefund.created_at, SandboxRefund.reference)
    )
    return list((await session.execute(query)).scalars())
