"""Matching: eligibility reasons, local working hours (midnight, weekdays, DST), travel buffer, scores, order.

Every expected value is worked out by hand in the table or in a comment next to it.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from masu.domain.matching import (
    TRAVEL_BUFFER,
    BookingNeeds,
    BusyPeriod,
    Evaluation,
    ProfessionalFacts,
    Reason,
    WorkingInterval,
    evaluate,
    haversine_km,
    rank,
)
from masu.domain.standing import WEIGHTS

IDT = timezone(timedelta(hours=3))  # Israel summer time
IST = timezone(timedelta(hours=2))  # Israel winter time

TEL_AVIV = (32.0853, 34.7818)
RAMAT_GAN = (32.0684, 34.8248)  # 4.466 km from Tel Aviv
HAIFA = (32.7940, 34.9896)  # 81.181 km from Tel Aviv

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
ALL_WEEK = tuple(WorkingInterval(day, 0, 1440) for day in range(7))
STANDARD_OFFERS = frozenset({("massage", 60), ("facial", 0)})

NOT_APPROVED = Reason.NOT_APPROVED
INACTIVE = Reason.INACTIVE
TREATMENT = Reason.TREATMENT_NOT_OFFERED
CITY = Reason.CITY_NOT_COVERED
GENDER = Reason.GENDER_MISMATCH
HOURS = Reason.NOT_WORKING_THEN
BUSY = Reason.BUSY
DECLINED = Reason.DECLINED


def pro(professional_id: str, **changes: object) -> ProfessionalFacts:
    """An approved, active female professional in Tel Aviv and Ramat Gan, working all week."""
    facts = ProfessionalFacts(
        professional_id=professional_id,
        name=professional_id.capitalize(),
        approved=True,
        active=True,
        gender="female",
        offers=STANDARD_OFFERS,
        city_ids=frozenset({"tlv", "rg"}),
        hours=ALL_WEEK,
    )
    return replace(facts, **changes)  # type: ignore[arg-type]


def needs(
    starts_at: datetime,
    minutes: int = 60,
    *,
    city: tuple[str, tuple[float, float]] = ("tlv", TEL_AVIV),
    treatment: tuple[str, int] = ("massage", 60),
    gender: str = "any",
) -> BookingNeeds:
    return BookingNeeds(
        treatment_id=treatment[0],
        duration_key=treatment[1],
        city_id=city[0],
        city_location=city[1],
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        gender_preference=gender,
    )


def busy(starts_at: datetime, ends_at: datetime) -> BusyPeriod:
    return BusyPeriod(starts_at=starts_at, ends_at=ends_at)


# --- The eligibility matrix: 8 professionals x 4 bookings -----------------------------------------

# 2026-06-10 is a Wednesday; 2026-12-04 is a Friday (winter time, UTC+2).
WED_RAMAT_GAN = needs(datetime(2026, 6, 10, 10, 0, tzinfo=IDT), city=("rg", RAMAT_GAN))
WED_TLV_FEMALE = needs(datetime(2026, 6, 10, 17, 0, tzinfo=IDT), gender="female")  # ends 18:00 = 1080
FRI_NIGHT_MALE = needs(datetime(2026, 12, 4, 23, 30, tzinfo=IST), gender="male")  # Fri 23:30 - Sat 00:30
# 22:30Z on Friday is 00:30 on Saturday in Israel: the visit is Sat 00:30-01:30 local (minutes 30-90).
SAT_EARLY_FACIAL = needs(datetime(2026, 12, 4, 22, 30, tzinfo=UTC), treatment=("facial", 0))
BOOKINGS = (WED_RAMAT_GAN, WED_TLV_FEMALE, FRI_NIGHT_MALE, SAT_EARLY_FACIAL)

PROS = {
    # Ramat Gan only by radius (4.466 <= 4.47); Wed hours end at 18:00 exactly when the visit does.
    "dana": pro(
        "dana",
        offers=STANDARD_OFFERS | {("massage", 90)},
        city_ids=frozenset({"tlv"}),
        base=TEL_AVIV,
        service_radius_km=4.47,
        hours=(
            WorkingInterval(WED, 480, 1080),
            WorkingInterval(FRI, 1200, 1440),
            WorkingInterval(SAT, 0, 120),
        ),
    ),
    # Radius 4.46 < 4.466 misses Ramat Gan; Wed hours end at 17:59, one minute short of 18:00.
    "eli": pro(
        "eli",
        gender="male",
        offers=frozenset({("massage", 60)}),
        city_ids=frozenset({"tlv"}),
        base=TEL_AVIV,
        service_radius_km=4.46,
        hours=(
            WorkingInterval(WED, 540, 1079),
            WorkingInterval(FRI, 1380, 1440),
            WorkingInterval(SAT, 0, 90),
        ),
    ),
    "gal": pro("gal", approved=False, gender=None, offers=frozenset({("facial", 0)})),
    # Lists Tel Aviv but not Ramat Gan, and Haifa's 20 km radius does not reach it (82 km).
    "hila": pro("hila", active=False, city_ids=frozenset({"tlv"}), base=HAIFA, service_radius_km=20.0),
    "itai": pro(
        "itai",
        gender="male",
        busy=(
            # Ends 29 minutes before the Wednesday 10:00 visit: 09:31 + 30 = 10:01 > 10:00, busy.
            busy(datetime(2026, 6, 10, 8, 0, tzinfo=IDT), datetime(2026, 6, 10, 9, 31, tzinfo=IDT)),
            # Ends exactly 30 minutes before the Friday 23:30 visit: 23:00 + 30 = 23:30, not busy.
            busy(datetime(2026, 12, 4, 22, 0, tzinfo=IST), datetime(2026, 12, 4, 23, 0, tzinfo=IST)),
        ),
    ),
    "yael": pro("yael", declined=True),
    # Works Fridays only: the Saturday-local booking fails although it is still Friday in UTC. Lists
    # Tel Aviv only, with no base to measure a radius from.
    "noa": pro("noa", city_ids=frozenset({"tlv"}), hours=(WorkingInterval(FRI, 0, 1440),)),
    # Works Saturdays only: the Friday-night visit fails for its Friday half.
    "omer": pro("omer", gender="male", hours=(WorkingInterval(SAT, 0, 1440),)),
}

# Columns: WED_RAMAT_GAN, WED_TLV_FEMALE, FRI_NIGHT_MALE, SAT_EARLY_FACIAL.
EXPECTED_REASONS: dict[str, tuple[tuple[Reason, ...], ...]] = {
    "dana": ((), (), (GENDER,), ()),
    "eli": ((CITY,), (GENDER, HOURS), (), (TREATMENT,)),
    "gal": (
        (NOT_APPROVED, TREATMENT),
        (NOT_APPROVED, TREATMENT, GENDER),
        (NOT_APPROVED, TREATMENT, GENDER),
        (NOT_APPROVED,),
    ),
    "hila": ((INACTIVE, CITY), (INACTIVE,), (INACTIVE, GENDER), (INACTIVE,)),
    "itai": ((BUSY,), (GENDER,), (), ()),
    "yael": ((DECLINED,), (DECLINED,), (GENDER, DECLINED), (DECLINED,)),
    "noa": ((CITY, HOURS), (HOURS,), (GENDER, HOURS), (HOURS,)),
    "omer": ((HOURS,), (GENDER, HOURS), (HOURS,), ()),
}
BOOKING_NAMES = ("wed-ramat-gan", "wed-tlv-female", "fri-night-male", "sat-early-facial")
MATRIX = [
    pytest.param(name, booking, reasons, id=f"{name}-{booking_name}")
    for name, row in EXPECTED_REASONS.items()
    for booking, booking_name, reasons in zip(BOOKINGS, BOOKING_NAMES, row, strict=True)
]


@pytest.mark.parametrize(("name", "booking", "reasons"), MATRIX)
def test_eligibility_matrix(name: str, booking: BookingNeeds, reasons: tuple[Reason, ...]) -> None:
    evaluation = evaluate(PROS[name], booking)
    assert evaluation.reasons == reasons
    assert evaluation.eligible is (reasons == ())


def test_every_reason_at_once_in_reason_order() -> None:
    hopeless = pro(
        "zero",
        approved=False,
        active=False,
        gender=None,
        offers=frozenset({("massage", 90)}),
        city_ids=frozenset({"haifa"}),
        hours=(WorkingInterval(MON, 0, 1440),),
        busy=(busy(datetime(2026, 6, 10, 17, 0, tzinfo=IDT), datetime(2026, 6, 10, 18, 0, tzinfo=IDT)),),
        declined=True,
    )
    assert evaluate(hopeless, WED_TLV_FEMALE).reasons == tuple(Reason)
    assert tuple(Reason) == (NOT_APPROVED, INACTIVE, TREATMENT, CITY, GENDER, HOURS, BUSY, DECLINED)


def test_reason_values_are_the_snake_case_names() -> None:
    assert [r.value for r in Reason] == [r.name.lower() for r in Reason]


# --- City, treatment, gender ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "km"),
    [
        (TEL_AVIV, TEL_AVIV, 0.0),
        (TEL_AVIV, RAMAT_GAN, 4.466),
        (RAMAT_GAN, TEL_AVIV, 4.466),
        (TEL_AVIV, HAIFA, 81.181),
        (RAMAT_GAN, HAIFA, 82.152),
        ((0.0, 0.0), (0.0, 180.0), 20015.087),  # half the equator, pi * 6371
    ],
)
def test_haversine_km(a: tuple[float, float], b: tuple[float, float], km: float) -> None:
    assert haversine_km(a, b) == pytest.approx(km, abs=0.001)


@pytest.mark.parametrize(
    ("city_ids", "base", "radius", "covered"),
    [
        pytest.param({"rg"}, None, None, True, id="listed"),
        pytest.param({"rg"}, HAIFA, 1.0, True, id="listed-beats-small-radius"),
        pytest.param(set(), TEL_AVIV, 4.47, True, id="radius-just-inside"),
        pytest.param(set(), TEL_AVIV, 4.46, False, id="radius-just-outside"),
        pytest.param(set(), RAMAT_GAN, 0.0, True, id="zero-radius-same-point"),
        pytest.param(set(), TEL_AVIV, None, False, id="base-without-radius"),
        pytest.param(set(), None, 100.0, False, id="radius-without-base"),
        pytest.param({"tlv"}, HAIFA, 82.0, False, id="haifa-82.152-km-away-outside-82"),
        pytest.param({"tlv"}, HAIFA, 82.2, True, id="haifa-82.152-km-away-inside-82.2"),
    ],
)
def test_city_coverage(
    city_ids: set[str], base: tuple[float, float] | None, radius: float | None, covered: bool
) -> None:
    facts = pro("p", city_ids=frozenset(city_ids), base=base, service_radius_km=radius)
    assert (CITY not in evaluate(facts, WED_RAMAT_GAN).reasons) is covered


@pytest.mark.parametrize(
    ("treatment", "offered"),
    [
        (("massage", 60), True),
        (("massage", 90), False),  # offered, but not at this length
        (("facial", 0), True),
        (("facial", 60), False),  # a fixed-price treatment is keyed 0, not by its length
        (("pedicure", 0), False),
    ],
)
def test_treatment_and_duration(treatment: tuple[str, int], offered: bool) -> None:
    booking = needs(datetime(2026, 6, 10, 10, 0, tzinfo=IDT), treatment=treatment)
    assert (TREATMENT not in evaluate(pro("p"), booking).reasons) is offered


@pytest.mark.parametrize(
    ("preference", "gender", "matches"),
    [
        ("any", None, True),
        ("any", "male", True),
        ("any", "female", True),
        ("male", "male", True),
        ("male", "female", False),
        ("male", None, False),
        ("female", "female", True),
        ("female", "male", False),
        ("female", None, False),
    ],
)
def test_gender_preference(preference: str, gender: str | None, matches: bool) -> None:
    booking = needs(datetime(2026, 6, 10, 10, 0, tzinfo=IDT), gender=preference)
    assert (GENDER not in evaluate(pro("p", gender=gender), booking).reasons) is matches


# --- Working hours in local time --------------------------------------------------------------------

Iv = WorkingInterval


def idt(month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=IDT)


def ist(month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=IST)


def utc(month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


# 2026-10-25 (a Sunday): clocks go back at 02:00 IDT to 01:00 IST, so 01:30 happens twice:
# first at 22:30Z on the 24th (UTC+3), then at 23:30Z (UTC+2).
# 2026-03-27 (a Friday): clocks jump at 02:00 IST to 03:00 IDT.
HOURS_CASES = [
    # (id, hours, starts_at, minutes, works)
    ("ends-at-end", (Iv(WED, 480, 1080),), idt(6, 10, 17, 0), 60, True),
    ("ends-minute-late", (Iv(WED, 480, 1080),), idt(6, 10, 17, 1), 60, False),
    ("starts-at-start", (Iv(WED, 480, 1080),), idt(6, 10, 8, 0), 60, True),
    ("starts-minute-early", (Iv(WED, 480, 1080),), idt(6, 10, 7, 59), 60, False),
    ("other-weekday", (Iv(TUE, 0, 1440),), idt(6, 10, 10, 0), 60, False),
    # 09:30-10:30 straddles two back-to-back intervals: it must fit inside ONE of them.
    ("split-over-two", (Iv(WED, 480, 600), Iv(WED, 600, 720)), idt(6, 10, 9, 30), 60, False),
    # Friday 23:30 - Saturday 00:30: Fri [1410, 1440] and Sat [0, 30] must both be covered.
    ("across-midnight", (Iv(FRI, 1200, 1440), Iv(SAT, 0, 120)), ist(12, 4, 23, 30), 60, True),
    ("across-midnight-sat-short", (Iv(FRI, 1200, 1440), Iv(SAT, 0, 29)), ist(12, 4, 23, 30), 60, False),
    ("across-midnight-fri-short", (Iv(FRI, 1200, 1439), Iv(SAT, 0, 120)), ist(12, 4, 23, 30), 60, False),
    ("across-midnight-no-sat", (Iv(FRI, 1200, 1440),), ist(12, 4, 23, 30), 60, False),
    ("ends-at-midnight", (Iv(FRI, 1200, 1440),), ist(12, 4, 23, 0), 60, True),
    # 23:30+02:00 is Friday 23:30 local; read as UTC (21:30) it would miss these hours.
    ("friday-local", (Iv(FRI, 1380, 1440),), ist(12, 4, 23, 30), 15, True),
    # 22:30Z on Friday is Saturday 00:30-01:30 local.
    ("saturday-local", (Iv(SAT, 0, 120),), utc(12, 4, 22, 30), 60, True),
    ("not-friday-as-in-utc", (Iv(FRI, 1200, 1440),), utc(12, 4, 22, 30), 60, False),
    # 01:30 (first) + 60 min = 01:30 (second): wall span [90, 90].
    ("dst-first-0130", (Iv(SUN, 60, 180),), utc(10, 24, 22, 30), 60, True),
    ("dst-first-0130-until-0200", (Iv(SUN, 0, 120),), utc(10, 24, 22, 30), 60, True),
    ("dst-is-sunday-local", (Iv(SAT, 0, 1440),), utc(10, 24, 22, 30), 60, False),
    # 01:30 (second) + 60 min = 02:30: wall span [90, 150].
    ("dst-second-0130", (Iv(SUN, 60, 180),), utc(10, 24, 23, 30), 60, True),
    ("dst-second-0130-until-0200", (Iv(SUN, 0, 120),), utc(10, 24, 23, 30), 60, False),
    # 01:45 (first) + 30 min reads 01:15 (second): both ends, [75, 105], must be inside.
    ("dst-end-reads-earlier", (Iv(SUN, 60, 120),), utc(10, 24, 22, 45), 30, True),
    ("dst-end-reads-earlier-short", (Iv(SUN, 100, 180),), utc(10, 24, 22, 45), 30, False),
    # 01:30 IST + 60 min = 03:30 IDT: the wall clock runs [90, 210].
    ("spring-forward-short", (Iv(FRI, 0, 180),), utc(3, 26, 23, 30), 60, False),
    ("spring-forward", (Iv(FRI, 0, 210),), utc(3, 26, 23, 30), 60, True),
    ("no-hours", (), idt(6, 10, 10, 0), 60, False),
    ("longer-than-a-day", ALL_WEEK, idt(6, 10, 10, 0), 2 * 1440, False),
]


@pytest.mark.parametrize(
    ("hours", "starts_at", "minutes", "works"), [pytest.param(*case[1:], id=case[0]) for case in HOURS_CASES]
)
def test_working_hours(
    hours: tuple[WorkingInterval, ...], starts_at: datetime, minutes: int, works: bool
) -> None:
    evaluation = evaluate(pro("p", hours=hours), needs(starts_at, minutes))
    assert (HOURS not in evaluation.reasons) is works


# --- Busy, with the travel buffer on both sides -----------------------------------------------------

VISIT = datetime(2026, 6, 10, 10, 0, tzinfo=IDT)  # 10:00-11:00


def at(hour: int, minute: int) -> datetime:
    return datetime(2026, 6, 10, hour, minute, tzinfo=IDT)


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "buffer", "is_busy"),
    [
        pytest.param(at(8, 0), at(9, 30), TRAVEL_BUFFER, False, id="ends-exactly-30-before"),
        pytest.param(at(8, 0), at(9, 31), TRAVEL_BUFFER, True, id="ends-29-before"),
        pytest.param(at(11, 30), at(12, 30), TRAVEL_BUFFER, False, id="starts-exactly-30-after"),
        pytest.param(at(11, 29), at(12, 30), TRAVEL_BUFFER, True, id="starts-29-after"),
        pytest.param(at(10, 30), at(11, 30), TRAVEL_BUFFER, True, id="overlaps"),
        pytest.param(at(9, 0), at(12, 0), TRAVEL_BUFFER, True, id="contains"),
        pytest.param(
            at(8, 0) - timedelta(days=1), at(12, 0) - timedelta(days=1), TRAVEL_BUFFER, False, id="yesterday"
        ),
        # 06:31Z is 09:31 local: compared as instants whatever the offset.
        pytest.param(
            at(5, 0).astimezone(UTC), datetime(2026, 6, 10, 6, 31, tzinfo=UTC), TRAVEL_BUFFER, True, id="utc"
        ),
        pytest.param(at(8, 0), at(9, 31), timedelta(0), False, id="no-buffer-ends-29-before"),
        pytest.param(at(8, 0), at(10, 0), timedelta(0), False, id="no-buffer-back-to-back"),
        pytest.param(at(8, 0), at(10, 1), timedelta(0), True, id="no-buffer-ends-minute-late"),
        pytest.param(at(7, 0), at(8, 59), timedelta(hours=1), False, id="hour-buffer-ends-61-before"),
        pytest.param(at(7, 0), at(9, 1), timedelta(hours=1), True, id="hour-buffer-ends-59-before"),
    ],
)
def test_busy_with_travel_buffer(
    starts_at: datetime, ends_at: datetime, buffer: timedelta, is_busy: bool
) -> None:
    facts = pro("p", busy=(busy(starts_at, ends_at),))
    evaluation = evaluate(facts, needs(VISIT), travel_buffer=buffer)
    assert (BUSY in evaluation.reasons) is is_busy


# --- Scores -----------------------------------------------------------------------------------------

QUICK = {"offers_answered": 8, "offers_accepted": 8, "offers_received": 8, "median_response_seconds": 90.0}
SLOW = {"offers_answered": 10, "offers_accepted": 2, "offers_received": 20, "median_response_seconds": 1800.0}
INSTANT = {
    "offers_answered": 98,
    "offers_accepted": 98,
    "offers_received": 98,
    "median_response_seconds": 0.0,
}


@pytest.mark.parametrize(
    ("changes", "part", "expected"),
    [
        ({"base": RAMAT_GAN}, "distance", 1.0),
        ({"base": TEL_AVIV}, "distance", 0.9107),  # 1 - 4.466042 / 50 = 0.910679
        ({"base": HAIFA}, "distance", 0.0),  # 82 km, capped at 50
        ({"base": None}, "distance", 0.5),
        ({}, "rating", 0.75),  # prior only: 4.0 -> (4 - 1) / 4
        ({"rating_average": 4.2, "rating_count": 0}, "rating", 0.75),  # no reviews counted: prior only
        ({"rating_average": 5.0, "rating_count": 9}, "rating", 0.9375),  # (45 + 12) / 12 = 4.75 -> 3.75 / 4
        ({"rating_average": 5.0, "rating_count": 1}, "rating", 0.8125),  # (5 + 12) / 4 = 4.25 -> 3.25 / 4
        ({"rating_average": 1.0, "rating_count": 97}, "rating", 0.0225),  # (97 + 12) / 100 = 1.09 -> 0.09 / 4
        ({}, "responsiveness", 0.5),  # 0.6 * (1/2 * 1/1) + 0.4 * 0.5
        # 0.6 * (9/10 * 9/9) + 0.4 * (1 - 90/900) = 0.54 + 0.36
        (QUICK, "responsiveness", 0.9),
        # 0.6 * (3/12 * 11/21) + 0.4 * 0 = 0.6 * 0.130952 = 0.078571
        (SLOW, "responsiveness", 0.0786),
        # All expired: 0.6 * (1/2 * 1/10) + 0.4 * 0.5 = 0.03 + 0.2
        ({"offers_received": 9}, "responsiveness", 0.23),
        # 0.6 * (99/100 * 99/99) + 0.4 * 1 = 0.594 + 0.4
        (INSTANT, "responsiveness", 0.994),
        ({}, "fairness", 1.0),
        ({"recent_jobs": 1}, "fairness", 0.8333),  # 1 / 1.2
        ({"recent_jobs": 5}, "fairness", 0.5),
        ({"recent_jobs": 20}, "fairness", 0.2),  # 1 / 5
    ],
)
def test_score_parts(changes: dict[str, object], part: str, expected: float) -> None:
    evaluation = evaluate(pro("p", **changes), WED_RAMAT_GAN)
    assert evaluation.score_parts[part] == expected


def test_weights_sum_to_one() -> None:
    assert dict(WEIGHTS) == {"distance": 0.30, "rating": 0.30, "responsiveness": 0.25, "fairness": 0.15}
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)


# Everyone covers Ramat Gan; parts not mentioned are the defaults: rating 0.75 (prior), responsiveness
# 0.5, fairness 1. Ids deliberately do not follow the score order.
RANKED = [
    # 0.3*1 + 0.3*0.75 + 0.25*0.5 + 0.15*1 = 0.3 + 0.225 + 0.125 + 0.15 = 0.8
    pro("p5", name="Close B", base=RAMAT_GAN),
    pro("p2", name="Close A", base=RAMAT_GAN),  # same 0.8: p2 before p5
    # 0.3*0.5 + 0.225 + 0.25*0.9 + 0.15 = 0.15 + 0.225 + 0.225 + 0.15 = 0.75
    pro(
        "p1",
        name="Quick",
        offers_answered=8,
        offers_accepted=8,
        offers_received=8,
        median_response_seconds=90.0,
    ),
    # rating (35 + 12) / 10 = 4.7 -> 0.925: 0.15 + 0.3*0.925 + 0.125 + 0.15 = 0.15 + 0.2775 + 0.275 = 0.7025
    pro("p7", name="Star", rating_average=5.0, rating_count=7),
    # fairness 1 / (1 + 20/5) = 0.2: 0.3 + 0.225 + 0.125 + 0.15*0.2 = 0.68
    pro("p3", name="Busy lately", base=RAMAT_GAN, recent_jobs=20),
    # 0.3*0.5 + 0.225 + 0.125 + 0.15 = 0.65
    pro("p6", name="Unknown base"),
    # distance 0.910679, rating (10 + 12) / 8 = 2.75 -> 0.4375, responsiveness 0.078571:
    # 0.273204 + 0.13125 + 0.019643 + 0.15 = 0.574097
    pro(
        "p4",
        name="Slow",
        base=TEL_AVIV,
        rating_average=2.0,
        rating_count=5,
        **SLOW,
    ),
    # Excluded, listed last by name (Adi before Zvi) whatever their score (Adi's is 0.8).
    pro("p0", name="Zvi", declined=True),
    pro("p9", name="Adi", approved=False, base=RAMAT_GAN),
]
EXPECTED_ORDER = [
    ("p2", 0.8),
    ("p5", 0.8),
    ("p1", 0.75),
    ("p7", 0.7025),
    ("p3", 0.68),
    ("p6", 0.65),
    ("p4", 0.5741),
    ("p9", 0.8),
    ("p0", 0.65),
]


def test_rank_order_and_scores() -> None:
    ranked = rank(RANKED, WED_RAMAT_GAN)
    assert [(e.professional_id, e.match_score) for e in ranked] == EXPECTED_ORDER
    assert [e.eligible for e in ranked] == [True] * 7 + [False] * 2
    assert ranked[-2].reasons == (NOT_APPROVED,)
    assert ranked[-1].reasons == (DECLINED,)


def test_evaluation_details() -> None:
    slow = next(e for e in rank(RANKED, WED_RAMAT_GAN) if e.professional_id == "p4")
    assert slow.distance_km == pytest.approx(4.466, abs=0.001)
    assert replace(slow, distance_km=None) == Evaluation(
        professional_id="p4",
        name="Slow",
        eligible=True,
        reasons=(),
        match_score=0.5741,
        score_parts={"distance": 0.9107, "rating": 0.4375, "responsiveness": 0.0786, "fairness": 1.0},
        distance_km=None,
    )
    assert evaluate(pro("p6"), WED_RAMAT_GAN).distance_km is None


def test_rank_of_nobody_is_empty() -> None:
    assert rank([], WED_RAMAT_GAN) == []


@pytest.mark.parametrize("seed", range(10))
def test_rank_is_deterministic_whatever_the_input_order(seed: int) -> None:
    everyone = RANKED + list(PROS.values())
    shuffled = everyone.copy()
    random.Random(seed).shuffle(shuffled)
    for booking in BOOKINGS:
        assert rank(shuffled, booking) == rank(everyone, booking)


def test_rank_accepts_any_iterable() -> None:
    assert rank(iter(RANKED), WED_RAMAT_GAN) == rank(tuple(RANKED), WED_RAMAT_GAN)


coordinates = st.tuples(st.floats(-90, 90), st.floats(-180, 180))
counts = st.integers(min_value=0, max_value=1_000_000)
facts = st.builds(
    ProfessionalFacts,
    professional_id=st.text(max_size=3),
    name=st.text(max_size=3),
    approved=st.booleans(),
    active=st.booleans(),
    gender=st.sampled_from([None, "male", "female"]),
    offers=st.just(STANDARD_OFFERS),
    city_ids=st.just(frozenset({"tlv"})),
    base=st.none() | coordinates,
    service_radius_km=st.none() | st.floats(0, 20_000),
    hours=st.just(ALL_WEEK),
    rating_average=st.none() | st.floats(1, 5),
    rating_count=counts,
    offers_answered=counts,
    offers_accepted=counts,
    offers_received=counts,
    median_response_seconds=st.none() | st.floats(0, 1e7),
    recent_jobs=counts,
)


@settings(max_examples=300, deadline=None)
@given(facts=st.lists(facts, max_size=6), location=coordinates)
def test_scores_stay_in_range(facts: list[ProfessionalFacts], location: tuple[float, float]) -> None:
    booking = replace(WED_RAMAT_GAN, city_location=location)
    for evaluation in rank(facts, booking):
        assert 0.0 <= evaluation.match_score <= 1.0
        assert evaluation.score_parts.keys() == WEIGHTS.keys()
        assert all(0.0 <= value <= 1.0 for value in evaluation.score_parts.values())
        assert evaluation.eligible is (evaluation.reasons == ())


# --- Invalid input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weekday", "start", "end"),
    [(7, 0, 60), (-1, 0, 60), (MON, 600, 600), (MON, 600, 540), (MON, -1, 60), (MON, 0, 1441)],
)
def test_impossible_working_interval(weekday: int, start: int, end: int) -> None:
    with pytest.raises(ValueError, match=r"weekday|minute"):
        WorkingInterval(weekday, start, end)


def test_naive_or_backwards_times_are_rejected() -> None:
    naive = datetime(2026, 6, 10, 10, 0)
    with pytest.raises(ValueError, match="aware"):
        needs(naive)
    with pytest.raises(ValueError, match="after"):
        needs(VISIT, 0)
    with pytest.raises(ValueError, match="aware"):
        busy(naive, naive + timedelta(hours=1))
