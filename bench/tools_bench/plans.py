"""Who calls, for which slot, and what the scripted model says and calls."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from agentlocator.simulator.realtime_script import ScriptStep, ToolCallStep

TOOLS = ("check_availability", "schedule_appointment")
ZONE = ZoneInfo("Asia/Jerusalem")
CUSTOMER = "דנה כהן"
GREETING = "שלום, מרפאת בדיקה."
WINDOW_DAYS = 30
#: The clinic is open every day 08:00-20:00 in 30-minute slots, bookable 30 days ahead.
BOOKING_RULES = {
    "slot_minutes": 30,
    "min_notice_minutes": 60,
    "window_days": WINDOW_DAYS,
    "weekly_hours": {
        day: [["08:00", "20:00"]] for day in ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
    },
}
SLOTS_PER_DAY = 24
#: The warm-up and baseline calls book on these days, far from the N-call run's slots.
QUIET_DAYS_FROM = 20


@dataclass(frozen=True)
class CallPlan:
    caller: str
    day: str
    at: str
    shared_slot: bool = False


def slot_list(first_day_offset: int, count: int) -> list[tuple[str, str]]:
    """`count` bookable (date, HH:MM) slots from `first_day_offset` days ahead, in order."""
    today = datetime.now(UTC).astimezone(ZONE).date()
    slots: list[tuple[str, str]] = []
    offset = first_day_offset
    while len(slots) < count:
        if offset >= WINDOW_DAYS:
            raise ValueError(f"more than the booking window's slots asked for ({count})")
        day: date = today + timedelta(days=offset)
        for index in range(SLOTS_PER_DAY):
            minutes = 8 * 60 + 30 * index
            slots.append((day.isoformat(), f"{minutes // 60:02d}:{minutes % 60:02d}"))
        offset += 1
    return slots[:count]


def caller_number(serial: int) -> str:
    """A distinct Israeli mobile number per call: a lead per caller, as in real traffic."""
    return f"+97250{3_000_000 + serial:07d}"


def tool_script(plan: CallPlan) -> list[ScriptStep]:
    """Filler + availability, answer, filler + booking, goodbye + hang-up: 5 audio items."""
    return [
        ScriptStep(
            caller_transcript=f"אפשר תור ב-{plan.day} ב-{plan.at}?",
            say="רק רגע, בודקת.",
            call=ToolCallStep("check_availability", {"date": plan.day, "time": plan.at}),
        ),
        ScriptStep(say="פנוי. על איזה שם?"),
        ScriptStep(
            caller_transcript=CUSTOMER,
            say="רושמת.",
            call=ToolCallStep(
                "schedule_appointment",
                {"date": plan.day, "time": plan.at, "customer_name": CUSTOMER},
            ),
        ),
        ScriptStep(say="תודה, להתראות!", call=ToolCallStep("end_call", {})),
    ]


def no_tool_script(plan: CallPlan) -> list[ScriptStep]:
    """The same turns and words, with no database tool: 3 audio items."""
    return [
        ScriptStep(
            caller_transcript=f"אפשר תור ב-{plan.day} ב-{plan.at}?",
            say="רק רגע, בודקת. פנוי. על איזה שם?",
        ),
        ScriptStep(
            caller_transcript=CUSTOMER,
            say="רושמת. תודה, להתראות!",
            call=ToolCallStep("end_call", {}),
        ),
    ]


def plans_for_run(calls: int, same_slot: int, seed: int) -> list[CallPlan]:
    """`same_slot` calls share the first slot; every other call has a slot of its own."""
    same_slot = min(same_slot, calls)
    slots = slot_list(1, calls - same_slot + 1)
    shared = slots[0]
    plans = [CallPlan(caller_number(i), *shared, shared_slot=True) for i in range(same_slot)]
    plans += [
        CallPlan(caller_number(i), *slot)
        for i, slot in zip(range(same_slot, calls), slots[1:], strict=False)
    ]
    # Interleave the contended calls with the others over the ramp.
    random.Random(seed).shuffle(plans)
    return plans


def too_many_calls(calls: int, same_slot: int, baseline_calls: int) -> bool:
    own_slots = calls - min(same_slot, calls) + 1
    quiet_slots = (WINDOW_DAYS - QUIET_DAYS_FROM) * SLOTS_PER_DAY - 1
    return own_slots > (QUIET_DAYS_FROM - 1) * SLOTS_PER_DAY or baseline_calls > quiet_slots
