"""Inputs of the call state machine: facts, named in the past tense.

The shell decodes Twilio and Realtime frames into these (and adds its own timer and tool facts);
`Conversation.handle(event, now_ms)` turns them into commands. Time is passed alongside, never read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class CallStarted:
    """Twilio's `start` arrived: the stream is live and the call's context is known."""


@dataclass(frozen=True, slots=True)
class CallerAudioReceived:
    """One inbound Twilio media frame (mu-law bytes)."""

    audio: bytes


@dataclass(frozen=True, slots=True)
class MarkPlayed:
    """Twilio echoed a mark: everything queued before it has played (or was cleared)."""

    name: str


@dataclass(frozen=True, slots=True)
class DtmfPressed:
    """The caller pressed a key."""

    digit: str


@dataclass(frozen=True, slots=True)
class SessionConfigured:
    """The Realtime server acknowledged our `session.update` (`session.updated`)."""


@dataclass(frozen=True, slots=True)
class CallerSpeechStarted:
    """Server VAD heard the caller start (`input_audio_buffer.speech_started`)."""

    item_id: str
    audio_start_ms: int


@dataclass(frozen=True, slots=True)
class SpeechSuspected:
    """The local detector hears what may be the caller talking over the agent: pause now."""

    speech_ms: float = 0.0


@dataclass(frozen=True, slots=True)
class SpeechLikely:
    """The suspected sound now sounds like speech: stop the audio the phone still holds."""

    speech_ms: float = 0.0


@dataclass(frozen=True, slots=True)
class SpeechConfirmed:
    """The suspected speech lasted long enough: the caller is interrupting."""

    speech_ms: float = 0.0


@dataclass(frozen=True, slots=True)
class SpeechDismissed:
    """The suspected speech was a noise, a cough or an echo: carry on where the agent paused."""


@dataclass(frozen=True, slots=True)
class CallerSpeechStopped:
    """Server VAD heard the caller stop (`input_audio_buffer.speech_stopped`)."""

    item_id: str


@dataclass(frozen=True, slots=True)
class ReplyCreated:
    """`response.created`: a reply is active from now until `ReplyDone`."""

    response_id: str


@dataclass(frozen=True, slots=True)
class ReplyAudioReceived:
    """`response.output_audio.delta`: the only event that carries audio for the caller."""

    response_id: str
    item_id: str
    audio: bytes


@dataclass(frozen=True, slots=True)
class ReplyDone:
    """`response.done`: the reply is no longer active, whatever happened to its audio."""

    response_id: str
    status: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ToolCallReady:
    """`response.function_call_arguments.done`: the model asked for a tool."""

    response_id: str
    call_id: str
    name: str
    arguments: str


@dataclass(frozen=True, slots=True)
class ToolFinished:
    """A tool the shell ran has a result (a JSON string for the model)."""

    call_id: str
    output: str


@dataclass(frozen=True, slots=True)
class CallerTranscribed:
    """The caller's words for one turn (input audio transcription)."""

    item_id: str
    text: str


@dataclass(frozen=True, slots=True)
class AgentTranscribed:
    """The agent's words for one item (`response.output_audio_transcript.done`)."""

    item_id: str
    text: str


@dataclass(frozen=True, slots=True)
class RealtimeFailed:
    """The Realtime server sent an `error` event."""

    code: str | None
    message: str
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class TimerTicked:
    """Periodic tick so the machine can act on time passing (silence, limits, timeouts)."""


@dataclass(frozen=True, slots=True)
class PlayoutDue:
    """The phone's lead has run down: time to send it more of the held agent audio."""


@dataclass(frozen=True, slots=True)
class CallEnded:
    """An end signal from outside the machine: hang-up, status callback, lost socket, shutdown."""

    reason: str
    details: dict[str, Any] | None = None


Event = (
    CallStarted
    | CallerAudioReceived
    | MarkPlayed
    | DtmfPressed
    | SessionConfigured
    | CallerSpeechStarted
    | SpeechSuspected
    | SpeechLikely
    | SpeechConfirmed
    | SpeechDismissed
    | CallerSpeechStopped
    | ReplyCreated
    | ReplyAudioReceived
    | ReplyDone
    | ToolCallReady
    | ToolFinished
    | CallerTranscribed
    | AgentTranscribed
    | RealtimeFailed
    | TimerTicked
    | PlayoutDue
    | CallEnded
)
