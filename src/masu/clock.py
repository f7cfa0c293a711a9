"""The only source of 'now': production reads the system clock, tests set it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    """Tells the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        """Return the current UTC time."""
        return datetime.now(UTC)


class SettableClock:
    """A clock that stands still until told otherwise (tests, `masu worker --at`)."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("SettableClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        """Return the time the clock was set to."""
        return self._at

    def set(self, at: datetime) -> None:
        """Move the clock to `at` (aware)."""
        if at.tzinfo is None:
            raise ValueError("SettableClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by `delta`."""
        self._at += delta


class ShiftedClock:
    """The wall clock moved by the number of seconds written in a file (NODE_ENV=test servers only).

    A test drives a live server through a day's visit this way: it writes the offset, and every process of
    the server (web workers and the in-process worker) reads the same file, so they all agree on 'now'.
    """

    def __init__(self, offset_file: Path) -> None:
        self._offset_file = offset_file
        self._read_at: float | None = None
        self._offset = timedelta()

    def now(self) -> datetime:
        """Return the current UTC time plus the file's offset (none while the file is missing)."""
        return datetime.now(UTC) + self._current_offset()

    def _current_offset(self) -> timedelta:
        try:
            modified = self._offset_file.stat().st_mtime
        except FileNotFoundError:
            return timedelta()
        if modified != self._read_at:  # re-read only when the test has written it again
            text = self._offset_file.read_text(encoding="ascii").strip()
            self._offset = timedelta(seconds=float(text or 0))
            self._read_at = modified
        return self._offset
