"""Decisions made when a fake response is created: content, format, pacing, and chunking.

Pure functions of the session, the `response.create` parameters, the script step and a seeded
random source, so a seeded engine plans the same response every time.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from typing import Any, Literal

from agentlocator.simulator import realtime_session as sessions
from agentlocator.simulator.realtime_audio import AudioFormat
from agentlocator.simulator.realtime_config import FakeRealtimeConfig
from agentlocator.simulator.realtime_script import ScriptStep, ToolCallStep

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ResponsePlan:
    """Everything decided when a response is created."""

    response_id: str
    trigger: str
    say: str
    call: ToolCallStep | None
    modality: Literal["audio", "text"]
    audio_format: AudioFormat
    voice: str | dict[str, Any]
    in_conversation: bool
    conversation_id: str | None
    max_output_tokens: int | str
    metadata: dict[str, Any] | None
    first_delta_delay_secs: float
    done_delay_secs: float
    speed: float
    fail_at_fraction: float | None = None
    input_tokens: int = 0


def plan_chunk_sizes(
    total_bytes: int, audio_format: AudioFormat, rng: random.Random, delta_ms: tuple[float, float]
) -> list[int]:
    """Split audio into delta sizes: whole samples, irregular, never a multiple of 20 ms.

    Telephony bridges that assume 160-byte frames break on real OpenAI deltas; making every
    chunk a non-multiple of the frame size keeps the fake at least as awkward as the real thing.
    """
    unit, frame = audio_format.sample_bytes, audio_format.frame_bytes
    units_left = total_bytes // unit
    sizes: list[int] = []
    while units_left > 0:
        wanted = round(rng.uniform(*delta_ms) * audio_format.bytes_per_ms / unit)
        take = max(1, wanted)
        if (take * unit) % frame == 0:
            take += 1
        if take >= units_left:
            sizes.extend(_split_tail(units_left, unit, frame))
            break
        sizes.append(take * unit)
        units_left -= take
    return sizes


def _split_tail(units: int, unit: int, frame: int) -> list[int]:
    if (units * unit) % frame:
        return [units * unit]
    first = units // 2 + 1
    while (first * unit) % frame == 0 or ((units - first) * unit) % frame == 0:
        first += 1
    return [first * unit, (units - first) * unit]


@dataclass(frozen=True)
class PlanContext:
    """The per-session facts a plan needs besides the session and the request."""

    response_id: str
    number: int
    conversation_id: str
    input_tokens: int


def plan_response(
    context: PlanContext,
    step: ScriptStep,
    *,
    trigger: str,
    session: dict[str, Any],
    params: dict[str, Any],
    config: FakeRealtimeConfig,
    rng: random.Random,
) -> ResponsePlan:
    """Merge response-level overrides over the session and fix what the response will do.

    A scripted tool call is only made when the tool is declared (response `tools` override the
    session's) and `tool_choice` allows it; otherwise the response just speaks.
    """
    output = (params.get("audio") or {}).get("output") or {}
    session_output = session["audio"]["output"]
    modality = (params.get("output_modalities") or session["output_modalities"])[0]
    tools = params["tools"] if params.get("tools") is not None else session["tools"]
    tool_choice = params.get("tool_choice") or session["tool_choice"]
    call = step.call
    if call is not None and not _may_call(call.name, sessions.tool_names(tools), tool_choice):
        log.debug("realtime_fake.scripted_call_skipped", extra={"tool": call.name})
        call = None
    faults = config.faults
    delay_ms = rng.uniform(*config.first_delta_delay_ms)
    if faults.slow_first_delta_ms is not None and (
        not faults.slow_first_delta_responses or context.number in faults.slow_first_delta_responses
    ):
        delay_ms = faults.slow_first_delta_ms
    in_conversation = params.get("conversation") != "none"
    return ResponsePlan(
        response_id=context.response_id,
        trigger=trigger,
        say=step.say,
        call=call,
        modality="text" if modality == "text" else "audio",
        audio_format=AudioFormat.from_wire(output.get("format") or session_output["format"]),
        voice=output.get("voice") or session_output["voice"],
        in_conversation=in_conversation,
        conversation_id=context.conversation_id if in_conversation else None,
        max_output_tokens=params.get("max_output_tokens") or session["max_output_tokens"],
        metadata=params.get("metadata"),
        first_delta_delay_secs=delay_ms / 1000.0,
        done_delay_secs=rng.uniform(*config.response_done_delay_ms) / 1000.0,
        speed=rng.uniform(*config.speed_factor),
        fail_at_fraction=0.5 if context.number == faults.fail_response_number else None,
        input_tokens=context.input_tokens,
    )


def rate_limits_event(responses_so_far: int) -> dict[str, Any]:
    """A plausible `rate_limits.updated` (sent once per response)."""
    return {
        "type": "rate_limits.updated",
        "rate_limits": [
            {
                "name": "requests",
                "limit": 5000,
                "remaining": max(0, 5000 - responses_so_far),
                "reset_seconds": 0.012,
            },
            {
                "name": "tokens",
                "limit": 40000,
                "remaining": max(0, 40000 - 700 * responses_so_far),
                "reset_seconds": 1.05,
            },
        ],
    }


def _may_call(name: str, declared: set[str], tool_choice: object) -> bool:
    if name not in declared or tool_choice == "none":
        return False
    if isinstance(tool_choice, dict) and tool_choice.get("type") == "function":
        return tool_choice.get("name") == name
    return True
