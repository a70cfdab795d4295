"""`check_availability` answers, computed from the rules: speakable, nearest, honest statuses."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from agentlocator.scheduling.rules import BookingRules
from agentlocator.scheduling.slots import Interval
from agentlocator.tools.arguments import ToolArgumentError, parse_date, parse_object, parse_time
from agentlocator.tools.availability import alternatives, availability

ZONE = ZoneInfo("Asia/Jerusalem")
RULES = BookingRules.model_validate(
    {
        "slot_minutes": 30,
        "min_notice_minutes": 60,
        "window_days": 30,
        "weekly_hours": {
            "sun": [["09:00", "12:00"]],
            "mon": [["09:00", "12:00"]],
            "tue": [["09:00", "12:00"]],
            "wed": [["09:00", "12:00"]],
            "thu": [["09:00", "12:00"]],
            "fri": [["09:00", "11:00"]],
            "sat": [],
        },
    }
)
NOW = datetime(2026, 12, 6, 6, 0, tzinfo=ZONE).astimezone(UTC)  # Sunday 06:00 local


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=ZONE)


def test_free_times_are_few_and_in_order() -> None:
    answer = availability(RULES, date(2026, 12, 7), None, NOW, [])
    assert answer["weekday"] == "יום שני"
    assert answer["slots"] == ["09:00", "10:00", "11:30"]


def test_asked_time_gets_a_direct_answer_and_the_nearest_times() -> None:
    day = date(2026, 12, 7)
    busy = [Interval(at(day, 10), at(day, 10, 30))]
    answer = availability(RULES, day, time(10, 0), NOW, busy)
    assert answer["requested_time_free"] is False
    assert answer["slots"] == ["09:00", "09:30", "10:30"]  # ties go to the earlier time
    assert "10:00" not in answer["slots"]
    free = availability(RULES, day, time(9, 0), NOW, busy)
    assert free["requested_time_free"] is True


@pytest.mark.parametrize(
    ("day", "status"),
    [
        (date(2026, 12, 5), "past"),
        (date(2026, 12, 12), "closed"),
        (date(2027, 3, 1), "beyond_window"),
    ],
)
def test_days_that_cannot_be_booked_say_why_and_where_to_go(day: date, status: str) -> None:
    answer = availability(RULES, day, None, NOW, [])
    assert answer["status"] == status
    assert answer["next_open_dates"], answer
    assert all(d >= "2026-12-06" for d in answer["next_open_dates"])


def test_alternatives_move_to_the_next_open_day_when_the_day_is_full() -> None:
    day = date(2026, 12, 11)  # Friday 09:00-11:00
    busy = [Interval(at(day, 9), at(day, 11))]
    alts = alternatives(RULES, day, time(9, 0), NOW, busy)
    assert alts and all(a.startswith("2026-12-13 ") for a in alts)


@pytest.mark.parametrize("raw", ["tomorrow", "2026-13-01", "7/12/2026", 20261207, None, ""])
def test_garbage_dates_are_refused_with_a_reason(raw: object) -> None:
    with pytest.raises(ToolArgumentError) as refused:
        parse_date(raw)
    assert refused.value.status == "invalid_date" and refused.value.reason


@pytest.mark.parametrize("raw", ["25:00", "10:61", "ten", "10", None])
def test_garbage_times_are_refused_with_a_reason(raw: object) -> None:
    with pytest.raises(ToolArgumentError):
        parse_time(raw)


@pytest.mark.parametrize("raw", ["not json", "[1]", '"text"'])
def test_arguments_must_be_a_json_object(raw: str) -> None:
    with pytest.raises(ToolArgumentError):
        parse_object(raw)
