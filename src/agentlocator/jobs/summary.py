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


class SummaryModel:
    """The after-call summariser of a running instance: one OpenAI client for every call.

    Building an `AsyncOpenAI` client costs tens of milliseconds of CPU (an HTTP client and a TLS
    context) on the event loop that carries live calls' audio, so it is built once, on the first
    summary, and reused; `close` releases its connections.
    """

    def __init__(self, openai_api_key: str | None, model: str) -> None:
        self.openai_api_key = openai_api_key
        self.model = model
        self._client: Any = None

    def client(self) -> Any:
        """The shared `AsyncOpenAI` client (built now if it is the first call)."""
        if self._client is None:
            from openai import AsyncOpenAI

            self._client = AsyncOpenAI(api_key=self.openai_api_key, max_retries=1, timeout=20.0)
        return self._client

    async def summarise(
        self, transcript: Sequence[dict[str, Any]], tool_calls: Sequence[dict[str, Any]]
    ) -> str:
        if not self.openai_api_key or not self.model or not transcript:
            return local_summary(transcript, tool_calls)
        return await _model_summary(self.client(), self.model, transcript, tool_calls)

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.close()


async def summarise(
    transcript: Sequence[dict[str, Any]],
    tool_calls: Sequence[dict[str, Any]],
    *,
    openai_api_key: str | None,
    model: str,
) -> str:
    """Summary text for a finished call, with a client of its own (see `SummaryModel`)."""
    summaries = SummaryModel(openai_api_key, model)
    try:
        return await summaries.summarise(transcript, tool_calls)
    finally:
        await summaries.close()


async def _model_summary(
    client: Any,
    model: str,
    transcript: Sequence[dict[str, Any]],
    tool_calls: Sequence[dict[str, Any]],
) -> str:
    """The model's summary; falls back to the local summary on any model failure."""
    from openai import OpenAIError

    lines = [f"{t.get('role')}: {t.get('text')}" for t in transcript]
    try:
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
    return str(text) or local_summary(transcript, tool_calls)
