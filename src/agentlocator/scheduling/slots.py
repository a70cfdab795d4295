"""Free slots and slot checks: one predicate, so what is offered is exactly what can be booked.

All instants in and out are aware datetimes in UTC, `now` is always an argument, and nothing here
reads the clock, the process time zone or a database. For a local date the engine:

1. takes that date's opening ranges (an override replaces the weekday's hours; touching ranges
   such as 09:00-12:00 + 12:00-17:00 are one range);
2. lays candidate starts on the *wall clock* every `step` minutes from each range's opening
   (45-minute steps from 09:30 give 09:30, 10:15, …), skips wall times the clock never shows
   (a spring-forward gap), and takes the first occurrence of a repeated wall time;
3. keeps a candidate when the whole slot, measured in elapsed time, ends by the range's close
   ("24:00" is the next local midnight), and the start is not in the past, not sooner than
   `min_notice_minutes` (exactly now + notice is allowed), on a local date no later than
   today + `window_days`, on a date with fewer than `daily_cap` appointments, and clear of every
   busy interval.

Busy intervals are the active appointments' own `[start, end)` (not `end + buffer`, or the buffer
counts twice; cancelled ones are left out, so they stop blocking at once). The engine widens each
by `buffer_minutes` and widens the new slot by the same buffer, which may run past closing time.
Every busy interval starting on a local date counts towards that date's `daily_cap`. A slot never
spans two ranges or two local dates; an overnight business splits its hours at midnight.

`check_slot` runs the same steps for one instant and names the first rule it breaks, so
`check_slot(...).ok` holds exactly for the starts `free_slots` offers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from agentlocator.scheduling.rules import BookingRules, TimeRange
from agentlocator.scheduling.wallclock import (
    as_utc,
    boundary_to_utc,
    local_date,
    local_to_utc,
    wall_to_utc,
)

Reason = Literal[
    "past",
    "beyond_window",
    "closed",
    "outside_hours",
    "not_on_step",
    "too_soon",
    "daily_cap",
    "taken",
]
"""Why a start is refused, in the order the rules are checked."""


@dataclass(frozen=True)
class Interval:
    """A busy half-open span `[start, end)`; both ends are stored in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        # Normalised here so every comparison below is between UTC instants.
        object.__setattr__(self, "start", as_utc(self.start, "Interval.start"))
        object.__setattr__(self, "end", as_utc(self.end, "Interval.end"))
        if self.end <= self.start:
            raise ValueError(f"Interval.end {self.end} must be after Interval.start {self.start}")


@dataclass(frozen=True)
class Slot:
    """A bookable appointment: UTC instants plus the local date and wall-clock time to speak."""

    start: datetime
    end: datetime
    local_date: date
    local_time: time


@dataclass(frozen=True)
class SlotVerdict:
    """The answer for one start: `ok`, or the first rule it breaks."""

    reason: Reason | None = None

    @property
    def ok(self) -> bool:
        """True when no rule refuses the start."""
        return self.reason is None


@dataclass(frozen=True)
class _Span:
    opens: datetime
    closes: datetime


@dataclass(frozen=True)
class _Day:
    """One local date: its merged wall-clock hours, those hours as instants, and its bookings."""

    day: date
    hours: tuple[TimeRange, ...]
    spans: tuple[_Span, ...]
    booked: int  # busy intervals starting on this date


@dataclass(frozen=True)
class _Ask:
    """One request's inputs, with the values every checked start shares computed once."""

    rules: BookingRules
    zone: ZoneInfo
    now: datetime
    busy: tuple[Interval, ...]
    earliest: datetime  # now + minimum notice
    last_date: date  # the last local date inside the booking window
    length: timedelta
    buffer: timedelta


def _ask(rules: BookingRules, now: datetime, busy: Iterable[Interval]) -> _Ask:
    zone = rules.zone
    now = as_utc(now, "now")
    return _Ask(
        rules=rules,
        zone=zone,
        now=now,
        busy=tuple(busy),
        earliest=now + timedelta(minutes=rules.min_notice_minutes),
        last_date=local_date(now, zone) + timedelta(days=rules.window_days),
        length=timedelta(minutes=rules.slot_minutes),
        buffer=timedelta(minutes=rules.buffer_minutes),
    )


def _merged(ranges: Iterable[TimeRange]) -> list[TimeRange]:
    merged: list[TimeRange] = []
    for current in sorted(ranges):
        if merged and merged[-1].end_min == current.start_min:
            merged[-1] = TimeRange(merged[-1].start_min, current.end_min)
        else:
            merged.append(current)
    return merged


def _resolve_day(ask: _Ask, day: date) -> _Day:
    hours = tuple(_merged(ask.rules.hours_on(day)))
    spans = tuple(
        _Span(
            boundary_to_utc(ask.zone, day, h.start_min),
            boundary_to_utc(ask.zone, day, h.end_min),
        )
        for h in hours
    )
    booked = sum(1 for interval in ask.busy if local_date(interval.start, ask.zone) == day)
    return _Day(day, hours, spans, booked)


def _candidates(ask: _Ask, resolved: _Day) -> Iterator[tuple[datetime, time]]:
    """On-step starts of the day with their wall-clock times, in time order."""
    for hours in resolved.hours:
        for minute in range(hours.start_min, hours.end_min, ask.rules.step):
            start = wall_to_utc(ask.zone, resolved.day, minute)
            if start is not None:
                yield start, time(minute // 60, minute % 60)


def _on_step(ask: _Ask, resolved: _Day, start: datetime) -> bool:
    """Whether `start` is one of `_candidates`, decided from its own wall-clock reading.

    `astimezone` sets `fold=1` exactly on the second pass through a repeated wall time, and the
    candidates are first passes, so a folded reading is never on the step.
    """
    local = start.astimezone(ask.zone)
    if local.fold or local.second or local.microsecond or local.date() != resolved.day:
        return False
    minute = local.hour * 60 + local.minute
    return any(
        h.start_min <= minute < h.end_min and (minute - h.start_min) % ask.rules.step == 0
        for h in resolved.hours
    )


def _overlaps_busy(ask: _Ask, start: datetime) -> bool:
    blocked_until = start + ask.length + ask.buffer
    return any(b.start < blocked_until and start < b.end + ask.buffer for b in ask.busy)


def _refusal(ask: _Ask, resolved: _Day, start: datetime) -> Reason | None:
    """The first rule `start` breaks on its own local date, or None when it is bookable."""
    if start < ask.now:
        return "past"
    if resolved.day > ask.last_date:
        return "beyond_window"
    if not resolved.spans:
        return "closed"
    end = start + ask.length
    if not any(span.opens <= start and end <= span.closes for span in resolved.spans):
        return "outside_hours"
    if not _on_step(ask, resolved, start):
        return "not_on_step"
    if start < ask.earliest:
        return "too_soon"
    if ask.rules.daily_cap is not None and resolved.booked >= ask.rules.daily_cap:
        return "daily_cap"
    if _overlaps_busy(ask, start):
        return "taken"
    return None


def _slots_on(ask: _Ask, day: date) -> list[Slot]:
    if day < local_date(ask.now, ask.zone) or day > ask.last_date:
        return []  # no start on these dates can pass; skip resolving them
    resolved = _resolve_day(ask, day)
    return [
        Slot(start, start + ask.length, day, wall)
        for start, wall in _candidates(ask, resolved)
        if _refusal(ask, resolved, start) is None
    ]


def free_slots(
    rules: BookingRules, local_day: date, now: datetime, busy: Sequence[Interval]
) -> list[Slot]:
    """Every bookable slot starting on the business-local date `local_day`, earliest first.

    `now` is an aware instant. `busy` must hold every appointment starting on `local_day` (for
    the cap) and every one reaching into its hours, buffer included; more does no harm. Each
    wall-clock start appears at most once.
    """
    return _slots_on(_ask(rules, now, busy), local_day)


def check_slot(
    rules: BookingRules, start_utc: datetime, now: datetime, busy: Sequence[Interval]
) -> SlotVerdict:
    """Whether an appointment may start at `start_utc`, with the same rules as `free_slots`.

    The start's business-local date decides which hours apply. The second occurrence of a
    repeated wall time (the hour clocks fall back) is refused as `not_on_step`: the first
    occurrence is the one offered.
    """
    ask = _ask(rules, now, busy)
    start = as_utc(start_utc, "start_utc")
    resolved = _resolve_day(ask, local_date(start, ask.zone))
    return SlotVerdict(_refusal(ask, resolved, start))


def start_instant(rules: BookingRules, local_day: date, local_time: time) -> datetime | None:
    """The UTC instant of a local date and wall-clock time, or None if the clock skips it.

    For turning a caller's "date + HH:MM" into a start for `check_slot`: a plain
    `datetime(…, tzinfo=zone)` silently moves a skipped 02:30 to 03:30, so a gap time must be
    refused here instead. A repeated wall time gives its first occurrence, the one offered.
    """
    wall = datetime.combine(local_day, local_time.replace(tzinfo=None, fold=0))
    return local_to_utc(rules.zone, wall)


def nearest_slots(slots: Sequence[Slot], around_local_time: time, limit: int = 3) -> list[Slot]:
    """Up to `limit` slots closest on the wall clock to `around_local_time`, earliest first.

    For a speakable answer ("10:00 is free, or 10:30"): ties go to the earlier slot.
    """
    if limit < 0:
        raise ValueError(f"limit must be >= 0, not {limit}")
    wanted = around_local_time.hour * 60 + around_local_time.minute

    def distance(slot: Slot) -> tuple[int, datetime]:
        minute = slot.local_time.hour * 60 + slot.local_time.minute
        return abs(minute - wanted), slot.start

    return sorted(sorted(slots, key=distance)[:limit], key=lambda slot: slot.start)


def next_open_dates(
    rules: BookingRules,
    from_date: date,
    now: datetime,
    busy_by_date: Mapping[date, Sequence[Interval]],
    limit: int = 3,
) -> list[date]:
    """Up to `limit` local dates from `from_date` on (inside the window) with a free slot.

    Every interval in `busy_by_date` is considered for every date (the keys only group them),
    so a buffer or an appointment running past midnight still blocks the next morning.
    """
    if limit < 0:
        raise ValueError(f"limit must be >= 0, not {limit}")
    ask = _ask(rules, now, (i for intervals in busy_by_date.values() for i in intervals))
    day = max(from_date, local_date(ask.now, ask.zone))
    found: list[date] = []
    while len(found) < limit and day <= ask.last_date:
        if _slots_on(ask, day):
            found.append(day)
        day += timedelta(days=1)
    return found
