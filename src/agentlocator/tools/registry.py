"""The tool set offered to the model for a call, and the runner that executes it.

`end_call` is executed by the call machine itself (it has to wait for the goodbye to play); every
other tool runs here, off the audio path, and answers with a short JSON string the model can speak
from. Garbage arguments get a speakable error result, never an exception.
"""

from __future__ import annotations

import json
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


def tool_schemas(call_goal: str) -> list[dict[str, Any]]:
    """Tools for a business with this call goal (`booking` adds the calendar tools later)."""
    del call_goal  # the calendar tools join here with the scheduling service
    return [END_CALL]


def error_result(reason: str) -> str:
    return json.dumps({"status": "error", "reason": reason}, ensure_ascii=False)


class BusinessTools:
    """Runs tools for one call of one business."""

    def __init__(self, business_id: str, call_sid: str) -> None:
        self.business_id = business_id
        self.call_sid = call_sid

    async def run(self, name: str, arguments: str) -> str:
        try:
            parsed = json.loads(arguments or "{}")
        except json.JSONDecodeError:
            return error_result("The tool arguments were not valid JSON.")
        if not isinstance(parsed, dict):
            return error_result("The tool arguments must be a JSON object.")
        return error_result(f"There is no tool named {name!r}.")
