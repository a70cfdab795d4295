"""A business's booking rules: opening hours, date overrides and slot settings, validated once.

Hours are *local wall-clock* minutes from midnight (0-1440) in the business's IANA zone, never
instants: "09:00" must stay 09:00 across daylight-saving changes, and a closure is a local date,
not a UTC day. Weekdays are numbered 0 = Sunday … 6 = Saturday (the Israeli week, PostgreSQL
`DOW`, Cal.com `days[]`); `weekday_number` is the one place that converts from Python's numbering.

The JSON form accepted (and produced by `model_dump`) is::

    {"timezone": "Asia/Jerusalem",
     "weekly_hours": {"sun": [["09:00", "13:00"], ["14:00", "17:00"]], ..., "sat": []},
     "overrides": {"2026-04-02": [], "2026-04-01": [["09:00", "13:00"]]},
     "slot_minutes": 30, "min_notice_minutes": 60, "window_days": 30}

Errors name the field and the offending entry, e.g. `weekly_hours.mon[0]: '25:00' is not a time`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator

MINUTES_PER_DAY = 1440
"""Wall-clock minutes in a local day; an end of 1440 ("24:00") means the end of that day."""

WEEKDAY_KEYS: tuple[str, ...] = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
"""JSON keys for weekdays; the index is the stored weekday number (0 = Sunday)."""

DEFAULT_TIMEZONE = "Asia/Jerusalem"

_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")


def weekday_number(day: date) -> int:
    """The weekday of `day` with 0 = Sunday … 6 = Saturday (Python's `weekday()` has 6 = Sunday)."""
    return (day.weekday() + 1) % 7


def format_minutes(minute: int) -> str:
    """`HH:MM` for a wall-clock minute of the day; 1440 is written "24:00"."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(frozen=True, order=True)
class TimeRange:
    """A half-open local wall-clock range `[start_min, end_min)` within one local date."""

    start_min: int
    end_min: int

    def __post_init__(self) -> None:
        if not 0 <= self.start_min < MINUTES_PER_DAY:
            raise ValueError(f"start_min must be within 0..1439, not {self.start_min}")
        if not 0 < self.end_min <= MINUTES_PER_DAY:
            raise ValueError(f"end_min must be within 1..1440, not {self.end_min}")
        if self.end_min <= self.start_min:
            raise ValueError(f"{self} ends before it starts")

    def __str__(self) -> str:
        return f"{format_minutes(self.start_min)}-{format_minutes(self.end_min)}"

    def as_json(self) -> list[str]:
        """The `["HH:MM", "HH:MM"]` form."""
        return [format_minutes(self.start_min), format_minutes(self.end_min)]


DEFAULT_WEEKLY_HOURS: tuple[tuple[TimeRange, ...], ...] = (
    *((TimeRange(9 * 60, 17 * 60),) for _ in range(5)),  # Sunday-Thursday
    (TimeRange(9 * 60, 13 * 60),),  # the short Friday
    (),  # Saturday
)
"""Sunday-Thursday 09:00-17:00, Friday 09:00-13:00, Saturday closed (the seed week)."""


def _parse_clock(raw: object, where: str, *, is_end: bool) -> int:
    """Minutes from midnight for "HH:MM" (or a `time`); "24:00" only as an end."""
    if isinstance(raw, time) and not (raw.second or raw.microsecond or raw.tzinfo):
        return raw.hour * 60 + raw.minute
    match = _HHMM.match(raw) if isinstance(raw, str) else None
    if match is None:
        raise ValueError(f"{where}: {raw!r} is not a time (use 'HH:MM', e.g. '09:30')")
    hour, minute = int(match[1]), int(match[2])
    if minute > 59 or hour > 24 or (hour == 24 and minute != 0):
        raise ValueError(f"{where}: {raw!r} is not a time of day (00:00 to 24:00)")
    if hour == 24 and not is_end:
        raise ValueError(f"{where}: '24:00' can only end an interval, not start one")
    return hour * 60 + minute


def _parse_range(raw: object, where: str) -> TimeRange:
    if isinstance(raw, TimeRange):
        return raw
    if isinstance(raw, str) or not isinstance(raw, Sequence) or len(raw) != 2:
        raise ValueError(f"{where}: expected a pair like ['09:00', '17:00'], got {raw!r}")
    start = _parse_clock(raw[0], where, is_end=False)
    end = _parse_clock(raw[1], where, is_end=True)
    if end <= start:
        raise ValueError(
            f"{where}: {format_minutes(start)}-{format_minutes(end)} ends before it starts"
        )
    return TimeRange(start, end)


def _parse_ranges(raw: object, where: str) -> tuple[TimeRange, ...]:
    """Sorted, non-overlapping ranges; touching ranges (12:00-12:00) are allowed."""
    if isinstance(raw, str | bytes) or not isinstance(raw, Iterable):
        raise ValueError(f"{where}: expected a list of ['HH:MM', 'HH:MM'] pairs, got {raw!r}")
    ranges = sorted(_parse_range(item, f"{where}[{i}]") for i, item in enumerate(raw))
    for earlier, later in itertools.pairwise(ranges):
        if later.start_min < earlier.end_min:
            raise ValueError(f"{where}: {earlier} overlaps {later}")
    return tuple(ranges)


def _weekday_index(key: object) -> int:
    if isinstance(key, str) and key in WEEKDAY_KEYS:
        return WEEKDAY_KEYS.index(key)
    if isinstance(key, int) and not isinstance(key, bool) and 0 <= key <= 6:
        return key
    raise ValueError(
        f"weekly_hours: unknown weekday {key!r} (use {', '.join(WEEKDAY_KEYS)}, "
        "or 0-6 with 0 = Sunday)"
    )


def _parse_date(raw: object) -> date:
    if isinstance(raw, date) and not isinstance(raw, datetime):  # an instant is no local date
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise ValueError(f"overrides: {raw!r} is not a local date (use 'YYYY-MM-DD')")


def _weekly_items(raw: object) -> Iterable[tuple[object, object]]:
    """Weekday → ranges pairs from a mapping, or from the stored 7-tuple (index = weekday)."""
    if isinstance(raw, Mapping):
        return raw.items()
    if isinstance(raw, Sequence) and not isinstance(raw, str | bytes) and len(raw) == 7:
        return enumerate(raw)
    raise ValueError(f"weekly_hours: expected a mapping like {{'sun': [...]}}, got {raw!r}")


def _override_items(raw: object) -> Iterable[tuple[object, object]]:
    """Date → ranges pairs from a mapping, or from the stored sequence of pairs."""
    if isinstance(raw, Mapping):
        return raw.items()
    if isinstance(raw, Sequence) and not isinstance(raw, str | bytes):
        pairs: list[tuple[object, object]] = []
        for item in raw:
            if not isinstance(item, Sequence) or isinstance(item, str | bytes) or len(item) != 2:
                break
            pairs.append((item[0], item[1]))
        else:
            return pairs
    raise ValueError(f"overrides: expected a mapping like {{'2026-04-02': []}}, got {raw!r}")


class BookingRules(BaseModel):
    """Everything the slot engine needs to know about one business; immutable and hashable.

    `weekly_hours[n]` holds weekday n's ranges (0 = Sunday; an empty tuple = closed).
    `overrides` holds `(local date, ranges)` pairs sorted by date; an override replaces that
    date's weekly hours entirely, and no ranges means closed all day.

    Derive changed rules with `with_override` or `model_validate`: pydantic's
    `model_copy(update=...)` skips validation.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str = DEFAULT_TIMEZONE
    weekly_hours: tuple[tuple[TimeRange, ...], ...] = DEFAULT_WEEKLY_HOURS
    overrides: tuple[tuple[date, tuple[TimeRange, ...]], ...] = ()
    slot_minutes: Literal[30, 45, 60] = 30
    step_minutes: int | None = Field(default=None, ge=5, le=MINUTES_PER_DAY)
    """Distance between candidate starts; None means one slot length."""
    min_notice_minutes: int = Field(default=60, ge=0, le=60 * 24 * 365)
    window_days: int = Field(default=30, ge=0, le=3660)
    """Bookable local dates run from today through today + window_days (its evening included)."""
    buffer_minutes: int = Field(default=0, ge=0, le=MINUTES_PER_DAY)
    """Kept free after every appointment, existing or new."""
    daily_cap: int | None = Field(default=None, ge=1)
    """Most appointments starting on one local date; None means no cap."""

    @field_validator("timezone")
    @classmethod
    def _timezone_is_iana(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"timezone: unknown IANA time zone {value!r}") from exc
        return value

    @field_validator("weekly_hours", mode="before")
    @classmethod
    def _parse_weekly_hours(cls, raw: object) -> tuple[tuple[TimeRange, ...], ...]:
        days: list[tuple[TimeRange, ...] | None] = [None] * 7
        for key, ranges in _weekly_items(raw):
            index = _weekday_index(key)
            if days[index] is not None:
                raise ValueError(f"weekly_hours: {WEEKDAY_KEYS[index]} is given twice")
            days[index] = _parse_ranges(ranges, f"weekly_hours.{WEEKDAY_KEYS[index]}")
        return tuple(day or () for day in days)

    @field_validator("overrides", mode="before")
    @classmethod
    def _parse_overrides(cls, raw: object) -> tuple[tuple[date, tuple[TimeRange, ...]], ...]:
        parsed: dict[date, tuple[TimeRange, ...]] = {}
        for key, ranges in _override_items(raw):
            day = _parse_date(key)
            if day in parsed:
                raise ValueError(f"overrides: {day.isoformat()} is given twice")
            parsed[day] = _parse_ranges(ranges, f"overrides.{day.isoformat()}")
        return tuple(sorted(parsed.items()))

    @field_serializer("weekly_hours")
    def _weekly_hours_json(self, value: tuple[tuple[TimeRange, ...], ...]) -> dict[str, Any]:
        return {key: [r.as_json() for r in value[i]] for i, key in enumerate(WEEKDAY_KEYS)}

    @field_serializer("overrides")
    def _overrides_json(
        self, value: tuple[tuple[date, tuple[TimeRange, ...]], ...]
    ) -> dict[str, Any]:
        return {day.isoformat(): [r.as_json() for r in ranges] for day, ranges in value}

    @property
    def zone(self) -> ZoneInfo:
        """The business's zone (`ZoneInfo` caches instances, so this is cheap)."""
        return ZoneInfo(self.timezone)

    @property
    def step(self) -> int:
        """Minutes between candidate starts."""
        return self.step_minutes or self.slot_minutes

    def override_on(self, day: date) -> tuple[TimeRange, ...] | None:
        """The override ranges for a local date, or None when the weekly hours apply."""
        for override_day, ranges in self.overrides:
            if override_day == day:
                return ranges
        return None

    def hours_on(self, day: date) -> tuple[TimeRange, ...]:
        """Opening ranges of a local date: its override if any, else its weekday's hours."""
        override = self.override_on(day)
        return self.weekly_hours[weekday_number(day)] if override is None else override

    def with_override(self, day: date, ranges: Iterable[TimeRange]) -> BookingRules:
        """New rules with `day`'s override set to `ranges` (empty = closed), re-validated."""
        overrides = {d: r for d, r in self.overrides if d != day}
        overrides[day] = tuple(ranges)
        fields = dict(self)
        fields["overrides"] = overrides
        return BookingRules.model_validate(fields)
