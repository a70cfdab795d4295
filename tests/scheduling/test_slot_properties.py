"""Property tests: offered == bookable, nothing offered overlaps busy time, and an oracle agrees.

Scenarios mix zones with unusual daylight-saving rules (Lord Howe shifts by 30 minutes, Chatham
and St John's have odd offsets) and favour the days their clocks change.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any, get_args
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st
from slot_testkit import WEEK, oracle_free_starts

from agentlocator.scheduling import (
    BookingRules,
    Interval,
    Reason,
    check_slot,
    free_slots,
)

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, database=None)

ZONES = (
    "Asia/Jerusalem",
    "America/New_York",
    "UTC",
    "Europe/London",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/St_Johns",
    "Asia/Kathmandu",
)
REASONS = set(get_args(Reason))


@cache
def clock_change_days(zone: str) -> tuple[date, ...]:
    """Local dates in 2026 on which the zone's UTC offset changes."""
    tz = ZoneInfo(zone)
    instant = datetime(2026, 1, 1, tzinfo=UTC)
    days = []
    previous = instant.astimezone(tz).utcoffset()
    while instant.year == 2026:
        local = instant.astimezone(tz)
        if local.utcoffset() != previous:
            days.append(local.date())
            previous = local.utcoffset()
        instant += timedelta(minutes=30)
    return tuple(days)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def day_hours(draw: st.DrawFn) -> list[list[str]]:
    """Zero to three ranges on a 5-minute grid, sometimes two of them touching."""
    count = draw(st.integers(0, 3))
    points = sorted(
        draw(st.lists(st.integers(0, 288), min_size=2 * count, max_size=2 * count, unique=True))
    )
    ranges = [[points[2 * i] * 5, points[2 * i + 1] * 5] for i in range(count)]
    if count >= 2 and draw(st.booleans()):
        ranges[1][0] = ranges[0][1]
    return [[_clock(a), _clock(b)] for a, b in ranges]


@dataclass(frozen=True)
class Scenario:
    rules: BookingRules
    day: date
    now: datetime
    busy: tuple[Interval, ...]

    @property
    def day_start(self) -> datetime:
        return datetime.combine(self.day, time(), tzinfo=UTC)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    zone = draw(st.sampled_from(ZONES))
    changes = clock_change_days(zone)
    if draw(st.booleans()) and changes:
        day = draw(st.sampled_from(changes)) + timedelta(days=draw(st.integers(-1, 1)))
    else:
        day = draw(st.dates(date(2026, 1, 2), date(2026, 12, 30)))
    # A few day patterns shared out over the week keep generation cheap; only the days near
    # `day` are ever asked about.
    patterns = [draw(day_hours()) for _ in range(3)] + [[]]
    fields: dict[str, Any] = {
        "timezone": zone,
        "weekly_hours": {key: patterns[draw(st.integers(0, 3))] for key in WEEK},
        "slot_minutes": draw(st.sampled_from([30, 45, 60])),
        "step_minutes": draw(st.sampled_from([None, 5, 15, 20, 30, 45, 60, 90])),
        "min_notice_minutes": draw(st.sampled_from([0, 0, 30, 60, 120, 24 * 60])),
        "window_days": draw(st.integers(0, 4)),
        "buffer_minutes": draw(st.sampled_from([0, 0, 5, 15, 30])),
        "daily_cap": draw(st.sampled_from([None, None, 1, 2, 3])),
    }
    if draw(st.booleans()):
        fields["overrides"] = {day.isoformat(): draw(day_hours())}
    midnight = datetime.combine(day, time(), tzinfo=UTC)
    now = midnight + timedelta(
        minutes=draw(st.integers(-3 * 1440, 1440)), seconds=draw(st.sampled_from([0, 0, 0, 1, 59]))
    )
    busy = tuple(
        Interval(start, start + timedelta(minutes=5 * draw(st.integers(1, 48))))
        for start in (
            midnight + timedelta(minutes=5 * offset)
            for offset in draw(st.lists(st.integers(-288, 576), max_size=6))
        )
    )
    return Scenario(BookingRules.model_validate(fields), day, now, busy)


@PROPERTY_SETTINGS
@given(scenarios())
def test_free_slots_agree_with_a_brute_force_oracle(case: Scenario) -> None:
    offered = [s.start for s in free_slots(case.rules, case.day, case.now, case.busy)]
    assert offered == oracle_free_starts(case.rules, case.day, case.now, case.busy)


@PROPERTY_SETTINGS
@given(scenarios())
def test_every_offered_slot_passes_check_slot(case: Scenario) -> None:
    for slot in free_slots(case.rules, case.day, case.now, case.busy):
        assert check_slot(case.rules, slot.start, case.now, case.busy).ok, slot


@PROPERTY_SETTINGS
@given(scenarios(), st.lists(st.integers(-288, 576), min_size=1, max_size=20))
def test_any_start_not_offered_is_refused_with_a_reason(
    case: Scenario, probe_offsets: list[int]
) -> None:
    offered_today = [s.start for s in free_slots(case.rules, case.day, case.now, case.busy)]
    near_offered = [
        start + timedelta(minutes=delta)
        for start in offered_today[:: max(1, len(offered_today) // 4)]
        for delta in (-5, 1, 5)
    ]
    probes = [case.day_start + timedelta(minutes=5 * o) for o in probe_offsets] + near_offered
    offered: dict[date, set[datetime]] = {}
    for probe in probes:
        its_day = probe.astimezone(case.rules.zone).date()
        if its_day not in offered:
            slots = free_slots(case.rules, its_day, case.now, case.busy)
            offered[its_day] = {s.start for s in slots}
        verdict = check_slot(case.rules, probe, case.now, case.busy)
        assert verdict.ok == (probe in offered[its_day]), (probe, verdict)
        if not verdict.ok:
            assert verdict.reason in REASONS


@PROPERTY_SETTINGS
@given(scenarios())
def test_offered_slots_never_overlap_busy_time_plus_buffer(case: Scenario) -> None:
    buffer = timedelta(minutes=case.rules.buffer_minutes)
    for slot in free_slots(case.rules, case.day, case.now, case.busy):
        for b in case.busy:
            assert slot.end + buffer <= b.start or b.end + buffer <= slot.start, (slot, b)


@PROPERTY_SETTINGS
@given(scenarios())
def test_offered_slots_are_ordered_whole_and_on_their_local_date(case: Scenario) -> None:
    slots = free_slots(case.rules, case.day, case.now, case.busy)
    length = timedelta(minutes=case.rules.slot_minutes)
    notice = timedelta(minutes=case.rules.min_notice_minutes)
    zone = case.rules.zone
    for earlier, later in itertools.pairwise(slots):
        assert earlier.start < later.start
        assert earlier.local_time < later.local_time
    for slot in slots:
        local = slot.start.astimezone(zone)
        assert (local.date(), local.time().replace(fold=0)) == (slot.local_date, slot.local_time)
        assert local.fold == 0
        assert slot.end - slot.start == length
        assert slot.start >= case.now + notice
