"""What the admin pages share: their texts, the CSRF dependency, local times and id checks."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from fastapi import Depends

from masu.domain.pricing import BUSINESS_TZ
from masu.web.pages.admin.texts import REASONS, TEXTS
from masu.web.schemas.common import ID_PATTERN
from masu.web.ui.csrf import require_csrf

CATALOGUES = (TEXTS, REASONS)
Csrf = Annotated[None, Depends(require_csrf)]


def local(moment: datetime | None) -> str:
    """`moment` in Israel's time as dd/mm/yyyy hh:mm ('' for None)."""
    return moment.astimezone(BUSINESS_TZ).strftime("%d/%m/%Y %H:%M") if moment else ""


def looks_like_id(value: str) -> bool:
    """True for a string shaped like one of our ids (anything else cannot name a row)."""
    return re.fullmatch(ID_PATTERN, value) is not None
