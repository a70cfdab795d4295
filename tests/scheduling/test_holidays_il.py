"""Israeli holidays are suggestions; accepting one adds exactly one override."""

from __future__ import annotations

from datetime import date, time

import pytest
from slot_testkit import FAR_PAST, hhmm, rules

from agentlocator.scheduling import BookingRules, TimeRange, free_slots
from agentlocator.scheduling.holidays_il import HolidaySuggestion, accept, holiday_suggestions


@pytest.fixture(scope="module")
def suggestions_2026() -> dict[date, HolidaySuggestion]:
    return {s.date: s for s in holiday_suggestions(range(2026, 2027))}


def test_public_holidays_are_suggested_closed(
    suggestions_2026: dict[date, HolidaySuggestion],
) -> None:
    pesach = suggestions_2026[date(2026, 4, 2)]
    assert (pesach.name_he, pesach.name_en, pesach.suggested) == ("פסח", "Pesach", "closed")
    yom_kippur = suggestions_2026[date(2026, 9, 21)]
    assert (yom_kippur.name_en, yom_kippur.suggested) == ("Yom Kippur", "closed")
    closed = [s for s in suggestions_2026.values() if s.suggested == "closed"]
    assert len(closed) == 9  # the public holidays of 2026


def test_eves_are_suggested_as_short_days(suggestions_2026: dict[date, HolidaySuggestion]) -> None:
    erev_pesach = suggestions_2026[date(2026, 4, 1)]
    assert erev_pesach.name_he == "ערב פסח"
    assert erev_pesach.suggested == "short_day"
    assert suggestions_2026[date(2026, 9, 20)].name_en == "Eve of Yom Kippur"
    # The second day of Rosh Hashanah is a holiday, not an eve.
    assert suggestions_2026[date(2026, 9, 13)].suggested == "closed"


def test_suggestions_are_sorted_one_per_date() -> None:
    found = holiday_suggestions([2027, 2026], include_optional=True)
    days = [s.date for s in found]
    assert days == sorted(set(days))
    assert {d.year for d in days} == {2026, 2027}


def test_optional_days_only_when_asked() -> None:
    assert date(2026, 4, 5) not in {s.date for s in holiday_suggestions([2026])}
    with_optional = {s.date: s for s in holiday_suggestions([2026], include_optional=True)}
    assert with_optional[date(2026, 4, 5)].suggested == "short_day"  # Hol HaMoed Pesach
    no_eves = {s.date for s in holiday_suggestions([2026], include_eves=False)}
    assert date(2026, 4, 1) not in no_eves


def test_nothing_is_applied_until_accepted(
    suggestions_2026: dict[date, HolidaySuggestion],
) -> None:
    rule = rules()
    assert rule.overrides == ()
    assert len(free_slots(rule, date(2026, 4, 2), FAR_PAST, [])) == 16  # a Thursday


def test_accepting_a_closed_suggestion_closes_that_date_only(
    suggestions_2026: dict[date, HolidaySuggestion],
) -> None:
    rule = rules()
    closed = accept(rule, suggestions_2026[date(2026, 4, 2)])
    assert closed.overrides == ((date(2026, 4, 2), ()),)
    assert free_slots(closed, date(2026, 4, 2), FAR_PAST, []) == []
    assert len(free_slots(closed, date(2026, 4, 5), FAR_PAST, [])) == 16
    assert rule.overrides == ()  # the original rules are untouched


def test_accepting_a_short_day_ends_the_day_early(
    suggestions_2026: dict[date, HolidaySuggestion],
) -> None:
    split = rules(weekly_hours={"wed": [["08:00", "12:00"], ["14:00", "18:00"]]})
    erev = suggestions_2026[date(2026, 4, 1)]  # a Wednesday
    short = accept(split, erev)
    assert short.override_on(date(2026, 4, 1)) == (TimeRange(480, 720),)
    later = accept(split, erev, short_day_close=time(15, 0))
    assert later.override_on(date(2026, 4, 1)) == (TimeRange(480, 720), TimeRange(840, 900))
    assert hhmm(free_slots(later, date(2026, 4, 1), FAR_PAST, []))[-2:] == ["14:00", "14:30"]


def test_a_short_day_on_a_closed_weekday_stays_closed() -> None:
    saturday_eve = HolidaySuggestion(date(2026, 9, 26), "ערב", "Eve", "short_day")
    assert accept(BookingRules(), saturday_eve).override_on(date(2026, 9, 26)) == ()


def test_accepting_replaces_an_earlier_override_for_that_date() -> None:
    rule = rules(overrides={"2026-04-02": [["10:00", "11:00"]]})
    pesach = HolidaySuggestion(date(2026, 4, 2), "פסח", "Pesach", "closed")
    assert accept(rule, pesach).overrides == ((date(2026, 4, 2), ()),)
