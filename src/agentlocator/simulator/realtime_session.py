"""The fake session's configuration: GA defaults, applying `session.update`, and its rules.

The session is kept as the JSON object the API shows in `session.created`/`session.updated`.
An update is applied all-or-nothing: any refused field (a voice change after assistant audio,
both output modalities, a transcription session type...) refuses the whole update.
"""

from __future__ import annotations

import copy
from typing import Any

from agentlocator.simulator import realtime_errors as errors
from agentlocator.simulator.realtime_errors import RealtimeApiError
from agentlocator.simulator.realtime_vad import VadSettings

DEFAULT_INSTRUCTIONS = (
    "Your knowledge cutoff is 2023-10. You are a helpful, witty, and friendly AI. "
    "Act like a human, but remember that you aren't a human."
)
SERVER_VAD_DEFAULTS: dict[str, Any] = {
    "type": "server_vad",
    "threshold": 0.5,
    "prefix_padding_ms": 300,
    "silence_duration_ms": 500,
    "idle_timeout_ms": None,
    "create_response": True,
    "interrupt_response": True,
}
SEMANTIC_VAD_DEFAULTS: dict[str, Any] = {
    "type": "semantic_vad",
    "eagerness": "auto",
    "create_response": True,
    "interrupt_response": True,
}
# semantic_vad waits for the caller to finish a thought; an energy VAD can only wait longer.
_SEMANTIC_SILENCE_MS = {"low": 1200, "medium": 700, "auto": 700, "high": 350}
_PCM_24K = {"type": "audio/pcm", "rate": 24000}
_REPLACED_AUDIO_KEYS = ("format", "turn_detection", "transcription", "noise_reduction")


class SessionUpdateRefused(Exception):
    """The update breaks a rule; the session is left exactly as it was."""

    def __init__(self, error: RealtimeApiError) -> None:
        super().__init__(error.message)
        self.error = error


def default_session(session_id: str, model: str, expires_at: int) -> dict[str, Any]:
    """The session a new connection starts with (pcm 24 kHz, server_vad 0.5/300/500, marin)."""
    return {
        "type": "realtime",
        "object": "realtime.session",
        "id": session_id,
        "model": model,
        "output_modalities": ["audio"],
        "instructions": DEFAULT_INSTRUCTIONS,
        "tools": [],
        "tool_choice": "auto",
        "max_output_tokens": "inf",
        "tracing": None,
        "truncation": "auto",
        "prompt": None,
        "expires_at": expires_at,
        "include": None,
        "audio": {
            "input": {
                "format": dict(_PCM_24K),
                "transcription": None,
                "noise_reduction": None,
                "turn_detection": dict(SERVER_VAD_DEFAULTS),
            },
            "output": {"format": dict(_PCM_24K), "voice": "marin", "speed": 1.0},
        },
    }


def apply_session_update(
    current: dict[str, Any], update: dict[str, Any], *, has_assistant_audio: bool
) -> dict[str, Any]:
    """The effective session after a schema-valid `update`; raises `SessionUpdateRefused`."""
    if update.get("type") != "realtime":
        raise SessionUpdateRefused(
            errors.invalid_value("session.type", update.get("type"), ["'realtime'"])
        )
    if "model" in update and update["model"] != current["model"]:
        raise SessionUpdateRefused(
            RealtimeApiError("invalid_value", "Cannot update a session's model.", "session.model")
        )
    session = copy.deepcopy(current)
    for key, value in update.items():
        if key in ("type", "model"):
            continue
        if key == "audio":
            _merge_audio(session["audio"], value or {})
        else:
            session[key] = copy.deepcopy(value)
    _check_rules(current, session, has_assistant_audio=has_assistant_audio)
    return session


def _merge_audio(audio: dict[str, Any], update: dict[str, Any]) -> None:
    for direction in ("input", "output"):
        changes = update.get(direction)
        if changes is None:
            continue
        target = audio[direction]
        for key, value in changes.items():
            if key == "format":
                target[key] = _normalise_format(value)
            elif key == "turn_detection":
                target[key] = _with_vad_defaults(value)
            elif key in _REPLACED_AUDIO_KEYS:
                target[key] = copy.deepcopy(value)
            else:
                target[key] = value


def _normalise_format(value: dict[str, Any] | None) -> dict[str, Any]:
    kind = (value or {}).get("type") or "audio/pcm"
    return dict(_PCM_24K) if kind == "audio/pcm" else {"type": kind}


def _with_vad_defaults(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    defaults = SERVER_VAD_DEFAULTS if value.get("type") == "server_vad" else SEMANTIC_VAD_DEFAULTS
    return {**defaults, **value}


def _check_rules(
    before: dict[str, Any], after: dict[str, Any], *, has_assistant_audio: bool
) -> None:
    modalities = after.get("output_modalities") or ["audio"]
    if len(set(modalities)) > 1:
        error = errors.invalid_modalities(modalities, "session.output_modalities")
        raise SessionUpdateRefused(error)
    if (
        has_assistant_audio
        and after["audio"]["output"]["voice"] != before["audio"]["output"]["voice"]
    ):
        raise SessionUpdateRefused(errors.cannot_update_voice())
    limits: list[tuple[str, Any, float, float]] = [
        ("session.audio.output.speed", after["audio"]["output"].get("speed"), 0.25, 1.5),
    ]
    tokens = after.get("max_output_tokens")
    if isinstance(tokens, int):
        limits.append(("session.max_output_tokens", tokens, 1, 4096))
    detection = after["audio"]["input"].get("turn_detection") or {}
    if "threshold" in detection:
        limits.append(
            ("session.audio.input.turn_detection.threshold", detection["threshold"], 0.0, 1.0)
        )
    for param, value, low, high in limits:
        if value is None:
            continue
        if value < low:
            raise SessionUpdateRefused(errors.out_of_range(param, value, low, above=False))
        if value > high:
            raise SessionUpdateRefused(errors.out_of_range(param, value, high, above=True))


def turn_detection(session: dict[str, Any]) -> dict[str, Any] | None:
    """The session's `audio.input.turn_detection` (None: the client commits by itself)."""
    value = session["audio"]["input"].get("turn_detection")
    return value if isinstance(value, dict) else None


def vad_settings(
    detection: dict[str, Any], *, rms_threshold: float, min_speech_ms: int
) -> VadSettings:
    """Energy-VAD settings for a `turn_detection` object.

    `threshold` (0-1, default 0.5) scales the configured RMS threshold, so a session that asks
    for a less sensitive VAD gets one.
    """
    if detection.get("type") == "semantic_vad":
        silence_ms = _SEMANTIC_SILENCE_MS.get(str(detection.get("eagerness")), 700)
        return VadSettings(rms_threshold, 300, silence_ms, min_speech_ms)
    return VadSettings(
        rms_threshold=rms_threshold * float(detection.get("threshold", 0.5)) / 0.5,
        prefix_padding_ms=int(detection.get("prefix_padding_ms", 300)),
        silence_duration_ms=int(detection.get("silence_duration_ms", 500)),
        min_speech_ms=min_speech_ms,
    )


def tool_names(tools: list[dict[str, Any]] | None) -> set[str]:
    """Names of the function tools in a `tools` list."""
    return {
        str(tool["name"])
        for tool in tools or []
        if tool.get("type", "function") == "function" and tool.get("name")
    }
