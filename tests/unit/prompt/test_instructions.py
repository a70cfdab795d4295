"""The per-business instructions, as snapshots: dates, Hebrew weekdays, hours, goal, direction."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from agentlocator.prompt.instructions import CallContext, build_instructions, hebrew_weekday
from agentlocator.scheduling.rules import BookingRules

RULES = BookingRules.model_validate(
    {
        "timezone": "Asia/Jerusalem",
        "slot_minutes": 30,
        "weekly_hours": {
            "sun": [["09:00", "13:00"], ["16:00", "19:00"]],
            "mon": [["09:00", "17:00"]],
            "tue": [["09:00", "17:00"]],
            "wed": [["09:00", "17:00"]],
            "thu": [["09:00", "17:00"]],
            "fri": [["09:00", "13:00"]],
            "sat": [],
        },
        "overrides": {"2026-12-10": []},
    }
)
NOW = datetime(2026, 12, 6, 8, 30, tzinfo=ZoneInfo("Asia/Jerusalem"))  # a Sunday


def context(**changes: object) -> CallContext:
    base = {
        "business_name": "מרפאת שיניים דמו",
        "business_type": "dental clinic",
        "services": "בדיקה, ניקוי אבנית",
        "call_goal": "booking",
        "direction": "inbound",
        "now_local": NOW,
        "rules": RULES,
    }
    base.update(changes)
    return CallContext(**base)  # type: ignore[arg-type]


def test_hebrew_weekday_names() -> None:
    assert hebrew_weekday(NOW.date()) == "יום ראשון"
    assert hebrew_weekday(datetime(2026, 12, 12).date()) == "שבת"


def test_booking_prompt_snapshot() -> None:
    text = build_instructions(context())
    lines = text.splitlines()
    assert lines[0] == "You are the phone receptionist of מרפאת שיניים דמו (dental clinic)."
    assert (
        "Now: 2026-12-06 08:30, יום ראשון, in the business's time zone (Asia/Jerusalem)." in lines
    )
    table = [line for line in lines if line.startswith("- 2026-")]
    assert len(table) == 14
    assert table[0] == "- 2026-12-06 יום ראשון (today): 09:00-13:00, 16:00-19:00"
    assert table[1] == "- 2026-12-07 יום שני (tomorrow): 09:00-17:00"
    assert table[4] == "- 2026-12-10 יום חמישי: closed"  # the override
    assert table[5] == "- 2026-12-11 יום שישי: 09:00-13:00"
    assert table[6] == "- 2026-12-12 שבת: closed"
    assert any("check_availability" in line for line in lines)
    assert any("appointment_id" in line for line in lines)
    assert any("speak Hebrew by default" in line for line in lines)
    assert any("one question at a time" in line for line in lines)
    assert any("return to the step" in line for line in lines)


def test_lead_goal_and_outbound_direction_change_the_prompt() -> None:
    text = build_instructions(context(call_goal="lead", direction="outbound"))
    assert "You do not book appointments in this call." in text
    assert "You placed this call to the customer" in text
    assert "check_availability" not in text
