"""Builds the model's instructions for one call from the business's settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class CallContext:
    """What the instructions depend on."""

    business_name: str
    business_type: str
    services: str
    call_goal: str
    direction: str
    now_local: datetime


def build_instructions(context: CallContext) -> str:
    """Short rules for a phone receptionist; Hebrew by default, the caller's language otherwise."""
    goal = (
        "Help the caller book an appointment."
        if context.call_goal == "booking"
        else "Learn what the caller needs and take their details so the business can call back."
    )
    direction = (
        "You placed this call to the customer on behalf of the business; say who you are first."
        if context.direction == "outbound"
        else "The customer called the business."
    )
    lines = [
        f"You are the phone receptionist of {context.business_name}"
        + (f" ({context.business_type})." if context.business_type else "."),
        direction,
        goal,
        f"Services: {context.services}" if context.services else "",
        f"Now: {context.now_local:%Y-%m-%d %H:%M} ({context.now_local:%A}), business time zone.",
        "Speak Hebrew by default. If the caller speaks another language, switch to it for the rest "
        "of the call, and switch again if they do.",
        "Keep every reply short and natural: one or two sentences, one question at a time.",
        "If the caller asks something, answer briefly first, then return to where you were.",
        "Never invent facts, times or availability.",
        "When the conversation is over, say a short goodbye and then call end_call.",
    ]
    return "\n".join(line for line in lines if line)
