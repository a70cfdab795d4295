"""After-call summary: an OpenAI text model when a key is set, else a marked local fallback.

The fallback is deterministic and says what it is: it lists what the caller asked first, the
outcome of the booking tools, and the details saved, so an owner can still scan the call.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

log = logging.getLogger(__name__)

LOCAL_MARK = "[סיכום אוטומטי מקומי, ללא מודל]"
SUMMARY_INSTRUCTIONS = (
    "Summarise this phone call to a small business in Hebrew, in at most three short sentences: "
    "who called, what they wanted, and the outcome (appointment booked with date and time, or "
    "what follow-up is needed). No preamble."
)


def _booked(tool_calls: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for call in tool_calls:
        try:
            output = json.loads(call.get("output") or "{}")
        except (TypeError, ValueError):
            continue
        if call.get("name") == "schedule_appointment" and output.get("status") == "booked":
            found.append(output)
    return found


def local_summary(
    transcript: Sequence[dict[str, Any]], tool_calls: Sequence[dict[str, Any]]
) -> str:
    """A plain, clearly marked summary built from the transcript and the tool results."""
    caller_turns = [t["text"] for t in transcript if t.get("role") == "caller" and t.get("text")]
    parts = [LOCAL_MARK]
    if caller_turns:
        parts.append(f'הפונה אמר/ה: "{caller_turns[0][:160]}".')
    else:
        parts.append("לא נשמע תמלול של הפונה.")
    booked = _booked(tool_calls)
    if booked:
        slots = ", ".join(
            f"{b.get('weekday', '')} {b.get('date')} {b.get('time')}".strip() for b in booked
        )
        parts.append(f"נקבע תור: {slots}.")
    else:
        parts.append("לא נקבע תור בשיחה.")
    names = {
        json.loads(c.get("arguments") or "{}").get("full_name")
        for c in tool_calls
        if c.get("name") == "update_lead_details"
    } - {None}
    if names:
        parts.append(f"שם שנמסר: {', '.join(sorted(str(n) for n in names))}.")
    parts.append(f"מספר תורות בשיחה: {len(transcript)}.")
    return " ".join(parts)


async def summarise(
    transcript: Sequence[dict[str, Any]],
    tool_calls: Sequence[dict[str, Any]],
    *,
    openai_api_key: str | None,
    model: str,
) -> str:
    """Summary text for a finished call; falls back to the local summary on any model failure."""
    if not openai_api_key or not model or not transcript:
        return local_summary(transcript, tool_calls)
    from openai import AsyncOpenAI, OpenAIError

    lines = [f"{t.get('role')}: {t.get('text')}" for t in transcript]
    try:
        client = AsyncOpenAI(api_key=openai_api_key, max_retries=1, timeout=20.0)
        response = await client.chat.completions.create(
            model=model,
            messages=[
                {"role": "system", "content": SUMMARY_INSTRUCTIONS},
                {"role": "user", "content": "\n".join(lines)},
            ],
            max_completion_tokens=300,
        )
        text = (response.choices[0].message.content or "").strip()
    except (OpenAIError, IndexError) as error:
        log.warning("summary.model_failed", extra={"error": type(error).__name__})
        return local_summary(transcript, tool_calls)
    return text or local_summary(transcript, tool_calls)
