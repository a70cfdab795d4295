"""The OpenAI Realtime GA wire format: the client events we send and the server events we read.

Vendor names stay verbatim here; `decode_server_event` translates them into the call machine's own
vocabulary in this one place. Unknown or uninteresting server events decode to None.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from agentlocator.call import events as ev

TRANSCRIPTION_MODEL = "gpt-transcribe"


@dataclass(frozen=True, slots=True)
class SessionSettings:
    """What a call's Realtime session is configured with."""

    instructions: str
    tools: list[dict[str, Any]] = field(default_factory=list)
    voice: str = "marin"
    vad_threshold: float = 0.5
    prefix_padding_ms: int = 300
    silence_duration_ms: int = 500
    is_reply_automatic: bool = True
    """Server VAD answers each caller turn by itself; off when the call machine decides."""


def session_update(settings: SessionSettings) -> dict[str, Any]:
    """`session.update` for a phone call: G.711 mu-law both ways, so Twilio audio passes untouched.

    Server VAD never cancels a reply on its own (`interrupt_response: false`): barge-in is decided
    by the call machine, which then cancels. It answers each caller turn by itself
    (`create_response`) unless the machine decides that too (a cough over the agent's reply must
    not get an answer of its own).
    """
    return {
        "type": "session.update",
        "session": {
            "type": "realtime",
            "output_modalities": ["audio"],
            "instructions": settings.instructions,
            "audio": {
                "input": {
                    "format": {"type": "audio/pcmu"},
                    "turn_detection": {
                        "type": "server_vad",
                        "threshold": settings.vad_threshold,
                        "prefix_padding_ms": settings.prefix_padding_ms,
                        "silence_duration_ms": settings.silence_duration_ms,
                        "create_response": settings.is_reply_automatic,
                        "interrupt_response": False,
                    },
                    "transcription": {"model": TRANSCRIPTION_MODEL},
                    "noise_reduction": {"type": "near_field"},
                },
                "output": {"format": {"type": "audio/pcmu"}, "voice": settings.voice},
            },
            "tools": settings.tools,
            "tool_choice": "auto",
        },
    }


def append_audio(audio: bytes) -> dict[str, Any]:
    return {"type": "input_audio_buffer.append", "audio": base64.b64encode(audio).decode("ascii")}


def commit_input_audio() -> dict[str, Any]:
    return {"type": "input_audio_buffer.commit"}


def create_response(instructions: str | None) -> dict[str, Any]:
    if instructions is None:
        return {"type": "response.create"}
    return {"type": "response.create", "response": {"instructions": instructions}}


def cancel_response(response_id: str) -> dict[str, Any]:
    return {"type": "response.cancel", "response_id": response_id}


def truncate_item(item_id: str, audio_end_ms: int) -> dict[str, Any]:
    return {
        "type": "conversation.item.truncate",
        "item_id": item_id,
        "content_index": 0,
        "audio_end_ms": audio_end_ms,
    }


def function_call_output(call_id: str, output: str) -> dict[str, Any]:
    return {
        "type": "conversation.item.create",
        "item": {"type": "function_call_output", "call_id": call_id, "output": output},
    }


def decode_server_event(event: dict[str, Any]) -> ev.Event | None:
    """Translate one Realtime server event into a call event (None when the call ignores it)."""
    match event.get("type"):
        case "response.output_audio.delta":
            return ev.ReplyAudioReceived(
                event["response_id"], event["item_id"], base64.b64decode(event["delta"])
            )
        case "input_audio_buffer.speech_started":
            return ev.CallerSpeechStarted(event.get("item_id", ""), int(event["audio_start_ms"]))
        case "input_audio_buffer.speech_stopped":
            return ev.CallerSpeechStopped(event.get("item_id", ""))
        case "response.created":
            return ev.ReplyCreated(event["response"]["id"])
        case "response.done":
            response = event["response"]
            details = response.get("status_details") or {}
            return ev.ReplyDone(response["id"], response["status"], details.get("reason"))
        case "response.function_call_arguments.done":
            return ev.ToolCallReady(
                event["response_id"], event["call_id"], event["name"], event["arguments"]
            )
        case "session.updated":
            return ev.SessionConfigured()
        case "conversation.item.input_audio_transcription.completed":
            return ev.CallerTranscribed(event["item_id"], event.get("transcript", ""))
        case "response.output_audio_transcript.done":
            return ev.AgentTranscribed(event["item_id"], event.get("transcript", ""))
        case "error":
            error = event.get("error") or {}
            return ev.RealtimeFailed(
                error.get("code"), str(error.get("message", "")), error.get("event_id")
            )
        case _:
            return None
