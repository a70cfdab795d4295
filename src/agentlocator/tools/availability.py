"""Speakable answers about free times, computed from the business's rules (pure functions)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from agentlocator.prompt.instructions import hebrew_weekday
from agentlocator.scheduling.rules import BookingRules
from agentlocator.scheduling.slots import Interval, Slot, free_slots, nearest_slots, next_open_dates
from agentlocator.scheduling.wallclock import local_date

MAX_SLOTS_OFFERED = 3


def spoken_time(slot: Slot) -> str:
    return f"{slot.local_time:%H:%M}"


def spread(slots: Sequence[Slot], limit: int) -> list[Slot]:
    """Up to `limit` slots spread over the day (first, middle, last), in time order."""
    if len(slots) <= limit:
        return list(slots)
    step = (len(slots) - 1) / (limit - 1)
    return [slots[round(i * step)] for i in range(limit)]


def day_status(rules: BookingRules, day: date, now: datetime) -> str | None:
    """`past`, `beyond_window` or `closed` when nothing can be booked that day for that reason."""
    today = local_date(now, rules.zone)
    if day < today:
        return "past"
    if (day - today).days > rules.window_days:
        return "beyond_window"
    if not rules.hours_on(day):
        return "closed"
    return None


def open_dates(
    rules: BookingRules, from_day: date, now: datetime, busy: Sequence[Interval]
) -> list[str]:
    found = next_open_dates(rules, from_day, now, {from_day: busy}, limit=MAX_SLOTS_OFFERED)
    return [day.isoformat() for day in found]


def availability(
    rules: BookingRules, day: date, wanted: time | None, now: datetime, busy: Sequence[Interval]
) -> dict[str, Any]:
    """The `check_availability` result for one date (and optionally a wanted time)."""
    status = day_status(rules, day, now)
    if status is not None:
        today = local_date(now, rules.zone)
        start_from = today if status in ("past", "beyond_window") else day
        return {
            "status": status,
            "date": day.isoformat(),
            "next_open_dates": open_dates(rules, start_from, now, busy),
        }
    slots = free_slots(rules, day, now, busy)
    answer: dict[str, Any] = {"date": day.isoformat(), "weekday": hebrew_weekday(day)}
    if wanted is None:
        answer["slots"] = [spoken_time(s) for s in spread(slots, MAX_SLOTS_OFFERED)]
    else:
        answer["requested_time_free"] = any(s.local_time == wanted for s in slots)
        answer["slots"] = [spoken_time(s) for s in nearest_slots(slots, wanted, MAX_SLOTS_OFFERED)]
    if not slots:
        answer["next_open_dates"] = open_dates(rules, day, now, busy)
    return answer


def alternatives(
    rules: BookingRules, day: date, wanted: time, now: datetime, busy: Sequence[Interval]
) -> list[str]:
    """Nearest free times on the same day, else the first times of the next open date."""
    slots = free_slots(rules, day, now, busy) if day_status(rules, day, now) is None else []
    if slots:
        return [spoken_time(s) for s in nearest_slots(slots, wanted, MAX_SLOTS_OFFERED)]
    for other in next_open_dates(rules, day, now, {day: busy}, limit=1):
        return [
            f"{other.isoformat()} {spoken_time(s)}"
            for s in spread(free_slots(rules, other, now, busy), MAX_SLOTS_OFFERED)
        ]
    return []
