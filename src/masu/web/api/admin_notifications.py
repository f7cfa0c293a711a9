"""Admin view of every message the system sent or tried to send."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from masu.domain.errors import ValidationFailed
from masu.domain.phones import normalize_israeli_mobile
from masu.services.notification.messages import messages_for_admin
from masu.web.deps import AdminDep, SessionDep
from masu.web.schemas.common import ID_PATTERN, ApiModel

router = APIRouter(prefix="/api/v1/admin/notifications", tags=["admin"])


class NotificationOut(ApiModel):
    id: str
    channel: str
    recipient: str
    template: str
    language: str
    body: str
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    error: str | None


@router.get("", response_model=list[NotificationOut])
async def list_notifications(
    session: SessionDep,
    _admin: AdminDep,
    booking_id: Annotated[str | None, Query(alias="bookingId", pattern=ID_PATTERN)] = None,
    recipient: Annotated[str | None, Query(min_length=3, max_length=254)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[NotificationOut]:
    """The newest messages first, of one booking and/or to one recipient (a phone in any local form)."""
    rows = await messages_for_admin(
        session, booking_id=booking_id, recipient=_recipient(recipient), limit=limit
    )
    return [NotificationOut.model_validate(row) for row in rows]


def _recipient(raw: str | None) -> str | None:
    """Recipients are stored as E.164 phones and email addresses: match what the admin typed to that."""
    if raw is None:
        return None
    text = raw.strip()
    if "@" in text:
        return text
    try:
        return normalize_israeli_mobile(text, field="recipient")
    except ValidationFailed:
        return text  # not an Israeli mobile: look it up as given
