"""Local wall-clock times ↔ UTC instants, with daylight-saving gaps and folds made explicit.

`zoneinfo` accepts a non-existent local time (02:30 on the night clocks jump 02:00 → 03:00)
silently and resolves a repeated one (01:30 on the night clocks fall back) by `fold`; arithmetic
and comparisons between datetimes sharing one tzinfo ignore `fold` altogether. So every
conversion here goes through UTC and is checked by a round trip, and all durations are measured
between UTC instants, never on the wall clock: a local day lasts 23, 24 or 25 hours.

Repeated (ambiguous) wall times always resolve to their *first* occurrence (`fold=0`): that is the
reading of "01:30" a caller means before the clock falls back, and what `datetime(…, tzinfo=zone)`
gives by default, so a booking layer that builds "date + HH:MM" lands on the same instant.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

_MAX_GAP_MINUTES = 24 * 60
"""Longest skipped stretch searched past (real gaps are at most a day: Samoa skipped 2011-12-30)."""


def as_utc(moment: datetime, name: str) -> datetime:
    """`moment` converted to UTC; raises ValueError naming the argument if it is naive."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {moment!r}")
    return moment.astimezone(UTC)


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    """The local calendar date of an aware instant in `zone`."""
    return moment.astimezone(zone).date()


def _wall(day: date, minute: int) -> datetime:
    """Naive wall clock `minute` minutes after local midnight of `day` (1440 = next midnight)."""
    return datetime.combine(day, datetime.min.time()) + timedelta(minutes=minute)


def local_to_utc(zone: ZoneInfo, wall: datetime) -> datetime | None:
    """The first instant the clock in `zone` reads the naive `wall`, or None if it never does."""
    utc = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != wall:
        return None  # the clock skipped this wall time (a spring-forward gap)
    return utc


def wall_to_utc(zone: ZoneInfo, day: date, minute: int) -> datetime | None:
    """The instant the clock in `zone` first reads `minute` on `day`, or None if it never does.

    `minute` counts wall-clock minutes from local midnight (1440 is midnight ending the day).
    """
    return local_to_utc(zone, _wall(day, minute))


def boundary_to_utc(zone: ZoneInfo, day: date, minute: int) -> datetime:
    """The first instant at which the clock in `zone` reads `minute` on `day` *or later*.

    For opening and closing times: a boundary inside a spring-forward gap moves to the instant
    the gap ends (opening at 02:30 on a night without 02:30 opens when the clock jumps to 03:00),
    so an opening range never grows or turns inside out.
    """
    wall = _wall(day, minute)
    for extra in range(_MAX_GAP_MINUTES + 1):
        utc = local_to_utc(zone, wall + timedelta(minutes=extra))
        if utc is not None:
            return utc
    raise ValueError(f"no local time at or after {wall.isoformat()} within a day in {zone.key}")
