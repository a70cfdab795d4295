"""Israeli holidays as *suggestions* for date overrides; nothing is closed until the owner accepts.

Public holidays (יום טוב, Independence Day) are suggested closed. Their eves (ערב חג), which the
`holidays` package does not list, are suggested as short days, as are the optional days
(Hol HaMoed, Memorial Day, Purim, …) when asked for. Accepting a suggestion writes an override
for that local date and nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import holidays

from agentlocator.scheduling.rules import BookingRules, TimeRange

Suggested = Literal["closed", "short_day"]

DEFAULT_SHORT_DAY_CLOSE = dt.time(13, 0)
"""Where a short day ends unless the owner picks another time (the usual Friday close)."""


@dataclass(frozen=True)
class HolidaySuggestion:
    """One local date the owner may want to close or shorten."""

    date: dt.date
    name_he: str
    name_en: str
    suggested: Suggested


def _israel(years: list[int], language: str, category: str) -> dict[dt.date, str]:
    found = holidays.country_holidays("IL", years=years, language=language, categories=(category,))
    return dict(found.items())


def holiday_suggestions(
    years: Iterable[int], *, include_optional: bool = False, include_eves: bool = True
) -> list[HolidaySuggestion]:
    """Suggestions for the given years, one per date, sorted by date.

    Public holidays are `closed`; eves of public holidays and, if `include_optional`, the optional
    days are `short_day`. When two apply to one date the holiday itself wins over an eve.
    """
    wanted = sorted(set(years))
    public_he = _israel(wanted, "he", "public")
    public_en = _israel(wanted, "en_US", "public")
    found: dict[dt.date, HolidaySuggestion] = {
        day: HolidaySuggestion(day, name, public_en[day], "closed")
        for day, name in public_he.items()
    }
    if include_optional:
        optional_en = _israel(wanted, "en_US", "optional")
        for day, name in _israel(wanted, "he", "optional").items():
            found.setdefault(day, HolidaySuggestion(day, name, optional_en[day], "short_day"))
    if include_eves:
        for day, name in public_he.items():
            eve = day - dt.timedelta(days=1)
            if eve.year in wanted:
                suggestion = HolidaySuggestion(
                    eve, f"ערב {name}", f"Eve of {public_en[day]}", "short_day"
                )
                found.setdefault(eve, suggestion)
    return sorted(found.values(), key=lambda suggestion: suggestion.date)


def accept(
    rules: BookingRules,
    suggestion: HolidaySuggestion,
    *,
    short_day_close: dt.time = DEFAULT_SHORT_DAY_CLOSE,
) -> BookingRules:
    """New rules with the suggestion's date overridden; `rules` itself is unchanged.

    `closed` closes the date. `short_day` keeps the date's current hours but ends them at
    `short_day_close` (closed if nothing is left). Any earlier override for the date is replaced:
    accepting is the owner's explicit choice.
    """
    if suggestion.suggested == "closed":
        return rules.with_override(suggestion.date, ())
    close = short_day_close.hour * 60 + short_day_close.minute
    shortened = [
        TimeRange(hours.start_min, min(hours.end_min, close))
        for hours in rules.hours_on(suggestion.date)
        if hours.start_min < close
    ]
    return rules.with_override(suggestion.date, shortened)
