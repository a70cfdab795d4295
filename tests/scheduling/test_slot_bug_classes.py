"""One test per bug class of the scheduling reference (section d) that pure slot logic owns.

Classes 1 (concurrent double booking), 2 (duplicates from retries) and 3 (side paths bypassing
the guard) live in the database layer: the exclusion constraint and the idempotency table.
Class 10 is covered here only for what the engine decides (a cancelled or moved appointment
stops blocking once the booking layer leaves it out of `busy`); atomicity is the database's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from slot_testkit import FAR_PAST, JERUSALEM, NEW_YORK, at, busy, every_day, hhmm, jlm, rules

from agentlocator.scheduling import check_slot, free_slots, start_instant

SUNDAY = date(2026, 6, 7)


def test_bug_class_4_offered_is_bookable_and_refusals_say_why() -> None:
    rule = rules(
        weekly_hours={"sun": [["08:30", "12:00"], ["12:00", "13:10"], ["16:00", "24:00"]]},
        slot_minutes=45,
        step_minutes=15,
        min_notice_minutes=90,
        buffer_minutes=10,
        daily_cap=5,
        window_days=10,
    )
    now = jlm(2026, 6, 7, 9, 2)
    taken = [busy(jlm(2026, 6, 7, 11, 0), 45), busy(jlm(2026, 6, 7, 18, 20), 30)]
    offered = {s.start for s in free_slots(rule, SUNDAY, now, taken)}
    assert offered
    probe = jlm(2026, 6, 7, 0, 0)
    while probe < jlm(2026, 6, 8, 0, 0):
        verdict = check_slot(rule, probe, now, taken)
        assert verdict.ok == (probe in offered), (probe, verdict)
        probe += timedelta(minutes=5)
    # Minimum notice is checked again when booking: what was offered earlier may be too soon now.
    first = min(offered)
    assert check_slot(rule, first, first - timedelta(minutes=30), taken).reason == "too_soon"


def test_bug_class_5_dst_shifts_keep_nine_oclock_local() -> None:
    for zone, before, change in [
        (JERUSALEM, date(2026, 3, 26), date(2026, 3, 27)),
        (JERUSALEM, date(2026, 10, 24), date(2026, 10, 25)),
        (NEW_YORK, date(2026, 3, 7), date(2026, 3, 8)),
        (NEW_YORK, date(2026, 10, 31), date(2026, 11, 1)),
    ]:
        rule = rules(timezone=zone, weekly_hours=every_day(("09:00", "17:00")))
        for day in (before, change, change + timedelta(days=7)):
            slots = free_slots(rule, day, FAR_PAST, [])
            assert hhmm(slots)[0] == "09:00"
            assert slots[0].start == at(zone, day.year, day.month, day.day, 9, 0)
            assert check_slot(rule, slots[0].start, FAR_PAST, []).ok
        offsets = {free_slots(rule, d, FAR_PAST, [])[0].start.hour for d in (before, change)}
        assert len(offsets) == 2  # the UTC hour moves so that the local hour does not


def test_bug_class_6_local_day_not_utc_day(process_tz: str) -> None:
    # Overrides are local dates: closing 2026-04-02 closes its early hours, which are still
    # 04-01 in UTC, and leaves 04-03's early hours, which are 04-02 in UTC, open.
    rule = rules(weekly_hours=every_day(("00:00", "24:00")), overrides={"2026-04-02": []})
    assert check_slot(rule, jlm(2026, 4, 2, 0, 30), FAR_PAST, []).reason == "closed"
    assert jlm(2026, 4, 2, 0, 30).date() == date(2026, 4, 1)
    assert check_slot(rule, jlm(2026, 4, 1, 23, 30), FAR_PAST, []).ok
    assert check_slot(rule, jlm(2026, 4, 3, 0, 0), FAR_PAST, []).ok
    assert jlm(2026, 4, 3, 0, 0).date() == date(2026, 4, 2)
    # Weekdays are local too, 0 = Sunday: a UTC+14 business open on Sunday mornings only is
    # open while it is still Saturday in UTC.
    kiritimati = rules(timezone="Pacific/Kiritimati", weekly_hours={0: [["09:00", "10:00"]]})
    slots = free_slots(kiritimati, SUNDAY, FAR_PAST, [])
    assert hhmm(slots) == ["09:00", "09:30"]
    assert slots[0].start == datetime(2026, 6, 6, 19, 0, tzinfo=UTC)  # a Saturday in UTC
    assert free_slots(kiritimati, date(2026, 6, 6), FAR_PAST, []) == []


def test_bug_class_7_cap_and_window_count_business_local_days() -> None:
    rule = rules(weekly_hours=every_day(("00:00", "24:00")), daily_cap=1, window_days=1)
    now = jlm(2026, 6, 7, 1, 0)  # still Saturday 22:00 in UTC
    late_saturday = [busy(jlm(2026, 6, 6, 23, 0), 30)]  # Saturday 20:00 UTC
    early_monday = [busy(jlm(2026, 6, 8, 0, 30), 30)]  # Sunday 21:30 UTC
    assert free_slots(rule, SUNDAY, now, late_saturday)  # not Sunday's booking
    assert free_slots(rule, SUNDAY, now, early_monday)  # Monday's, though UTC says Sunday
    assert free_slots(rule, date(2026, 6, 8), now, early_monday) == []
    # The window's last local date is bookable until its own midnight.
    monday = free_slots(rule, date(2026, 6, 8), now, [])
    assert hhmm(monday)[-1] == "23:30"
    assert check_slot(rule, jlm(2026, 6, 9, 0, 0), now, []).reason == "beyond_window"


def test_bug_class_8_step_alignment_buffer_and_last_slot() -> None:
    rule = rules(weekly_hours={"sun": [["09:30", "13:00"]]}, slot_minutes=45)
    assert hhmm(free_slots(rule, SUNDAY, FAR_PAST, [])) == ["09:30", "10:15", "11:00", "11:45"]
    assert check_slot(rule, jlm(2026, 6, 7, 10, 0), FAR_PAST, []).reason == "not_on_step"
    # The last slot ends by closing; 12:30 would end at 13:15.
    assert check_slot(rule, jlm(2026, 6, 7, 12, 30), FAR_PAST, []).reason == "outside_hours"
    # A buffer after an appointment blocks the next start, but does not shift the grid.
    buffered = rules(weekly_hours={"sun": [["09:30", "13:00"]]}, slot_minutes=45, buffer_minutes=15)
    taken = [busy(jlm(2026, 6, 7, 9, 30), 45)]
    assert hhmm(free_slots(buffered, SUNDAY, FAR_PAST, taken)) == ["11:00", "11:45"]


def test_bug_class_9_day_edges_midnight_and_now() -> None:
    late = rules(weekly_hours={"sun": [["23:00", "24:00"]]}, slot_minutes=60)
    slot = free_slots(late, SUNDAY, FAR_PAST, [])
    assert [(s.start, s.end) for s in slot] == [(jlm(2026, 6, 7, 23, 0), jlm(2026, 6, 8, 0, 0))]
    # A slot starting exactly now is not "in the past" when notice is 0.
    now = jlm(2026, 6, 7, 11, 0)
    assert check_slot(rules(), now, now, []).ok
    # With the clock frozen mid-day, nothing before `now` is offered, whatever the real time.
    frozen = jlm(2026, 6, 7, 13, 17)
    assert all(s.start >= frozen for s in free_slots(rules(), SUNDAY, frozen, []))
    assert hhmm(free_slots(rules(), SUNDAY, frozen, []))[0] == "13:30"
    far_future = jlm(2031, 6, 8, 8, 0)  # a Sunday years from the real clock
    assert len(free_slots(rules(window_days=0), date(2031, 6, 8), far_future, [])) == 16


def test_bug_class_10_cancelled_and_moved_appointments_stop_blocking() -> None:
    appointment = busy(jlm(2026, 6, 7, 10, 0), 60)
    rule = rules(slot_minutes=60, step_minutes=30)
    assert check_slot(rule, jlm(2026, 6, 7, 10, 0), FAR_PAST, [appointment]).reason == "taken"
    # Cancelled: once the booking layer stops passing it as busy, the slot is free at once.
    assert check_slot(rule, jlm(2026, 6, 7, 10, 0), FAR_PAST, []).ok
    # Moved by 30 minutes onto part of its own time: checked without itself, it fits.
    assert check_slot(rule, jlm(2026, 6, 7, 10, 30), FAR_PAST, [appointment]).reason == "taken"
    assert check_slot(rule, jlm(2026, 6, 7, 10, 30), FAR_PAST, []).ok


def test_gap_time_is_refused() -> None:
    rule = rules(weekly_hours=every_day(("00:00", "24:00")))
    assert start_instant(rule, date(2026, 3, 27), time(2, 30)) is None
    # The trap it avoids: zoneinfo moves the missing 02:30 to 03:30, which *is* on the grid.
    silently_moved = datetime(2026, 3, 27, 2, 30, tzinfo=rule.zone).astimezone(UTC)
    assert silently_moved == jlm(2026, 3, 27, 3, 30)
