"""Table tests for free_slots and check_slot on ordinary days (no daylight-saving change).

2026-06-07 is a Sunday; Jerusalem is at UTC+3 all June.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from slot_testkit import FAR_PAST, busy, every_day, hhmm, jlm, rules

from agentlocator.scheduling import (
    BookingRules,
    Interval,
    Reason,
    check_slot,
    free_slots,
    nearest_slots,
    next_open_dates,
    start_instant,
)

SUNDAY = date(2026, 6, 7)
FRIDAY = date(2026, 6, 12)
SATURDAY = date(2026, 6, 13)


def half_hours(first: str, last: str) -> list[str]:
    """'HH:MM' every 30 minutes from `first` through `last`."""
    start = datetime.strptime(first, "%H:%M")
    end = datetime.strptime(last, "%H:%M")
    out = []
    while start <= end:
        out.append(start.strftime("%H:%M"))
        start += timedelta(minutes=30)
    return out


# Hours, split shifts, overrides


@pytest.mark.parametrize(
    ("fields", "day", "expected"),
    [
        ({}, SUNDAY, half_hours("09:00", "16:30")),
        ({}, FRIDAY, half_hours("09:00", "12:30")),
        ({}, SATURDAY, []),
        (
            {"weekly_hours": {"sun": [["09:00", "13:00"], ["16:00", "19:00"]]}, "slot_minutes": 60},
            SUNDAY,
            ["09:00", "10:00", "11:00", "12:00", "16:00", "17:00", "18:00"],
        ),
        ({"overrides": {"2026-06-07": []}}, SUNDAY, []),
        (
            {"overrides": {"2026-06-07": [["10:00", "12:00"]]}},
            SUNDAY,
            ["10:00", "10:30", "11:00", "11:30"],
        ),
        ({"overrides": {"2026-06-13": [["10:00", "11:00"]]}}, SATURDAY, ["10:00", "10:30"]),
        (  # touching ranges are one range, so a slot may cross 12:00
            {
                "weekly_hours": {"sun": [["09:00", "12:00"], ["12:00", "13:00"]]},
                "slot_minutes": 60,
                "step_minutes": 30,
            },
            SUNDAY,
            ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00"],
        ),
        (  # a range shorter than a slot offers nothing
            {"weekly_hours": {"sun": [["09:00", "09:40"]]}, "slot_minutes": 45},
            SUNDAY,
            [],
        ),
        (
            {"weekly_hours": {"sun": [["09:30", "12:00"]]}, "slot_minutes": 45},
            SUNDAY,
            ["09:30", "10:15", "11:00"],
        ),
        (
            {"weekly_hours": {"sun": [["09:00", "11:00"]]}, "slot_minutes": 60, "step_minutes": 15},
            SUNDAY,
            ["09:00", "09:15", "09:30", "09:45", "10:00"],
        ),
        (
            {"weekly_hours": {"sun": [["09:00", "12:00"]]}, "slot_minutes": 30, "step_minutes": 90},
            SUNDAY,
            ["09:00", "10:30"],
        ),
        (
            {"weekly_hours": {"sun": [["22:00", "24:00"]]}, "slot_minutes": 60},
            SUNDAY,
            ["22:00", "23:00"],
        ),
    ],
)
def test_free_slots_table(fields: dict[str, object], day: date, expected: list[str]) -> None:
    assert hhmm(free_slots(rules(**fields), day, FAR_PAST, [])) == expected


def test_slots_carry_utc_instants_and_the_local_date() -> None:
    slots = free_slots(rules(slot_minutes=45), SUNDAY, FAR_PAST, [])
    first = slots[0]
    assert first.start == datetime(2026, 6, 7, 6, 0, tzinfo=UTC)
    assert first.end == datetime(2026, 6, 7, 6, 45, tzinfo=UTC)
    assert first.start.tzinfo is UTC
    assert {s.local_date for s in slots} == {SUNDAY}
    assert all(s.end - s.start == timedelta(minutes=45) for s in slots)


def test_closing_at_midnight_ends_at_the_next_local_midnight() -> None:
    rule = rules(weekly_hours={"sun": [["22:00", "24:00"]]}, slot_minutes=60)
    last = free_slots(rule, SUNDAY, FAR_PAST, [])[-1]
    assert last.end == jlm(2026, 6, 8, 0, 0)
    assert last.local_date == SUNDAY
    assert check_slot(rule, jlm(2026, 6, 7, 23, 30), FAR_PAST, []).reason == "outside_hours"


# now, notice, window


def test_now_exactly_on_a_slot_boundary_is_bookable_with_no_notice() -> None:
    now = jlm(2026, 6, 7, 10, 0)
    assert hhmm(free_slots(rules(), SUNDAY, now, []))[0] == "10:00"
    assert check_slot(rules(), now, now, []).ok


def test_a_microsecond_after_the_boundary_the_slot_is_past() -> None:
    now = jlm(2026, 6, 7, 10, 0) + timedelta(microseconds=1)
    assert hhmm(free_slots(rules(), SUNDAY, now, []))[0] == "10:30"
    assert check_slot(rules(), jlm(2026, 6, 7, 10, 0), now, []).reason == "past"


def test_min_notice_allows_a_start_exactly_at_now_plus_notice() -> None:
    rule = rules(min_notice_minutes=120)
    now = jlm(2026, 6, 7, 9, 0)
    assert hhmm(free_slots(rule, SUNDAY, now, []))[0] == "11:00"
    assert check_slot(rule, jlm(2026, 6, 7, 11, 0), now, []).ok
    assert check_slot(rule, jlm(2026, 6, 7, 10, 30), now, []).reason == "too_soon"


def test_min_notice_does_not_shift_the_grid() -> None:
    now = jlm(2026, 6, 7, 9, 7)
    assert hhmm(free_slots(rules(min_notice_minutes=120), SUNDAY, now, []))[0] == "11:30"


def test_window_ends_after_the_last_local_date_including_its_evening() -> None:
    rule = rules(weekly_hours=every_day(("22:00", "24:00")), window_days=2)
    now = jlm(2026, 6, 7, 23, 50)
    assert hhmm(free_slots(rule, date(2026, 6, 9), now, [])) == ["22:00", "22:30", "23:00", "23:30"]
    assert free_slots(rule, date(2026, 6, 10), now, []) == []
    assert check_slot(rule, jlm(2026, 6, 10, 22, 0), now, []).reason == "beyond_window"


def test_window_zero_means_today_only() -> None:
    rule = rules(window_days=0)
    now = jlm(2026, 6, 7, 8, 0)
    assert len(free_slots(rule, SUNDAY, now, [])) == 16
    assert free_slots(rule, date(2026, 6, 8), now, []) == []


def test_dates_before_today_have_no_slots() -> None:
    assert free_slots(rules(), SUNDAY, jlm(2026, 6, 8, 8, 0), []) == []


# Busy time, buffers, cap


def test_busy_interval_blocks_only_the_overlapping_slots() -> None:
    taken = [busy(jlm(2026, 6, 7, 10, 10), 10)]
    offered = hhmm(free_slots(rules(), SUNDAY, FAR_PAST, taken))
    assert "10:00" not in offered
    assert {"09:30", "10:30"} <= set(offered)


def test_back_to_back_appointments_are_fine_without_a_buffer() -> None:
    taken = [busy(jlm(2026, 6, 7, 10, 0), 30)]
    offered = hhmm(free_slots(rules(), SUNDAY, FAR_PAST, taken))
    assert "10:00" not in offered
    assert {"09:30", "10:30"} <= set(offered)


def test_buffer_follows_existing_and_new_appointments() -> None:
    rule = rules(buffer_minutes=15)
    taken = [busy(jlm(2026, 6, 7, 10, 0), 30)]
    offered = hhmm(free_slots(rule, SUNDAY, FAR_PAST, taken))
    assert "09:30" not in offered  # its own buffer would run into 10:00
    assert "10:30" not in offered  # inside the 10:00 appointment's buffer
    assert "09:00" in offered and "11:00" in offered
    assert check_slot(rule, jlm(2026, 6, 7, 10, 30), FAR_PAST, taken).reason == "taken"


def test_buffer_of_the_last_slot_may_run_past_closing() -> None:
    rule = rules(buffer_minutes=30)
    assert hhmm(free_slots(rule, SUNDAY, FAR_PAST, []))[-1] == "16:30"


def test_daily_cap_counts_appointments_starting_on_the_local_date() -> None:
    rule = rules(daily_cap=2)
    two = [busy(jlm(2026, 6, 7, 9, 0), 30), busy(jlm(2026, 6, 7, 15, 0), 30)]
    assert free_slots(rule, SUNDAY, FAR_PAST, two) == []
    assert check_slot(rule, jlm(2026, 6, 7, 12, 0), FAR_PAST, two).reason == "daily_cap"
    assert len(free_slots(rule, SUNDAY, FAR_PAST, two[:1])) == 15


# check_slot reasons


@pytest.mark.parametrize(
    ("start", "reason"),
    [
        (jlm(2026, 6, 7, 16, 0), None),
        (jlm(2026, 6, 7, 11, 30), "past"),
        (jlm(2026, 6, 13, 10, 0), "closed"),  # Saturday
        (jlm(2026, 6, 14, 8, 30), "outside_hours"),
        (jlm(2026, 6, 7, 13, 30), "outside_hours"),  # the split-shift gap
        (jlm(2026, 6, 7, 18, 45), "outside_hours"),  # the slot would end after 19:00
        (jlm(2026, 6, 7, 18, 30), None),  # ends exactly at 19:00
        (jlm(2026, 6, 7, 19, 0), "outside_hours"),
        (jlm(2026, 6, 7, 16, 10), "not_on_step"),
        (jlm(2026, 6, 7, 16, 0) + timedelta(seconds=1), "not_on_step"),
        (jlm(2026, 6, 7, 12, 30), "too_soon"),
        (jlm(2026, 6, 7, 16, 30), None),  # back to back with 17:00
        (jlm(2026, 6, 7, 17, 0), "taken"),
        (jlm(2026, 7, 20, 10, 0), "beyond_window"),
    ],
)
def test_check_slot_names_the_rule_broken(start: datetime, reason: Reason | None) -> None:
    rule = rules(
        weekly_hours={"sun": [["09:00", "13:00"], ["16:00", "19:00"]]},
        min_notice_minutes=60,
        window_days=30,
    )
    now = jlm(2026, 6, 7, 11, 45)
    verdict = check_slot(rule, start, now, [busy(jlm(2026, 6, 7, 17, 0), 30)])
    assert verdict.reason == reason
    assert verdict.ok is (reason is None)


def test_daily_cap_is_checked_before_taken() -> None:
    rule = rules(daily_cap=1)
    taken = [busy(jlm(2026, 6, 7, 10, 0), 30)]
    assert check_slot(rule, jlm(2026, 6, 7, 10, 0), FAR_PAST, taken).reason == "daily_cap"


# Arguments


def test_naive_datetimes_are_refused_naming_the_argument() -> None:
    naive = datetime(2026, 6, 7, 10, 0)
    with pytest.raises(ValueError, match="now must be a timezone-aware"):
        free_slots(rules(), SUNDAY, naive, [])
    with pytest.raises(ValueError, match="start_utc must be a timezone-aware"):
        check_slot(rules(), naive, FAR_PAST, [])
    with pytest.raises(ValueError, match=r"Interval\.start must be a timezone-aware"):
        Interval(naive, jlm(2026, 6, 7, 11, 0))


def test_intervals_are_stored_in_utc_and_must_not_be_empty() -> None:
    local = datetime.fromisoformat("2026-06-07T10:00:00+03:00")
    assert Interval(local, local + timedelta(minutes=5)).start == datetime(
        2026, 6, 7, 7, 0, tzinfo=UTC
    )
    with pytest.raises(ValueError, match="must be after"):
        Interval(local, local)


def test_aware_non_utc_inputs_give_the_same_answers() -> None:
    now_utc = jlm(2026, 6, 7, 9, 0)
    now_local = now_utc.astimezone(BookingRules().zone)
    assert free_slots(rules(), SUNDAY, now_local, []) == free_slots(rules(), SUNDAY, now_utc, [])


# Speakable helpers


def test_start_instant_builds_the_utc_start_from_date_and_wall_time() -> None:
    assert start_instant(rules(), SUNDAY, time(10, 0)) == jlm(2026, 6, 7, 10, 0)


def test_nearest_slots_picks_the_closest_wall_times_in_time_order() -> None:
    slots = free_slots(rules(), SUNDAY, FAR_PAST, [busy(jlm(2026, 6, 7, 12, 0), 30)])
    assert hhmm(nearest_slots(slots, time(12, 0))) == ["11:00", "11:30", "12:30"]
    assert hhmm(nearest_slots(slots, time(12, 10), limit=2)) == ["11:30", "12:30"]
    assert hhmm(nearest_slots(slots, time(6, 0))) == ["09:00", "09:30", "10:00"]
    assert hhmm(nearest_slots(slots, time(10, 0), limit=1)) == ["10:00"]
    assert nearest_slots(slots, time(10, 0), limit=0) == []
    assert nearest_slots([], time(10, 0)) == []
    with pytest.raises(ValueError, match="limit"):
        nearest_slots(slots, time(10, 0), limit=-1)


def test_next_open_dates_skips_closed_and_full_days() -> None:
    now = jlm(2026, 6, 11, 8, 0)  # Thursday morning
    rule = rules(daily_cap=1, window_days=30)
    assert next_open_dates(rule, date(2026, 6, 12), now, {}) == [
        FRIDAY,
        date(2026, 6, 14),
        date(2026, 6, 15),
    ]
    full_friday = {FRIDAY: [busy(jlm(2026, 6, 12, 9, 0), 30)]}
    assert next_open_dates(rule, date(2026, 6, 12), now, full_friday, limit=2) == [
        date(2026, 6, 14),
        date(2026, 6, 15),
    ]


def test_next_open_dates_starts_today_and_stops_at_the_window() -> None:
    now = jlm(2026, 6, 11, 8, 0)
    rule = rules(window_days=3)
    assert next_open_dates(rule, date(2026, 6, 1), now, {}, limit=10) == [
        date(2026, 6, 11),
        FRIDAY,
        date(2026, 6, 14),
    ]
    assert next_open_dates(rule, date(2026, 6, 1), now, {}, limit=0) == []
    with pytest.raises(ValueError, match="limit"):
        next_open_dates(rule, SUNDAY, now, {}, limit=-1)


def test_next_open_dates_sees_an_appointment_filed_under_another_date() -> None:
    rule = rules(weekly_hours=every_day(("00:00", "01:00")), slot_minutes=60)
    late = {SATURDAY: [busy(jlm(2026, 6, 14, 0, 0), 60)]}  # filed under the wrong key
    now = jlm(2026, 6, 13, 12, 0)
    assert next_open_dates(rule, date(2026, 6, 14), now, late, limit=1) == [date(2026, 6, 15)]
