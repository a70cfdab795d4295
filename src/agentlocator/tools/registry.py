"""The tool schemas offered to the model, by the business's call goal.

`end_call` is executed by the call machine itself (it has to wait for the goodbye to play); the
others run in `tools.runner.CallTools`. The calendar tools are offered only when the business's
call goal is booking.
"""

from __future__ import annotations

from typing import Any

END_CALL: dict[str, Any] = {
    "type": "function",
    "name": "end_call",
    "description": (
        "Hang up the call. Call it only after you have said a short goodbye to the caller, "
        "when the conversation is over or the caller asked to end it."
    ),
    "parameters": {
        "type": "object",
        "properties": {"reason": {"type": "string", "description": "Why the call ends."}},
        "additionalProperties": False,
    },
}

CHECK_AVAILABILITY: dict[str, Any] = {
    "type": "function",
    "name": "check_availability",
    "description": (
        "Free appointment start times on one date, from the business's calendar. Use it before "
        "saying any time is free. Give `time` when the caller asked for a specific time."
    ),
    "parameters": {
        "type": "object",
        "properties": {
            "date": {"type": "string", "description": "YYYY-MM-DD, from the dates table."},
            "time": {"type": "string", "description": "HH:MM, 24-hour, if the caller named one."},
        },
        "required": ["date"],
        "additionalProperties": False,
    },
}

SCHEDULE_APPOINTMENT: dict[str, Any] = {
    "type": "function",
    "name": "schedule_appointment",
    "description": (
        "Book an appointment for the caller. Only a result with status 'booked' and an "
        "appointment_id means it is booked."
    ),
    "parameters": {
        "type": "object",
        "properties": {
            "date": {"type": "string", "description": "YYYY-MM-DD"},
            "time": {"type": "string", "description": "HH:MM, 24-hour"},
            "customer_name": {"type": "string", "description": "The caller's full name."},
            "notes": {"type": "string", "description": "What the appointment is for."},
        },
        "required": ["date", "time", "customer_name"],
        "additionalProperties": False,
    },
}

UPDATE_LEAD_DETAILS: dict[str, Any] = {
    "type": "function",
    "name": "update_lead_details",
    "description": "Save what the caller told you about themselves: name, email, or notes.",
    "parameters": {
        "type": "object",
        "properties": {
            "full_name": {"type": "string"},
            "email": {"type": "string"},
            "notes": {"type": "string", "description": "What the caller needs, briefly."},
        },
        "additionalProperties": False,
    },
}

READ_ONLY_TOOLS = frozenset({"check_availability"})


def tool_schemas(call_goal: str) -> list[dict[str, Any]]:
    """Tools for a business with this call goal."""
    calendar = [CHECK_AVAILABILITY, SCHEDULE_APPOINTMENT] if call_goal == "booking" else []
    return [*calendar, UPDATE_LEAD_DETAILS, END_CALL]
