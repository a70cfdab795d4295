"""Daylight-saving days in Asia/Jerusalem and America/New_York, and independence from `TZ`.

Jerusalem jumps 02:00 → 03:00 on Friday 2026-03-27 and falls back 02:00 → 01:00 on Sunday
2026-10-25 (a 25-hour working day). New York jumps 02:00 → 03:00 on 2026-03-08 and falls back
02:00 → 01:00 on 2026-11-01.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from slot_testkit import FAR_PAST, JERUSALEM, NEW_YORK, at, busy, every_day, hhmm, jlm, rules

from agentlocator.scheduling import check_slot, free_slots, start_instant

ALL_DAY = every_day(("00:00", "24:00"))
EVERY_HALF_HOUR = [f"{h:02d}:{m:02d}" for h, m in itertools.product(range(24), (0, 30))]

DST_DAYS = [
    pytest.param(JERUSALEM, date(2026, 3, 27), {"02:00", "02:30"}, 23, id="jerusalem-spring"),
    pytest.param(JERUSALEM, date(2026, 10, 25), set(), 25, id="jerusalem-autumn"),
    pytest.param(NEW_YORK, date(2026, 3, 8), {"02:00", "02:30"}, 23, id="new-york-spring"),
    pytest.param(NEW_YORK, date(2026, 11, 1), set(), 25, id="new-york-autumn"),
]


@pytest.mark.parametrize(("zone", "day", "skipped", "hours"), DST_DAYS)
def test_dst_day_offers_each_existing_wall_time_once_in_utc_order(
    zone: str, day: date, skipped: set[str], hours: int
) -> None:
    rule = rules(timezone=zone, weekly_hours=ALL_DAY)
    slots = free_slots(rule, day, FAR_PAST, [])
    assert hhmm(slots) == [t for t in EVERY_HALF_HOUR if t not in skipped]
    assert len(slots) == 48 - len(skipped)
    starts = [slot.start for slot in slots]
    assert all(a < b for a, b in itertools.pairwise(starts))
    assert all(slot.end - slot.start == timedelta(minutes=30) for slot in slots)
    assert all(slot.start.tzinfo is UTC for slot in slots)
    midnight, next_midnight = (
        datetime.combine(d, time(), tzinfo=ZoneInfo(zone)).astimezone(UTC)
        for d in (day, day + timedelta(days=1))
    )
    assert next_midnight - midnight == timedelta(hours=hours)
    assert (slots[0].start, slots[-1].end) == (midnight, next_midnight)


def test_nine_oclock_stays_nine_oclock_across_the_jerusalem_changes() -> None:
    rule = rules()
    firsts = {
        day: free_slots(rule, day, FAR_PAST, [])[0].start
        for day in (date(2026, 3, 20), date(2026, 3, 27), date(2026, 10, 18), date(2026, 10, 25))
    }
    assert firsts == {
        date(2026, 3, 20): datetime(2026, 3, 20, 7, 0, tzinfo=UTC),  # +02:00
        date(2026, 3, 27): datetime(2026, 3, 27, 6, 0, tzinfo=UTC),  # +03:00
        date(2026, 10, 18): datetime(2026, 10, 18, 6, 0, tzinfo=UTC),  # +03:00
        date(2026, 10, 25): datetime(2026, 10, 25, 7, 0, tzinfo=UTC),  # +02:00
    }
    for day in firsts:
        assert hhmm(free_slots(rule, day, FAR_PAST, []))[0] == "09:00"


def test_nine_oclock_stays_nine_oclock_across_the_new_york_changes() -> None:
    rule = rules(timezone=NEW_YORK, weekly_hours=every_day(("09:00", "17:00")))
    assert free_slots(rule, date(2026, 3, 7), FAR_PAST, [])[0].start.hour == 14  # EST
    assert free_slots(rule, date(2026, 3, 8), FAR_PAST, [])[0].start.hour == 13  # EDT
    assert free_slots(rule, date(2026, 10, 31), FAR_PAST, [])[0].start.hour == 13  # EDT
    assert free_slots(rule, date(2026, 11, 1), FAR_PAST, [])[0].start.hour == 14  # EST


def test_slot_length_is_elapsed_time_across_the_spring_gap() -> None:
    rule = rules(weekly_hours=every_day(("01:00", "04:00")), slot_minutes=60)
    slots = free_slots(rule, date(2026, 3, 27), FAR_PAST, [])
    assert hhmm(slots) == ["01:00", "03:00"]  # 01:00-03:00 local is one real hour
    assert slots[0].end == slots[1].start


def test_hours_closing_inside_the_repeated_hour_use_its_first_occurrence() -> None:
    rule = rules(weekly_hours=every_day(("00:00", "03:00")), slot_minutes=60)
    slots = free_slots(rule, date(2026, 10, 25), FAR_PAST, [])
    assert hhmm(slots) == ["00:00", "01:00", "02:00"]
    assert [s.start.hour for s in slots] == [21, 22, 0]  # 01:00 is +03:00, 02:00 is +02:00


def test_the_second_occurrence_of_a_repeated_time_is_not_offered() -> None:
    rule = rules(weekly_hours=ALL_DAY)
    first = jlm(2026, 10, 25, 1, 30, fold=0)
    second = jlm(2026, 10, 25, 1, 30, fold=1)
    assert second - first == timedelta(hours=1)
    assert check_slot(rule, first, FAR_PAST, []).ok
    assert check_slot(rule, second, FAR_PAST, []).reason == "not_on_step"


def test_opening_inside_the_gap_opens_when_the_clock_jumps() -> None:
    rule = rules(timezone=NEW_YORK, weekly_hours=every_day(("02:30", "05:00")))
    slots = free_slots(rule, date(2026, 3, 8), FAR_PAST, [])
    assert hhmm(slots) == ["03:00", "03:30", "04:00", "04:30"]
    assert slots[0].start == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)


def test_min_notice_is_elapsed_time_across_the_jump() -> None:
    rule = rules(weekly_hours=ALL_DAY, min_notice_minutes=60)
    now = jlm(2026, 3, 27, 1, 30)  # +02:00; an hour later the clock reads 03:30
    assert hhmm(free_slots(rule, date(2026, 3, 27), now, []))[0] == "03:30"


def test_busy_time_in_the_repeated_hour_blocks_by_instant() -> None:
    rule = rules(weekly_hours=ALL_DAY)
    second_one = at(JERUSALEM, 2026, 10, 25, 1, 0, fold=1)
    taken = [busy(second_one, 60)]  # the whole second 01:00-02:00
    offered = hhmm(free_slots(rule, date(2026, 10, 25), FAR_PAST, taken))
    assert {"01:00", "01:30", "02:00"} <= set(offered)  # the first 01:xx are still free
    assert check_slot(rule, jlm(2026, 10, 25, 1, 30), FAR_PAST, taken).ok


@pytest.mark.parametrize(
    ("zone", "day", "wall", "expected"),
    [
        (JERUSALEM, date(2026, 3, 27), time(2, 30), None),
        (JERUSALEM, date(2026, 3, 27), time(3, 0), datetime(2026, 3, 27, 0, 0, tzinfo=UTC)),
        (JERUSALEM, date(2026, 10, 25), time(1, 30), datetime(2026, 10, 24, 22, 30, tzinfo=UTC)),
        (NEW_YORK, date(2026, 3, 8), time(2, 0), None),
        (NEW_YORK, date(2026, 11, 1), time(1, 0), datetime(2026, 11, 1, 5, 0, tzinfo=UTC)),
    ],
)
def test_start_instant_refuses_gap_times_and_picks_the_first_fold(
    zone: str, day: date, wall: time, expected: datetime | None
) -> None:
    assert start_instant(rules(timezone=zone), day, wall) == expected


# The process time zone must not matter


def test_answers_do_not_depend_on_the_process_time_zone(process_tz: str) -> None:
    jerusalem = rules(weekly_hours=ALL_DAY, overrides={"2026-04-02": []})
    new_york = rules(timezone=NEW_YORK, weekly_hours=ALL_DAY)
    now = jlm(2026, 3, 26, 23, 30)

    spring = free_slots(jerusalem, date(2026, 3, 27), now, [])
    assert hhmm(spring) == [t for t in EVERY_HALF_HOUR if t not in {"02:00", "02:30"}]
    assert spring[0].start == datetime(2026, 3, 26, 22, 0, tzinfo=UTC)
    assert len(free_slots(jerusalem, date(2026, 10, 25), now, [])) == 48
    autumn_ny = free_slots(new_york, date(2026, 11, 1), now, [])
    assert (len(autumn_ny), autumn_ny[0].start) == (48, datetime(2026, 11, 1, 4, 0, tzinfo=UTC))

    assert free_slots(jerusalem, date(2026, 4, 2), now, []) == []
    assert check_slot(jerusalem, jlm(2026, 4, 2, 0, 30), now, []).reason == "closed"
    assert check_slot(jerusalem, jlm(2026, 4, 3, 0, 0), now, []).ok
    assert start_instant(jerusalem, date(2026, 3, 27), time(2, 30)) is None
