"""Weekly working hours on a form: typed HH:MM intervals per day ↔ the service's intervals, errors by field.

Shared by the professional's own schedule page and the admin's page of a professional, so both read and
show hours the same way. A field key is "h<weekday>-<slot>" (weekday 0 = Monday); its inputs add "-start"
and "-end"; an error is a text key the pages' catalogues hold (time_missing, time_invalid, end_before_start,
overlap).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from masu.domain.errors import ValidationFailed
from masu.services.professional.profiles import Interval
from masu.web.ui.i18n import Lang

if TYPE_CHECKING:
    from masu.persistence.models import WorkingHours

WEEK = (6, 0, 1, 2, 3, 4, 5)  # weekday numbers (0=Monday) in the order an Israeli week is read: Sunday first
MAX_SLOTS = 6  # intervals a day may hold on the form
SHOWN_SLOTS = 2  # empty rows offered per day when it has fewer intervals
DAY_END = 24 * 60
_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)(:[0-5]\d)?")
Slots = dict[int, list[tuple[str, str]]]  # weekday → [(start "HH:MM", end "HH:MM")]
Errors = dict[str, str]  # field key ("h0-1") → error text key

# The form's texts (day names, 0 = Monday; the interval labels and errors), for both portals' pages.
HOURS_TEXTS: dict[Lang, dict[str, str]] = {
    "en": {
        "day_0": "Monday",
        "day_1": "Tuesday",
        "day_2": "Wednesday",
        "day_3": "Thursday",
        "day_4": "Friday",
        "day_5": "Saturday",
        "day_6": "Sunday",
        "from": "From",
        "to": "To",
        "time_invalid": "Enter a time as HH:MM.",
        "time_missing": "Enter both a start and an end time.",
        "end_before_start": "The end must be after the start.",
        "overlap": "This interval overlaps another one on the same day.",
    },
    "he": {
        "day_0": "שני",
        "day_1": "שלישי",
        "day_2": "רביעי",
        "day_3": "חמישי",
        "day_4": "שישי",
        "day_5": "שבת",
        "day_6": "ראשון",
        "from": "מ-",
        "to": "עד",
        "time_invalid": "נא להזין שעה בפורמט HH:MM.",
        "time_missing": "נא להזין שעת התחלה ושעת סיום.",
        "end_before_start": "שעת הסיום צריכה להיות אחרי שעת ההתחלה.",
        "overlap": "הטווח הזה חופף לטווח אחר באותו יום.",
    },
}


def slots_of(form: Mapping[str, str]) -> Slots:
    """The form's intervals per weekday, as typed (rows left empty dropped)."""
    slots: Slots = {}
    for day in WEEK:
        rows = [
            (form.get(f"h{day}-{slot}-start", "").strip(), form.get(f"h{day}-{slot}-end", "").strip())
            for slot in range(MAX_SLOTS)
        ]
        while rows and rows[-1] == ("", ""):  # trailing empty rows; inner ones keep the slots' numbers
            rows.pop()
        slots[day] = rows
    return slots


def saved_slots(hours: Iterable[WorkingHours]) -> Slots:
    """Stored hours per weekday, as the form shows them."""
    slots: Slots = {day: [] for day in WEEK}
    for row in sorted(hours, key=lambda h: (h.weekday, h.start_minute)):
        slots[row.weekday].append((_clock(row.start_minute), _clock(row.end_minute)))
    return slots


def intervals_of(slots: Slots) -> tuple[list[Interval], list[str], Errors]:
    """The intervals the form holds, each one's field key, and the error key of each wrong one."""
    intervals: list[Interval] = []
    keys: list[str] = []
    errors: Errors = {}
    for day, rows in slots.items():
        for slot, (start, end) in enumerate(rows):
            key = f"h{day}-{slot}"
            if not start and not end:
                continue
            problem = _problem(start, end)
            if problem is not None:
                errors[key] = problem
                continue
            intervals.append(Interval(day, _minutes(start), _minutes(end, end_of_day=True)))
            keys.append(key)
    return intervals, keys, errors


def overlap_errors(refused: ValidationFailed, keys: list[str]) -> Errors:
    """The service's refusal of an overlap ("hours.3") as an error at that interval's field."""
    return {keys[int(refused.field.rpartition(".")[2])]: "overlap"}


def form_days(slots: Slots) -> list[dict[str, Any]]:
    """The days as the form lists them, Sunday first, each padded with empty rows to fill in."""
    return [
        {"day": day, "rows": slots[day] + [("", "")] * max(SHOWN_SLOTS - len(slots[day]), 0)} for day in WEEK
    ]


def has_hours(slots: Slots) -> bool:
    """True when any interval holds something."""
    return any(any(start or end for start, end in rows) for rows in slots.values())


def _problem(start: str, end: str) -> str | None:
    """The error key of an interval typed as `start`–`end`, or None when it is a valid one."""
    if not start or not end:
        return "time_missing"
    if not _TIME.fullmatch(start) or not _TIME.fullmatch(end):
        return "time_invalid"
    if _minutes(end, end_of_day=True) <= _minutes(start):
        return "end_before_start"
    return None


def _minutes(value: str, *, end_of_day: bool = False) -> int:
    """Minutes after midnight of "HH:MM"; an end of "00:00" is the day's end (midnight after)."""
    hours, minutes = int(value[:2]), int(value[3:5])
    total = hours * 60 + minutes
    return DAY_END if end_of_day and total == 0 else total


def _clock(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"
