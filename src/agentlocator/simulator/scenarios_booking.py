"""A booking call with the real tools: availability, booking, lead details, goodbye.

The fake model's script calls the tools the way the real model would; the server runs them
against the real database. Afterwards the database must hold exactly one appointment, linked to
the caller's lead and to the call, carrying the call's transcript and summary.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from agentlocator.simulator.local_stack import LocalStack
from agentlocator.simulator.realtime_config import FakeRealtimeConfig
from agentlocator.simulator.realtime_script import RealtimeScript, ScriptStep, ToolCallStep
from agentlocator.simulator.scenario_kit import (
    DialledCall,
    Scenario,
    ScenarioOptions,
    ScenarioReport,
    dial,
    stored_call,
    wait_until,
)

CUSTOMER = "דנה כהן"
OPEN_EVERY_DAY = {
    "slot_minutes": 30,
    "min_notice_minutes": 60,
    "window_days": 30,
    "weekly_hours": {
        day: [["08:00", "20:00"]] for day in ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
    },
}


def booking_script(day: str, at: str) -> list[ScriptStep]:
    """The conversation the fake model plays, one step per response."""
    return [
        ScriptStep(
            caller_transcript=f"שלום, אפשר תור ל-{day} ב-{at}?",
            call=ToolCallStep("check_availability", {"date": day, "time": at}),
        ),
        ScriptStep(say=f"השעה {at} פנויה. על איזה שם לרשום?"),
        ScriptStep(
            caller_transcript=CUSTOMER,
            call=ToolCallStep(
                "schedule_appointment", {"date": day, "time": at, "customer_name": CUSTOMER}
            ),
        ),
        ScriptStep(
            say="התור נקבע.", call=ToolCallStep("update_lead_details", {"full_name": CUSTOMER})
        ),
        ScriptStep(say="רשמתי את הפרטים. אפשר לעזור במשהו נוסף?"),
        ScriptStep(
            caller_transcript="לא, תודה.", say="תודה ולהתראות!", call=ToolCallStep("end_call", {})
        ),
    ]


async def _wait_items(call: DialledCall, count: int) -> None:
    await wait_until(lambda: len(call.assistant_items()) >= count, f"{count} agent items", 20.0)
    await call.wait_agent_finished()


def _outputs(row: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [json.loads(t.get("output") or "{}") for t in row["tool_calls"] if t["name"] == name]


async def booking_with_tools(options: ScenarioOptions) -> ScenarioReport:
    """Ask availability, book, save the name, goodbye: one appointment, linked, summarised."""
    report = ScenarioReport("booking_with_tools")
    zone = ZoneInfo("Asia/Jerusalem")
    day = (datetime.now(UTC).astimezone(zone) + timedelta(days=1)).date().isoformat()
    steps = booking_script(day, "10:00")
    stack = LocalStack(
        database_url=options.database_url,
        realtime_config=FakeRealtimeConfig(seed=options.seed),
        script_factory=lambda: RealtimeScript(steps=list(steps)),
        settings_overrides=options.settings_overrides,
        business={"booking": OPEN_EVERY_DAY},
    )
    async with stack:
        call = await dial(stack)
        await call.wait_agent_finished()
        call.speak(1000)
        await _wait_items(call, 2)  # greeting, "10:00 is free"
        call.speak(1000)
        await _wait_items(call, 4)  # "booked", "details saved"
        call.speak(1000)
        report.check("the agent hung up after its goodbye", await call.phone.wait_closed(10.0))
        call.common_checks(report)
        row = await stored_call(stack, call.call_sid)
        availability = _outputs(row, "check_availability")
        report.check(
            "availability answered from the calendar",
            bool(availability) and availability[0].get("requested_time_free") is True,
            availability,
        )
        booked = _outputs(row, "schedule_appointment")
        report.check(
            "booked with an appointment id",
            bool(booked)
            and booked[0].get("status") == "booked"
            and bool(booked[0].get("appointment_id")),
            booked,
        )
        await stack.wait_for_jobs()
        facts = await stack.booking_facts(call.call_sid)
        report.figures.update(facts)
        report.check("exactly one appointment", facts["appointments"] == 1, facts)
        report.check("appointment linked to the call", facts["linked_to_call"], facts)
        report.check("appointment linked to the caller's lead", facts["linked_to_lead"], facts)
        report.check("the lead's name was saved", facts["lead_name"] == CUSTOMER, facts)
        report.check(
            "appointment keeps the call transcript", facts["appointment_transcript_turns"] > 0
        )
        report.check("summary on the call and the appointment", facts["has_summaries"], facts)
    return report


BOOKING_SCENARIOS: dict[str, Scenario] = {"booking_with_tools": booking_with_tools}
