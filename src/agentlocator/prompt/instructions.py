"""Builds the model's instructions for one call from the business's settings.

Everything time-related is computed here, in the business's time zone, so the model never has to do
date arithmetic: today's date and a dated table of the next 14 days with Hebrew weekday names and
opening hours. The model is told to use `check_availability` for free times and to say "booked"
only with an `appointment_id` in hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from agentlocator.scheduling.rules import BookingRules

HEBREW_WEEKDAYS = ("שני", "שלישי", "רביעי", "חמישי", "שישי", "שבת", "ראשון")  # by date.weekday()
TABLE_DAYS = 14


def hebrew_weekday(day: date) -> str:
    """`יום ראשון` ... `שבת` for a date."""
    name = HEBREW_WEEKDAYS[day.weekday()]
    return name if name == "שבת" else f"יום {name}"


@dataclass(frozen=True, slots=True)
class CallContext:
    """What the instructions depend on."""

    business_name: str
    business_type: str
    services: str
    call_goal: str
    direction: str
    now_local: datetime
    rules: BookingRules | None = None
    caller_name: str | None = None


def _day_table(now_local: datetime, rules: BookingRules | None) -> list[str]:
    rows = []
    for offset in range(TABLE_DAYS):
        day = now_local.date() + timedelta(days=offset)
        label = "today" if offset == 0 else ("tomorrow" if offset == 1 else "")
        if rules is None:
            hours = ""
        else:
            ranges = rules.hours_on(day)
            hours = ", ".join(str(r) for r in ranges) if ranges else "closed"
        suffix = f" ({label})" if label else ""
        rows.append(f"- {day.isoformat()} {hebrew_weekday(day)}{suffix}: {hours}".rstrip(": "))
    return rows


def _goal_lines(context: CallContext) -> list[str]:
    if context.call_goal != "booking":
        return [
            "Goal: learn what the caller needs and take their name and details so the business "
            "can call back (update_lead_details). You do not book appointments in this call.",
        ]
    slot = context.rules.slot_minutes if context.rules else 30
    return [
        "Goal: book an appointment for the caller.",
        f"Appointments last {slot} minutes.",
        "Steps, one at a time: what they need, which day, which time, their name, confirm, book.",
        "Never say a time is free without calling check_availability for that date first. "
        "Offer at most two or three times, nearest to what the caller asked.",
        "Say the appointment is booked only after schedule_appointment returned status booked "
        "with an appointment_id. If it returns slot_taken or invalid_time, say so briefly and "
        "offer the alternatives it gave.",
        "When the caller tells you their name or email, save it with update_lead_details.",
    ]


def build_instructions(context: CallContext) -> str:
    """Short rules for a phone receptionist; Hebrew by default, the caller's language otherwise."""
    kind = f" ({context.business_type})" if context.business_type else ""
    who = (
        "You placed this call to the customer on behalf of the business: say who you are and "
        "why you are calling before anything else."
        if context.direction == "outbound"
        else "The customer called the business."
    )
    now = context.now_local
    lines = [
        f"You are the phone receptionist of {context.business_name}{kind}.",
        who,
        *_goal_lines(context),
        f"Services: {context.services}" if context.services else "",
        f"The caller's name, if known: {context.caller_name}" if context.caller_name else "",
        f"Now: {now:%Y-%m-%d %H:%M}, {hebrew_weekday(now.date())}, in the business's time zone"
        + (f" ({context.rules.timezone})." if context.rules else "."),
        "Dates and opening hours for the next 14 days (use these dates; do not compute your own):",
        *_day_table(now, context.rules),
        "Language: speak Hebrew by default. If the caller speaks another language, switch to it "
        "for the rest of the call, and switch again if they do.",
        "Style: short, natural, spoken sentences; one question at a time.",
        "If the caller asks something, answer briefly first, then return to the step you were at "
        "(for example: 'shall we continue where we were?').",
        "Never invent facts, prices, times or availability.",
        "When the conversation is over, say a short goodbye and then call end_call.",
    ]
    return "\n".join(line for line in lines if line)
