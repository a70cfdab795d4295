"""BookingRules: the JSON form, defaults, immutability, and errors that name the field."""

from __future__ import annotations

import copy
from datetime import date, datetime, time
from typing import Any

import pytest
from pydantic import ValidationError

from agentlocator.scheduling import BookingRules, TimeRange, weekday_number

SPLIT_WEEK: dict[str, Any] = {
    "sun": [["09:00", "13:00"], ["16:00", "19:00"]],
    "mon": [["09:00", "17:00"]],
    "tue": [["09:00", "17:00"]],
    "wed": [["09:00", "17:00"]],
    "thu": [["09:00", "17:00"]],
    "fri": [["09:00", "13:00"]],
    "sat": [],
}


def test_defaults_are_the_israeli_seed_week() -> None:
    rules = BookingRules()
    assert rules.timezone == "Asia/Jerusalem"
    assert rules.weekly_hours[0] == (TimeRange(9 * 60, 17 * 60),)  # Sunday
    assert rules.weekly_hours[5] == (TimeRange(9 * 60, 13 * 60),)  # Friday
    assert rules.weekly_hours[6] == ()  # Saturday
    assert (rules.slot_minutes, rules.step, rules.buffer_minutes, rules.daily_cap) == (
        30,
        30,
        0,
        None,
    )


def test_json_form_is_parsed_with_sunday_as_zero() -> None:
    rules = BookingRules.model_validate({"weekly_hours": SPLIT_WEEK})
    assert rules.weekly_hours[0] == (TimeRange(540, 780), TimeRange(960, 1140))
    assert rules.weekly_hours[6] == ()
    assert rules.hours_on(date(2026, 6, 7)) == rules.weekly_hours[0]  # a Sunday


def test_missing_weekdays_are_closed() -> None:
    rules = BookingRules.model_validate({"weekly_hours": {"mon": [["10:00", "11:00"]]}})
    assert [bool(day) for day in rules.weekly_hours] == [
        False,
        True,
        False,
        False,
        False,
        False,
        False,
    ]


def test_numeric_weekday_keys_use_the_stored_numbering() -> None:
    by_name = BookingRules.model_validate({"weekly_hours": {"sun": [["08:00", "09:00"]]}})
    by_number = BookingRules.model_validate({"weekly_hours": {0: [["08:00", "09:00"]]}})
    assert by_name == by_number


@pytest.mark.parametrize(
    ("day", "number"),
    [
        (date(2026, 6, 7), 0),  # Sunday
        (date(2026, 6, 8), 1),
        (date(2026, 6, 12), 5),  # Friday
        (date(2026, 6, 13), 6),  # Saturday
    ],
)
def test_weekday_number_counts_from_sunday(day: date, number: int) -> None:
    assert weekday_number(day) == number


def test_round_trip_through_json_keeps_the_rules() -> None:
    rules = BookingRules.model_validate(
        {
            "timezone": "America/New_York",
            "weekly_hours": SPLIT_WEEK | {"sat": [["20:00", "24:00"]]},
            "overrides": {"2026-04-02": [], "2026-04-01": [["09:00", "12:30"]]},
            "slot_minutes": 45,
            "step_minutes": 15,
            "min_notice_minutes": 90,
            "window_days": 14,
            "buffer_minutes": 10,
            "daily_cap": 6,
        }
    )
    dumped = rules.model_dump(mode="json")
    assert dumped["weekly_hours"]["sat"] == [["20:00", "24:00"]]
    assert dumped["overrides"] == {"2026-04-01": [["09:00", "12:30"]], "2026-04-02": []}
    assert BookingRules.model_validate(dumped) == rules
    assert BookingRules.model_validate_json(rules.model_dump_json()) == rules


def test_rules_are_frozen_hashable_and_copyable() -> None:
    rules = BookingRules()
    with pytest.raises(ValidationError):
        rules.slot_minutes = 60  # type: ignore[misc]
    assert hash(rules) == hash(BookingRules())
    assert copy.deepcopy(rules) == rules


def test_overrides_replace_the_weekday_and_empty_means_closed() -> None:
    rules = BookingRules.model_validate(
        {"overrides": {"2026-06-07": [], "2026-06-08": [["10:00", "12:00"]]}}
    )
    assert rules.hours_on(date(2026, 6, 7)) == ()
    assert rules.hours_on(date(2026, 6, 8)) == (TimeRange(600, 720),)
    assert rules.hours_on(date(2026, 6, 9)) == (TimeRange(540, 1020),)


def test_with_override_returns_new_validated_rules() -> None:
    rules = BookingRules()
    closed = rules.with_override(date(2026, 6, 7), ())
    assert rules.overrides == ()
    assert closed.overrides == ((date(2026, 6, 7), ()),)
    with pytest.raises(ValidationError, match=r"overrides\.2026-06-08: 09:00-11:00 overlaps"):
        rules.with_override(date(2026, 6, 8), [TimeRange(540, 660), TimeRange(600, 720)])


def test_times_may_be_given_as_time_objects() -> None:
    rules = BookingRules.model_validate({"weekly_hours": {"mon": [[time(9), time(12, 30)]]}})
    assert rules.weekly_hours[1] == (TimeRange(540, 750),)


def test_touching_intervals_are_allowed() -> None:
    rules = BookingRules.model_validate(
        {"weekly_hours": {"mon": [["12:00", "17:00"], ["09:00", "12:00"]]}}
    )
    assert rules.weekly_hours[1] == (TimeRange(540, 720), TimeRange(720, 1020))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"weekly_hours": {"mon": [["25:00", "26:00"]]}}, r"weekly_hours\.mon\[0\]: '25:00'"),
        ({"weekly_hours": {"mon": [["09:60", "10:00"]]}}, r"weekly_hours\.mon\[0\]: '09:60'"),
        ({"weekly_hours": {"mon": [["9am", "10:00"]]}}, r"weekly_hours\.mon\[0\]: '9am'"),
        ({"weekly_hours": {"mon": [["24:00", "24:00"]]}}, r"'24:00' can only end"),
        (
            {"weekly_hours": {"tue": [["17:00", "09:00"]]}},
            r"weekly_hours\.tue\[0\]: 17:00-09:00 ends",
        ),
        (
            {"weekly_hours": {"wed": [["10:00", "10:00"]]}},
            r"weekly_hours\.wed\[0\]: 10:00-10:00 ends",
        ),
        (
            {"weekly_hours": {"sun": [["09:00", "13:00"], ["12:00", "17:00"]]}},
            r"weekly_hours\.sun: 09:00-13:00 overlaps 12:00-17:00",
        ),
        ({"weekly_hours": {"monday": []}}, r"weekly_hours: unknown weekday 'monday'"),
        ({"weekly_hours": {7: []}}, r"weekly_hours: unknown weekday 7"),
        ({"weekly_hours": {"sun": [], 0: []}}, r"weekly_hours: sun is given twice"),
        ({"weekly_hours": {"mon": [["09:00"]]}}, r"weekly_hours\.mon\[0\]: expected a pair"),
        ({"weekly_hours": {"mon": "09:00-17:00"}}, r"weekly_hours\.mon: expected a list"),
        ({"weekly_hours": ["09:00"]}, r"weekly_hours: expected a mapping"),
        ({"overrides": {"2026-13-01": []}}, r"overrides: '2026-13-01' is not a local date"),
        ({"overrides": {datetime(2026, 4, 1, 21, 0): []}}, r"overrides: datetime\.datetime"),
        ({"weekly_hours": {"mon": [[time(9, 0, 30), "10:00"]]}}, r"weekly_hours\.mon\[0\]"),
        (
            {"overrides": {"2026-04-01": [["12:00", "14:00"], ["13:00", "15:00"]]}},
            r"overrides\.2026-04-01: 12:00-14:00 overlaps 13:00-15:00",
        ),
        ({"overrides": {"2026-04-01": [["08:00", "24:30"]]}}, r"overrides\.2026-04-01\[0\]"),
        ({"timezone": "Mars/Olympus_Mons"}, r"timezone: unknown IANA time zone"),
        ({"timezone": "../etc/passwd"}, r"timezone: unknown IANA time zone"),
        ({"slot_minutes": 20}, r"slot_minutes"),
        ({"step_minutes": 0}, r"step_minutes"),
        ({"min_notice_minutes": -1}, r"min_notice_minutes"),
        ({"window_days": -1}, r"window_days"),
        ({"buffer_minutes": -5}, r"buffer_minutes"),
        ({"daily_cap": 0}, r"daily_cap"),
        ({"slot_length": 30}, r"slot_length"),
    ],
)
def test_invalid_rules_are_refused_naming_the_field(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        BookingRules.model_validate(fields)


def test_time_range_refuses_inverted_bounds() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        TimeRange(600, 540)
    with pytest.raises(ValueError, match="end_min"):
        TimeRange(600, 1441)
