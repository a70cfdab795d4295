"""The outbound direction of a simulated call: what the server sends and what the caller hears.

`Earpiece` accepts only what Twilio accepts on a bidirectional stream (`media`, `mark`, `clear`
text frames carrying the stream's SID), records everything else as a protocol error, plays audio
through a `PlaybackBuffer` and echoes each mark the moment its audio has been heard.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agentlocator.simulator.twilio_playback import ClearRecord, MarkRecord, PlaybackBuffer

logger = logging.getLogger(__name__)

_ACCEPTED_EVENTS = ("media", "mark", "clear")


@dataclass(frozen=True)
class ProtocolError:
    """Something the server sent that Twilio would refuse (errors 31924, 31950) or mangle."""

    at_ms: float
    kind: str
    detail: str


class StreamClock:
    """Stream time: milliseconds since the `start` message, on the event loop's monotonic clock."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._t0 = 0.0

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Stream time 0 is now."""
        self._loop = loop
        self._t0 = loop.time()

    def now_ms(self) -> float:
        """Milliseconds since `start` (0 before it)."""
        return 0.0 if self._loop is None else (self._loop.time() - self._t0) * 1000

    def loop_time(self, at_ms: float) -> float:
        """The loop time of stream time `at_ms`."""
        return self._t0 + at_ms / 1000

    def call_at_ms(self, at_ms: float, callback: Callable[[], None]) -> asyncio.TimerHandle:
        """Run `callback` at stream time `at_ms`."""
        assert self._loop is not None, "the stream has not started"
        return self._loop.call_at(self.loop_time(at_ms), callback)


class Earpiece:
    """Validates and plays the server's messages; `send_mark` carries each echo back."""

    def __init__(
        self,
        stream_sid: str,
        clock: StreamClock,
        *,
        send_mark: Callable[[str], None],
        on_event: Callable[[str, dict[str, Any]], None],
        record_audio: bool = True,
    ) -> None:
        self.stream_sid = stream_sid
        self.playback = PlaybackBuffer(record_audio=record_audio)
        self.marks: list[MarkRecord] = []
        self.clears: list[ClearRecord] = []
        self.protocol_errors: list[ProtocolError] = []
        self._clock = clock
        self._send_mark = send_mark
        self._on_event = on_event
        self._mark_timers: dict[int, asyncio.TimerHandle] = {}
        self._is_closed = False

    def handle(self, message: str | bytes) -> None:
        """Process one WebSocket message from the server."""
        if self._is_closed:
            return
        if isinstance(message, bytes):
            self._protocol_error("binary_frame", f"{len(message)} bytes")
            return
        try:
            data = json.loads(message)
        except ValueError:
            self._protocol_error("invalid_json", message[:80])
            return
        event = data.get("event") if isinstance(data, dict) else None
        if event not in _ACCEPTED_EVENTS:
            self._protocol_error("unknown_event", repr(event))
            return
        if data.get("streamSid") != self.stream_sid:
            self._protocol_error("wrong_stream_sid", f"{event}: {data.get('streamSid')!r}")
            return
        match event:
            case "media":
                self._on_media(data.get("media"))
            case "mark":
                self._on_mark(data.get("mark"))
            case _:
                self._on_clear()

    def close(self) -> int:
        """The call ended: stop playing, forget pending marks; returns the unplayed bytes."""
        self._is_closed = True
        for timer in self._mark_timers.values():
            timer.cancel()
        self._mark_timers.clear()
        return self.playback.stop(self._clock.now_ms())

    def _on_media(self, media: object) -> None:
        payload = media.get("payload") if isinstance(media, dict) else None
        if not isinstance(payload, str):
            self._protocol_error("bad_payload", "media.payload is missing or not a string")
            return
        try:
            audio = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            self._protocol_error("bad_payload", "media.payload is not valid base64")
            return
        if audio[:4] == b"RIFF":
            # Twilio wants raw mu-law; it would play a WAV header as noise, so the log skips it.
            self._protocol_error("wav_header", "media.payload starts with a RIFF header")
            return
        now_ms = self._clock.now_ms()
        self.playback.append(audio, now_ms)
        queued_ms = self.playback.queued_ms(now_ms)
        self._on_event("media_received", {"bytes": len(audio), "queued_ms": queued_ms})

    def _on_mark(self, mark: object) -> None:
        name = mark.get("name") if isinstance(mark, dict) else None
        if not isinstance(name, str):
            self._protocol_error("bad_mark", "mark.name is missing or not a string")
            return
        record = MarkRecord(name=name, received_ms=self._clock.now_ms())
        self.marks.append(record)
        self._on_event("mark_received", {"name": name})
        if not self.playback.add_mark(record, record.received_ms):
            self._echo(record)
            return
        assert record.due_ms is not None
        timer = self._clock.call_at_ms(record.due_ms, lambda: self._on_mark_due(record))
        self._mark_timers[id(record)] = timer

    def _on_mark_due(self, record: MarkRecord) -> None:
        assert record.due_ms is not None
        for due in self.playback.take_marks_due_by(record.due_ms):
            self._cancel_timer(due)
            self._echo(due)

    def _on_clear(self) -> None:
        now_ms = self._clock.now_ms()
        dropped, flushed = self.playback.clear(now_ms)
        self.clears.append(ClearRecord(now_ms, dropped, tuple(mark.name for mark in flushed)))
        self._on_event("clear", {"dropped_bytes": dropped, "flushed_marks": len(flushed)})
        for mark in flushed:
            self._cancel_timer(mark)
            mark.flushed_by_clear = True
            self._echo(mark)

    def _cancel_timer(self, mark: MarkRecord) -> None:
        timer = self._mark_timers.pop(id(mark), None)
        if timer is not None:
            timer.cancel()

    def _echo(self, mark: MarkRecord) -> None:
        mark.echoed_ms = self._clock.now_ms()
        self._on_event("mark_echoed", {"name": mark.name, "on_clear": mark.flushed_by_clear})
        self._send_mark(mark.name)

    def _protocol_error(self, kind: str, detail: str) -> None:
        self.protocol_errors.append(ProtocolError(self._clock.now_ms(), kind, detail))
        self._on_event("protocol_error", {"kind": kind, "detail": detail})
        logger.warning("simulator.protocol_error", extra={"kind": kind})
