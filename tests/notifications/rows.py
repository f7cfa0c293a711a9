"""Notification rows for tests, queued straight into the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from masu.bootstrap import Container
from masu.persistence.models import Notification
from tests.conftest import NOW

PHONE = "+972521234567"


def message(key: str, *, at: datetime = NOW, **values: Any) -> Notification:
    """A queued SMS under idempotency key `key`, due and created at `at`, with overrides."""
    fields: dict[str, Any] = {
        "channel": "sms",
        "recipient": PHONE,
        "template": "booking-confirmed",
        "language": "he",
        "body": f"message {key}",
        "idempotency_key": key,
        "created_at": at,
        "next_attempt_at": at,
        "status": "queued",
        "attempts": 0,
        **values,
    }
    return Notification(**fields)


async def queue(container: Container, *rows: Notification) -> list[str]:
    """Store the rows; their ids."""
    async with container.sessions() as session:
        session.add_all(rows)
        await session.commit()
    return [row.id for row in rows]
