"""The caller's side of a fake Realtime session: the input audio timeline, VAD, and commits.

Appended audio is never acknowledged; it only moves the timeline (milliseconds of audio appended
this session, computed from byte counts) and feeds the energy VAD. A detected turn produces
`speech_started` -> `speech_stopped` -> `committed` -> the user item -> an auto-response, with
barge-in cancellation and the idle timeout (both measured on the same timeline, so they are
deterministic for a given audio stream). Input transcription is delivered later, from a task,
so it can land before or after the response it belongs to, as it does in production.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Coroutine
from typing import Any, Protocol

from agentlocator.simulator import realtime_errors as errors
from agentlocator.simulator import realtime_session as sessions
from agentlocator.simulator.realtime_audio import AudioFormat
from agentlocator.simulator.realtime_config import Clock, FakeRealtimeConfig
from agentlocator.simulator.realtime_conversation import Conversation
from agentlocator.simulator.realtime_errors import RealtimeApiError
from agentlocator.simulator.realtime_record import ItemRecord
from agentlocator.simulator.realtime_script import RealtimeScript, ScriptStep
from agentlocator.simulator.realtime_vad import EnergyVad, SpeechStarted, SpeechStopped

_MIN_COMMIT_MS = 100.0
_MAX_APPEND_BYTES = 15 * 1024 * 1024


class TurnHost(Protocol):
    """What `InputTurns` needs from the engine."""

    config: FakeRealtimeConfig
    script: RealtimeScript
    conversation: Conversation
    clock: Clock

    @property
    def active_response_id(self) -> str | None:
        """The response still generating, if any."""

    def session_config(self) -> dict[str, Any]:
        """The live session object."""

    def new_id(self, prefix: str) -> str:
        """A fresh id with the given prefix."""

    def uniform(self, low: float, high: float) -> float:
        """A draw from the engine's seeded random source."""

    def emit(self, event: dict[str, Any]) -> None:
        """Send a server event."""

    def send_error(self, error: RealtimeApiError, event_id: str | None) -> None:
        """Send an `error` event."""

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run a task the engine owns."""

    def start_response(
        self, trigger: str, step: ScriptStep | None, params: dict[str, Any] | None = None
    ) -> object:
        """Create a response."""

    def cancel_active(self, reason: str) -> bool:
        """Cancel the active response."""


class InputTurns:
    """Input audio buffer, VAD and idle timer of one session."""

    def __init__(self, host: TurnHost) -> None:
        self._host = host
        self.timeline_ms = 0.0
        self._buffer_start_ms = 0.0
        self._format = AudioFormat("audio/pcm")
        self._detection: dict[str, Any] | None = None
        self._vad: EnergyVad | None = None
        self._speech_item_id: str | None = None
        self._speech_start_ms = 0
        self._idle_start_ms = 0.0
        self._idle_deadline_ms: float | None = None

    @property
    def buffered_ms(self) -> float:
        """Audio in the input buffer, i.e. appended since the last commit or clear."""
        return self.timeline_ms - self._buffer_start_ms

    def reconfigure(self) -> None:
        """Follow the session's input format and turn detection after an update."""
        config = self._host.config
        session = self._host.session_config()
        audio_format = AudioFormat.from_wire(session["audio"]["input"]["format"])
        detection = sessions.turn_detection(session)
        self._detection = detection
        if detection is None:
            self._vad = None
            self._speech_item_id = None
            self._idle_deadline_ms = None
        else:
            settings = sessions.vad_settings(
                detection,
                rms_threshold=config.vad_rms_threshold,
                min_speech_ms=config.vad_min_speech_ms,
            )
            if self._vad is None or audio_format.sample_rate_hz != self._format.sample_rate_hz:
                rate = audio_format.sample_rate_hz
                self._vad = EnergyVad(settings, rate, start_ms=int(self.timeline_ms))
            else:
                self._vad.settings = settings
            if self._idle_timeout_ms() is None:
                self._idle_deadline_ms = None
        self._format = audio_format

    def append_encoded(self, audio: str, event_id: str | None) -> None:
        """`input_audio_buffer.append` as sent: base64 of at most 15 MiB, else an error."""
        try:
            data = base64.b64decode(audio, validate=True)
        except (binascii.Error, ValueError):
            self._host.send_error(
                RealtimeApiError(
                    "invalid_value", "Invalid 'audio': expected base64-encoded audio.", "audio"
                ),
                event_id,
            )
            return
        if len(data) > _MAX_APPEND_BYTES:
            self._host.send_error(
                RealtimeApiError(
                    "invalid_value", "Invalid 'audio': at most 15 MiB per append.", "audio"
                ),
                event_id,
            )
            return
        self.append(data)

    def append(self, data: bytes) -> None:
        """`input_audio_buffer.append`: extend the timeline and run the VAD over the audio."""
        self.timeline_ms += self._format.duration_ms(len(data))
        if self._vad is not None:
            for event in self._vad.feed(self._format.to_linear(data)):
                if isinstance(event, SpeechStarted):
                    self._speech_started(event)
                elif isinstance(event, SpeechStopped):
                    self._speech_stopped(event)
        self._check_idle()

    def commit_manually(self, event_id: str | None) -> None:
        """`input_audio_buffer.commit`: at least 100 ms, or the API's error."""
        if self.buffered_ms < _MIN_COMMIT_MS:
            self._host.send_error(errors.commit_empty(self.buffered_ms), event_id)
            return
        item_id = self._speech_item_id or self._host.new_id("item")
        self._speech_item_id = None
        if self._vad is not None:
            self._vad.reset(int(self.timeline_ms))
        self._commit(item_id, self._buffer_start_ms, self.timeline_ms, trigger="manual")

    def clear(self) -> None:
        """`input_audio_buffer.clear`: drop the buffer and any speech in progress."""
        self._buffer_start_ms = self.timeline_ms
        self._speech_item_id = None
        if self._vad is not None:
            self._vad.reset(int(self.timeline_ms))

    def response_started(self) -> None:
        """A response began: the idle timer stops."""
        self._idle_deadline_ms = None

    def response_finished(self, audio_ms: float) -> None:
        """Arm the idle timer: it runs from the end of the reply's audio, not from `done`."""
        idle_ms = self._idle_timeout_ms()
        if idle_ms is None:
            return
        self._idle_start_ms = self.timeline_ms + audio_ms
        self._idle_deadline_ms = self._idle_start_ms + idle_ms

    def _idle_timeout_ms(self) -> int | None:
        detection = self._detection
        if detection is None or detection.get("type") != "server_vad":
            return None
        value = detection.get("idle_timeout_ms")
        return int(value) if value is not None else None

    def _speech_started(self, event: SpeechStarted) -> None:
        host = self._host
        self._speech_item_id = host.new_id("item")
        self._speech_start_ms = event.audio_start_ms
        self._idle_deadline_ms = None
        host.emit(
            {
                "type": "input_audio_buffer.speech_started",
                "audio_start_ms": event.audio_start_ms,
                "item_id": self._speech_item_id,
            }
        )
        detection = self._detection or {}
        if detection.get("interrupt_response", True) and host.active_response_id is not None:
            host.cancel_active("turn_detected")

    def _speech_stopped(self, event: SpeechStopped) -> None:
        item_id = self._speech_item_id or self._host.new_id("item")
        self._speech_item_id = None
        self._idle_deadline_ms = None
        self._host.emit(
            {
                "type": "input_audio_buffer.speech_stopped",
                "audio_end_ms": event.audio_end_ms,
                "item_id": item_id,
            }
        )
        self._commit(item_id, self._speech_start_ms, event.audio_end_ms, trigger="turn")

    def _check_idle(self) -> None:
        deadline = self._idle_deadline_ms
        if deadline is None or self.timeline_ms < deadline:
            return
        if self._host.active_response_id is not None or (self._vad and self._vad.in_speech):
            return
        self._idle_deadline_ms = None
        item_id = self._host.new_id("item")
        self._host.emit(
            {
                "type": "input_audio_buffer.timeout_triggered",
                "audio_start_ms": int(self._idle_start_ms),
                "audio_end_ms": int(self.timeline_ms),
                "item_id": item_id,
            }
        )
        if self._vad is not None:
            self._vad.reset(int(self.timeline_ms))
        self._commit(item_id, self._buffer_start_ms, self.timeline_ms, trigger="idle")

    def _commit(self, item_id: str, start_ms: float, end_ms: float, *, trigger: str) -> None:
        host = self._host
        conversation = host.conversation
        host.emit(
            {
                "type": "input_audio_buffer.committed",
                "previous_item_id": conversation.last_item_id,
                "item_id": item_id,
            }
        )
        wire = {
            "id": item_id,
            "object": "realtime.item",
            "type": "message",
            "status": "completed",
            "role": "user",
            "content": [{"type": "input_audio", "transcript": None}],
        }
        record = ItemRecord(
            item_id, "message", role="user", audio_start_ms=int(start_ms), audio_end_ms=int(end_ms)
        )
        previous = conversation.add(wire, record)
        for kind in ("conversation.item.added", "conversation.item.done"):
            host.emit({"type": kind, "previous_item_id": previous, "item": wire})
        self._buffer_start_ms = max(self._buffer_start_ms, end_ms)
        step, transcript = self._step_for(trigger)
        self._schedule_transcription(item_id, transcript, record)
        if step is not None:
            host.start_response(trigger, step)

    def _step_for(self, trigger: str) -> tuple[ScriptStep | None, str]:
        # The step that answers this turn also says what the turn transcribes to; a turn that
        # starts no response (create_response off, or a response already active) only peeks.
        script = self._host.script
        if trigger == "idle":
            return ScriptStep(say=script.idle_reply), ""
        detection = self._detection or {}
        answers = (
            trigger == "turn"
            and detection.get("create_response", True)
            and self._host.active_response_id is None
        )
        if answers:
            step = script.next_step() or ScriptStep(say=script.fallback_reply)
            return step, step.caller_transcript
        upcoming = script.peek_step()
        return None, upcoming.caller_transcript if upcoming else ""

    def _schedule_transcription(self, item_id: str, transcript: str, record: ItemRecord) -> None:
        if not self._host.session_config()["audio"]["input"].get("transcription"):
            return
        delay_secs = self._host.uniform(*self._host.config.transcription_delay_ms) / 1000.0
        self._host.spawn(self._transcribe_later(item_id, transcript, record, delay_secs))

    async def _transcribe_later(
        self, item_id: str, transcript: str, record: ItemRecord, delay_secs: float
    ) -> None:
        await self._host.clock.sleep(delay_secs)
        record.transcript = transcript
        if item_id in self._host.conversation:
            self._host.conversation.wire_item(item_id)["content"][0]["transcript"] = transcript
        audio_tokens = max(1, ((record.audio_end_ms or 0) - (record.audio_start_ms or 0)) // 100)
        text_tokens = max(1, len(transcript) // 4)
        self._host.emit(
            {
                "type": "conversation.item.input_audio_transcription.completed",
                "item_id": item_id,
                "content_index": 0,
                "transcript": transcript,
                "usage": {
                    "type": "tokens",
                    "input_tokens": audio_tokens,
                    "output_tokens": text_tokens,
                    "total_tokens": audio_tokens + text_tokens,
                    "input_token_details": {"audio_tokens": audio_tokens, "text_tokens": 0},
                },
            }
        )
