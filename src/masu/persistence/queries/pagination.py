"""Keyset pagination, newest first: opaque cursors over (`created_at`, `id`) shared by every list query."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Protocol, TypeVar, TypeVarTuple

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute


class InvalidCursor(ValueError):
    """A pagination cursor that this server did not issue."""


class Positioned(Protocol):
    """A row a cursor can point just after."""

    @property
    def created_at(self) -> datetime: ...

    @property
    def id(self) -> str: ...


RowT = TypeVar("RowT", bound=Positioned)
Columns = TypeVarTuple("Columns")


def newest_first(
    query: sa.Select[*Columns],
    created_at: InstrumentedAttribute[datetime],
    row_id: InstrumentedAttribute[str],
    *,
    limit: int,
    cursor: str | None,
) -> sa.Select[*Columns]:
    """`query` newest first from just after `cursor`, plus one row to tell whether another page follows."""
    if cursor is not None:
        after_created_at, after_id = decode_cursor(cursor)
        query = query.where(
            sa.tuple_(created_at, row_id) < sa.tuple_(sa.literal(after_created_at, created_at.type), after_id)
        )
    return query.order_by(created_at.desc(), row_id.desc()).limit(limit + 1)


def page_of(rows: list[RowT], limit: int) -> tuple[list[RowT], str | None]:
    """The page's rows and the cursor of the next page (None when `newest_first` found no row beyond it)."""
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor(last.created_at, last.id)


def encode_cursor(created_at: datetime, row_id: str) -> str:
    """An opaque cursor pointing just after (`created_at`, `row_id`)."""
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{row_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The position a cursor points at; InvalidCursor if it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created_at_text, row_id = raw.split("|", 1)
        created_at = datetime.fromisoformat(created_at_text)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidCursor("not a valid cursor") from exc
    if created_at.tzinfo is None or not row_id:
        raise InvalidCursor("not a valid cursor")
    return created_at, row_id
