"""What the professional pages share: local times, amounts, and the outcome messages."""

from __future__ import annotations

import re
from datetime import datetime

from fastapi import Request

from masu.domain.errors import DomainError, NotFound
from masu.domain.pricing import BUSINESS_TZ
from masu.web.schemas.common import ID_PATTERN, shekels_number
from masu.web.ui.render import page_language

KNOWN_REFUSALS = {
    "already_taken",
    "offer_expired",
    "offer_declined",
    "offer_accepted",
    "professional_busy",
    "too_early_on_way",
    "too_early_to_start",
    "too_early_to_complete",
}
# The one next step of an assigned booking: its status → the move's path segment (also its label's key).
NEXT_MOVE = {"confirmed": "on_way", "on_way": "start", "in_treatment": "complete"}


def local(moment: datetime) -> str:
    """A moment as the professional reads it: day and time in Israel."""
    return moment.astimezone(BUSINESS_TZ).strftime("%d/%m/%Y %H:%M")


def shekels(agorot: int) -> str:
    """An amount for the page: "170", "162.5"."""
    return str(shekels_number(agorot))


def looks_like_id(value: str) -> bool:
    """Whether `value` could be an id this system issued (anything else is answered 404 without a query)."""
    return re.fullmatch(ID_PATTERN, value) is not None


def refusal_key(refused: DomainError) -> str:
    """The text key that explains a refused action to the professional."""
    if isinstance(refused, NotFound):
        return "err_not_found"
    return f"err_{refused.code}" if refused.code in KNOWN_REFUSALS else "err_other"


def switch_url(request: Request, page: str) -> str:
    """The other language's link for `page`: a form's answer re-rendered from a POST links to the page."""
    return f"{page}?lang={'en' if page_language(request) == 'he' else 'he'}"
