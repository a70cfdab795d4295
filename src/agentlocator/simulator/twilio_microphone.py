"""The inbound direction of a simulated call: everything Twilio sends to the server, in order.

`Microphone` streams the caller's audio as 20 ms mu-law `media` frames on a fixed real-time
schedule (silence when the caller is quiet) and slips control messages (`mark` echoes, `dtmf`,
`stop`) in between them as soon as they are queued. One coroutine sends everything, so
`sequenceNumber` counts messages in exactly the order the server receives them.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
from collections import deque
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection

from agentlocator.audio import mulaw
from agentlocator.simulator.twilio_earpiece import StreamClock
from agentlocator.simulator.twilio_echo import EchoMixer

_FRAME_SECS = mulaw.FRAME_MS / 1000
_SILENT_FRAME = mulaw.silence(mulaw.FRAME_MS)
_SILENT_PAYLOAD = base64.b64encode(_SILENT_FRAME).decode("ascii")
# Media is the hot path (50 messages a second per call): filling a fixed template is several
# times cheaper than json.dumps, and every interpolated value is JSON-safe.
_MEDIA_TEMPLATE = (
    '{{"event":"media","sequenceNumber":"{seq}","streamSid":"{sid}","media":{{"track":"inbound",'
    '"chunk":"{chunk}","timestamp":"{timestamp}","payload":"{payload}"}}}}'
)


class Microphone:
    """Paces caller audio onto the socket and carries the caller side's control messages.

    Frame n (from 1) leaves at stream time n*20 ms with `chunk` n and `timestamp` n*20. The
    schedule is fixed, so a late wake-up is followed by a catch-up instead of a drift; jitter
    delays single frames without moving it. With `realtime=False` queued speech leaves as fast
    as the socket takes it and only idle silence is paced.
    """

    def __init__(
        self,
        stream_sid: str,
        clock: StreamClock,
        *,
        on_event: Callable[[str, dict[str, Any]], None],
        realtime: bool = True,
        jitter_ms: float = 0.0,
        seed: int = 0,
        echo: EchoMixer | None = None,
    ) -> None:
        self.stream_sid = stream_sid
        self.echo = echo
        self.frames_sent = 0
        self.said: list[tuple[float, int]] = []
        self._clock = clock
        self._on_event = on_event
        self._realtime = realtime
        self._jitter_secs = max(0.0, jitter_ms) / 1000
        self._random = random.Random(seed)
        self._sequence = 0
        self._speech = bytearray()
        self._control: deque[dict[str, Any]] = deque()
        self._wakeup: asyncio.Future[None] | None = None
        self._is_stopped = False

    def say(self, audio: bytes) -> float:
        """Queue speech from the next free frame on; returns its start on the inbound timeline."""
        start_ms = float(
            (self.frames_sent + len(self._speech) // mulaw.FRAME_BYTES) * mulaw.FRAME_MS
        )
        remainder = len(audio) % mulaw.FRAME_BYTES
        self._speech += audio
        if remainder:
            self._speech += _SILENT_FRAME[: mulaw.FRAME_BYTES - remainder]
        self.said.append((start_ms, len(audio)))
        self._on_event("caller_audio", {"starts_at_ms": start_ms, "bytes": len(audio)})
        self.wake()
        return start_ms

    def queue(self, message: dict[str, Any]) -> None:
        """Send a control message (without `sequenceNumber`) before the next frame."""
        self._control.append(message)
        self.wake()

    def stop(self) -> None:
        """End `run` without sending anything more."""
        self._is_stopped = True
        self.wake()

    def wake(self) -> None:
        """Interrupt the wait for the next frame: there is something to send now."""
        if self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)

    async def send_now(self, ws: ClientConnection, message: dict[str, Any]) -> None:
        """Number and send one message immediately (`start`, before `run` begins)."""
        self._sequence += 1
        await ws.send(json.dumps({**message, "sequenceNumber": str(self._sequence)}))

    async def run(self, ws: ClientConnection) -> None:
        """Stream until `stop()`, or until a queued `stop` event has been sent."""
        loop = asyncio.get_running_loop()
        last_frame_at = self._clock.loop_time(0.0)
        jitter = self._next_jitter()
        while not self._is_stopped:
            while self._control:
                message = self._control.popleft()
                await self.send_now(ws, message)
                if message["event"] == "stop":
                    return
            if self._realtime:
                due = self._clock.loop_time((self.frames_sent + 1) * mulaw.FRAME_MS) + jitter
            elif self._speech:
                due = loop.time()
            else:
                due = last_frame_at + _FRAME_SECS
            if loop.time() < due:
                await self._sleep_until(loop, due)
                continue
            await self._send_frame(ws)
            last_frame_at = loop.time()
            jitter = self._next_jitter()
            if not self._realtime:
                await asyncio.sleep(0)  # unpaced frames must still let the receiver run

    def _next_jitter(self) -> float:
        return self._random.uniform(0.0, self._jitter_secs) if self._jitter_secs else 0.0

    async def _send_frame(self, ws: ClientConnection) -> None:
        frame: bytes | None = None
        if self._speech:
            frame = bytes(self._speech[: mulaw.FRAME_BYTES])
            del self._speech[: mulaw.FRAME_BYTES]
        if self.echo is not None:
            captured_from_ms = self.frames_sent * mulaw.FRAME_MS
            frame = self.echo.mix(frame or _SILENT_FRAME, captured_from_ms)
        payload = _SILENT_PAYLOAD if frame is None else base64.b64encode(frame).decode("ascii")
        self.frames_sent += 1
        self._sequence += 1
        message = _MEDIA_TEMPLATE.format(
            seq=self._sequence,
            sid=self.stream_sid,
            chunk=self.frames_sent,
            timestamp=self.frames_sent * mulaw.FRAME_MS,
            payload=payload,
        )
        await ws.send(message)

    async def _sleep_until(self, loop: asyncio.AbstractEventLoop, when: float) -> None:
        """Sleep until loop time `when` or until `wake()`, whichever comes first."""
        wakeup = loop.create_future()
        timer = loop.call_at(when, _resolve, wakeup)
        self._wakeup = wakeup
        try:
            await wakeup
        finally:
            timer.cancel()
            self._wakeup = None


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
