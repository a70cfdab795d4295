"""Outputs of the call state machine: orders for the shell, named in the imperative."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ConfigureSession:
    """Send `session.update` built from the business's settings."""


@dataclass(frozen=True, slots=True)
class ForwardCallerAudio:
    """Append caller audio to the Realtime input buffer."""

    audio: bytes


@dataclass(frozen=True, slots=True)
class PlayAudio:
    """Send agent audio to Twilio (a `media` message)."""

    audio: bytes
    response_id: str
    item_id: str
    plays_at_ms: float = 0.0
    """When the caller should start hearing it (after what is already queued at the phone)."""


@dataclass(frozen=True, slots=True)
class SendMark:
    """Send a uniquely named Twilio mark behind the audio already queued."""

    name: str


@dataclass(frozen=True, slots=True)
class ClearPlayback:
    """Send Twilio `clear`: drop every byte of agent audio the caller has not heard yet."""


@dataclass(frozen=True, slots=True)
class CommitCallerTurn:
    """Send `input_audio_buffer.commit`: close the caller's turn ourselves (the server's VAD
    never heard the speech our detector interrupted the agent for)."""


@dataclass(frozen=True, slots=True)
class CreateReply:
    """Send `response.create`, optionally with per-reply instructions."""

    instructions: str | None = None


@dataclass(frozen=True, slots=True)
class CancelReply:
    """Send `response.cancel` for the active reply."""

    response_id: str


@dataclass(frozen=True, slots=True)
class TruncateItem:
    """Send `conversation.item.truncate` so the model forgets what the caller did not hear."""

    item_id: str
    audio_end_ms: int


@dataclass(frozen=True, slots=True)
class RunTool:
    """Run a tool off the audio path; its result comes back as `ToolFinished`."""

    call_id: str
    name: str
    arguments: str


@dataclass(frozen=True, slots=True)
class SendToolOutput:
    """Send a `function_call_output` item (it does not start a reply by itself)."""

    call_id: str
    output: str


@dataclass(frozen=True, slots=True)
class HangUp:
    """Ask Twilio (REST) to complete the call: the agent decided to end it."""

    reason: str


@dataclass(frozen=True, slots=True)
class EndCall:
    """Close both sockets, stop the call's tasks and finalise the call record, exactly once."""

    reason: str


@dataclass(frozen=True, slots=True)
class LogEvent:
    """A structured, PII-free log line worth keeping (barge-in, tool, end...)."""

    name: str
    fields: dict[str, Any] = field(default_factory=dict)


Command = (
    ConfigureSession
    | ForwardCallerAudio
    | PlayAudio
    | SendMark
    | ClearPlayback
    | CommitCallerTurn
    | CreateReply
    | CancelReply
    | TruncateItem
    | RunTool
    | SendToolOutput
    | HangUp
    | EndCall
    | LogEvent
)
