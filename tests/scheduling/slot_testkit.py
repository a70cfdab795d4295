"""Helpers for the scheduling tests: instants from local wall clocks, rule builders, and an oracle.

The oracle recomputes free slots by brute force, reading the local clock every five UTC minutes
around the day; it shares no code with the engine, so the property tests compare two independent
answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from agentlocator.scheduling import BookingRules, Interval, Slot, TimeRange, weekday_number

JERUSALEM = "Asia/Jerusalem"
NEW_YORK = "America/New_York"
WEEK = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def at(zone: str, y: int, mo: int, d: int, h: int = 0, mi: int = 0, *, fold: int = 0) -> datetime:
    """The UTC instant of a local wall-clock time in `zone`."""
    return datetime(y, mo, d, h, mi, tzinfo=ZoneInfo(zone), fold=fold).astimezone(UTC)


def jlm(y: int, mo: int, d: int, h: int = 0, mi: int = 0, *, fold: int = 0) -> datetime:
    """The UTC instant of a Jerusalem wall-clock time."""
    return at(JERUSALEM, y, mo, d, h, mi, fold=fold)


def rules(**fields: Any) -> BookingRules:
    """Rules with test-friendly defaults (no notice, long window) plus `fields`."""
    base: dict[str, Any] = {"min_notice_minutes": 0, "window_days": 3650}
    base.update(fields)
    return BookingRules.model_validate(base)


def every_day(*ranges: tuple[str, str]) -> dict[str, list[list[str]]]:
    """The same hours on all seven weekdays."""
    return {day: [list(r) for r in ranges] for day in WEEK}


def hhmm(slots: Sequence[Slot]) -> list[str]:
    """The slots' local start times as 'HH:MM'."""
    return [slot.local_time.strftime("%H:%M") for slot in slots]


def busy(start: datetime, minutes: int) -> Interval:
    return Interval(start, start + timedelta(minutes=minutes))


FAR_PAST = datetime(2020, 1, 1, tzinfo=UTC)
"""A `now` before every date used, so notice and "past" never interfere."""


# The oracle


def _merged(ranges: Sequence[TimeRange]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for r in sorted(ranges, key=lambda r: r.start_min):
        if out and out[-1][1] == r.start_min:
            out[-1] = (out[-1][0], r.end_min)
        else:
            out.append((r.start_min, r.end_min))
    return out


def _hours_on(rule: BookingRules, day: date) -> Sequence[TimeRange]:
    overrides = dict(rule.overrides)
    return overrides[day] if day in overrides else rule.weekly_hours[weekday_number(day)]


def oracle_free_starts(
    rule: BookingRules, day: date, now: datetime, busy_time: Sequence[Interval]
) -> list[datetime]:
    """Free slot starts on `day`, found by reading the local clock every five UTC minutes."""
    zone = ZoneInfo(rule.timezone)
    first = datetime.combine(day, time(), tzinfo=UTC) - timedelta(hours=16)
    readings: list[tuple[datetime, tuple[date, int]]] = []
    first_exact: dict[tuple[date, int], datetime] = {}
    # Five-minute readings suffice: every wall time used is on a 5-minute grid, and every zone
    # sampled has offsets (and so clock changes) on whole 5-minute marks.
    for i in range(12 * (24 + 32)):
        instant = first + timedelta(minutes=5 * i)
        local = instant.astimezone(zone)
        reading = (local.date(), local.hour * 60 + local.minute)
        readings.append((instant, reading))
        first_exact.setdefault(reading, instant)

    def first_at_or_after(key: tuple[date, int]) -> datetime:
        return next(instant for instant, reading in readings if reading >= key)

    def key(minute: int) -> tuple[date, int]:
        return (day + timedelta(days=1), 0) if minute == 1440 else (day, minute)

    today = now.astimezone(zone).date()
    last_day = today + timedelta(days=rule.window_days)
    length = timedelta(minutes=rule.slot_minutes)
    buffer = timedelta(minutes=rule.buffer_minutes)
    booked = sum(1 for b in busy_time if b.start.astimezone(zone).date() == day)
    if day > last_day or (rule.daily_cap is not None and booked >= rule.daily_cap):
        return []
    step = rule.step_minutes or rule.slot_minutes
    starts: list[datetime] = []
    for opens_min, closes_min in _merged(_hours_on(rule, day)):
        opens = first_at_or_after(key(opens_min))
        closes = first_at_or_after(key(closes_min))
        for minute in range(opens_min, closes_min, step):
            start = first_exact.get(key(minute))
            if start is None or not (opens <= start and start + length <= closes):
                continue
            if start < now + timedelta(minutes=rule.min_notice_minutes):
                continue
            if any(b.start < start + length + buffer and start < b.end + buffer for b in busy_time):
                continue
            starts.append(start)
    return starts
