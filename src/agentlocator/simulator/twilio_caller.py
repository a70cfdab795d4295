"""A simulated phone call as Twilio Media Streams sees it: the caller's side of `/twilio/media`.

`SimulatedCall` plays Twilio and the caller at once. It opens the WebSocket, sends `connected` and
`start`, then runs one task per direction: a `Microphone` streaming the caller's audio as 20 ms
mu-law frames in real time (silence included), and an `Earpiece` playing what the server sends
through a buffer that drains in real time and echoes marks when their audio has been heard. Two
tasks and a timer per pending mark keep a hundred concurrent calls cheap.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, Self

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from agentlocator.audio import mulaw
from agentlocator.simulator.twilio_earpiece import Earpiece, ProtocolError, StreamClock
from agentlocator.simulator.twilio_echo import EchoMixer, EchoPath
from agentlocator.simulator.twilio_microphone import Microphone
from agentlocator.simulator.twilio_playback import ClearRecord, MarkRecord
from agentlocator.simulator.twilio_signing import SIGNATURE_HEADER, sign_websocket_upgrade

logger = logging.getLogger(__name__)

DEFAULT_ACCOUNT_SID = "AC" + "0" * 32

_DTMF_DIGITS = frozenset("0123456789*#ABCD")

ClosedBy = Literal["caller", "server"]


@dataclass(frozen=True)
class CallEvent:
    """One line of the call's timeline, for debugging and JSON output."""

    at_ms: float
    kind: str
    detail: dict[str, Any] = field(default_factory=dict)


def new_sid(prefix: str) -> str:
    """A Twilio-style identifier: a two-letter prefix and 32 hex digits."""
    return prefix + uuid.uuid4().hex


class SimulatedCall:
    """One caller on one Media Streams WebSocket.

    `stream_url` is the URL from `<Stream url>`: it is what gets signed. `connect_url` is where to
    actually dial when that differs (a public `wss://` URL in the TwiML, a local server in tests).
    `signature` overrides the computed `X-Twilio-Signature` (to send a forged one). With
    `realtime=False` queued caller speech goes out as fast as the socket takes it, while idle
    silence stays paced at 20 ms. `jitter_ms` delays each frame by up to that much (drawn from
    `seed`); `record_audio=False` keeps only the timing of what was heard, to save memory in
    long benchmarks.
    """

    def __init__(
        self,
        stream_url: str,
        *,
        call_sid: str | None = None,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        stream_sid: str | None = None,
        custom_parameters: Mapping[str, str] | None = None,
        auth_token: str | None = None,
        connect_url: str | None = None,
        signature: str | None = None,
        realtime: bool = True,
        jitter_ms: float = 0.0,
        seed: int = 0,
        record_audio: bool = True,
        open_timeout_secs: float = 10.0,
        echo: EchoPath | None = None,
    ) -> None:
        self.stream_url = stream_url
        self.connect_url = connect_url or stream_url
        self.call_sid = call_sid or new_sid("CA")
        self.account_sid = account_sid
        self.stream_sid = stream_sid or new_sid("MZ")
        self.custom_parameters = dict(custom_parameters or {})
        self._auth_token = auth_token
        self._signature = signature
        self._open_timeout_secs = open_timeout_secs

        self.events: list[CallEvent] = []
        self.dtmf_sent: list[tuple[float, str]] = []
        self.closed_at_ms: float | None = None
        self.closed_by: ClosedBy | None = None
        self.close_code: int | None = None
        self.close_reason: str = ""

        self._clock = StreamClock()
        self._earpiece = Earpiece(
            self.stream_sid,
            self._clock,
            send_mark=self._send_mark,
            on_event=self._record_detail,
            record_audio=record_audio,
        )
        self._microphone = Microphone(
            self.stream_sid,
            self._clock,
            on_event=self._record_detail,
            realtime=realtime,
            jitter_ms=jitter_ms,
            seed=seed,
        )
        self._playback = self._earpiece.playback
        if echo is not None:
            self._microphone.echo = EchoMixer(
                echo, lambda since_ms: self._playback.played_since(since_ms, self.now_ms())
            )
        self._ws: ClientConnection | None = None
        self._is_hanging_up = False
        self._closed = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Dial the WebSocket, send `connected` and `start`, and begin streaming.

        Raises whatever `websockets` raises when the upgrade fails, e.g. `InvalidStatus` when the
        server refuses the signature.
        """
        loop = asyncio.get_running_loop()
        headers = {}
        if self._signature is not None:
            headers[SIGNATURE_HEADER] = self._signature
        elif self._auth_token is not None:
            headers[SIGNATURE_HEADER] = sign_websocket_upgrade(self._auth_token, self.stream_url)
        self._ws = await connect(
            self.connect_url,
            additional_headers=headers,
            open_timeout=self._open_timeout_secs,
            compression=None,
            max_size=None,
        )
        self._clock.start(loop)
        connected = {"event": "connected", "protocol": "Call", "version": "1.0.0"}
        await self._ws.send(json.dumps(connected))  # the one message without a sequenceNumber
        await self._microphone.send_now(self._ws, self._start_message())
        self._record("started", stream_sid=self.stream_sid, call_sid=self.call_sid)
        self._tasks = [
            loop.create_task(self._send_loop(), name=f"twilio-inbound-{self.call_sid}"),
            loop.create_task(self._receive_loop(), name=f"twilio-outbound-{self.call_sid}"),
        ]

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.hang_up()

    async def hang_up(self) -> None:
        """The caller hangs up: send `stop`, close the socket. Does nothing once closed."""
        if self._ws is None:
            return
        if not self._closed.is_set():
            self._is_hanging_up = True
            stop = {"accountSid": self.account_sid, "callSid": self.call_sid}
            self._microphone.queue({"event": "stop", "streamSid": self.stream_sid, "stop": stop})
            sender = self._tasks[0]
            await asyncio.wait([sender], timeout=2.0)
            self._finish("caller")
            await self._ws.close()
        await self._join_tasks()

    async def wait_closed(self, timeout: float | None = None) -> bool:  # noqa: ASYNC109  (tests want a bool)
        """Wait until either side closes the stream; False if `timeout` seconds pass first."""
        try:
            async with asyncio.timeout(timeout):
                await self._closed.wait()
        except TimeoutError:
            return False
        await self._join_tasks()
        return True

    @property
    def marks(self) -> list[MarkRecord]:
        """Every `mark` received, with when it was due and echoed."""
        return self._earpiece.marks

    @property
    def clears(self) -> list[ClearRecord]:
        """Every `clear` received, with the audio it dropped."""
        return self._earpiece.clears

    @property
    def protocol_errors(self) -> list[ProtocolError]:
        """What the server sent that Twilio would not accept."""
        return self._earpiece.protocol_errors

    @property
    def frames_sent(self) -> int:
        """Inbound media frames sent so far."""
        return self._microphone.frames_sent

    @property
    def said(self) -> list[tuple[float, int]]:
        """Caller speech as `(start_ms on the inbound timeline, bytes)`."""
        return self._microphone.said

    @property
    def is_closed(self) -> bool:
        """True once the stream has ended, whoever ended it."""
        return self._closed.is_set()

    # -- what the caller does --------------------------------------------------------------------

    def say(self, audio: bytes) -> float:
        """Queue caller speech (8 kHz mu-law); returns its start on the inbound timeline (ms).

        It goes out from the next free frame on, padded with silence to whole 20 ms frames; after
        it the microphone is silent again.
        """
        return self._microphone.say(audio)

    async def send_raw(self, frame: str | bytes) -> None:
        """Send one frame exactly as given (fault injection: garbage, binary, wrong shapes)."""
        if self._ws is None or self._closed.is_set():
            raise RuntimeError("the stream is not open")
        await self._ws.send(frame)

    def press(self, digit: str) -> None:
        """Send a `dtmf` event for one keypad key."""
        if digit not in _DTMF_DIGITS:
            raise ValueError(f"not a DTMF digit: {digit!r}")
        self.dtmf_sent.append((self.now_ms(), digit))
        dtmf = {"track": "inbound_track", "digit": digit}
        self._microphone.queue({"event": "dtmf", "streamSid": self.stream_sid, "dtmf": dtmf})

    # -- what the caller heard -------------------------------------------------------------------

    def now_ms(self) -> float:
        """Milliseconds since the `start` message (0 before the stream starts)."""
        return self._clock.now_ms()

    @property
    def played(self) -> list[tuple[float, bytes]]:
        """Runs of audio the caller heard, as `(start_ms, audio)`, oldest first."""
        return self._playback.played(self.now_ms())

    def played_audio(self) -> bytes:
        """Every byte the caller heard, in order."""
        return b"".join(audio for _, audio in self.played)

    def heard_ms_at(self, t_ms: float) -> float:
        """Milliseconds of server audio the caller had heard by stream time `t_ms`."""
        return self._playback.heard_ms_at(t_ms, self.now_ms())

    def queued_ms(self) -> float:
        """Server audio received but not yet played."""
        return self._playback.queued_ms(self.now_ms())

    def summary(self) -> dict[str, Any]:
        """A compact JSON-ready account of the call."""
        now_ms = self.now_ms()
        echoed = [mark for mark in self.marks if mark.echoed_ms is not None]
        return {
            "call_sid": self.call_sid,
            "stream_sid": self.stream_sid,
            "duration_ms": round(self.closed_at_ms if self.closed_at_ms is not None else now_ms),
            "frames_sent": self.frames_sent,
            "caller_audio_ms": sum(count for _, count in self.said) / mulaw.BYTES_PER_MS,
            "dtmf_sent": "".join(digit for _, digit in self.dtmf_sent),
            "received_audio_ms": self._playback.received_bytes / mulaw.BYTES_PER_MS,
            "heard_ms": self._playback.played_bytes(now_ms) / mulaw.BYTES_PER_MS,
            "dropped_ms": self._playback.dropped_bytes / mulaw.BYTES_PER_MS,
            "marks_received": len(self.marks),
            "marks_echoed": len(echoed),
            "marks_flushed_by_clear": sum(mark.flushed_by_clear for mark in echoed),
            "clears": len(self.clears),
            "protocol_errors": [f"{error.kind}: {error.detail}" for error in self.protocol_errors],
            "closed_by": self.closed_by,
            "closed_at_ms": None if self.closed_at_ms is None else round(self.closed_at_ms, 1),
            "close_code": self.close_code,
        }

    # -- inbound direction: caller -> server -----------------------------------------------------

    def _start_message(self) -> dict[str, Any]:
        return {
            "event": "start",
            "streamSid": self.stream_sid,
            "start": {
                "streamSid": self.stream_sid,
                "accountSid": self.account_sid,
                "callSid": self.call_sid,
                "tracks": ["inbound"],
                "customParameters": self.custom_parameters,
                "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            },
        }

    async def _send_loop(self) -> None:
        assert self._ws is not None
        try:
            await self._microphone.run(self._ws)
        except ConnectionClosed:
            pass  # the receive loop records who closed and when
        except Exception:
            logger.exception("simulator.send_loop_failed")
            self._record("internal_error", direction="inbound")

    # -- outbound direction: server -> caller ----------------------------------------------------

    async def _receive_loop(self) -> None:
        assert self._ws is not None
        try:
            async for message in self._ws:
                self._earpiece.handle(message)
        except ConnectionClosed:
            pass
        except Exception:
            logger.exception("simulator.receive_loop_failed")
            self._record("internal_error", direction="outbound")
        finally:
            self.close_code = self._ws.close_code
            self.close_reason = self._ws.close_reason or ""
            self._finish("caller" if self._is_hanging_up else "server")

    # -- shared ----------------------------------------------------------------------------------

    def _finish(self, closed_by: ClosedBy) -> None:
        if self._closed.is_set():
            return
        now_ms = self.now_ms()
        self.closed_at_ms = now_ms
        self.closed_by = closed_by
        dropped = self._earpiece.close()
        self._record("closed", by=closed_by, unplayed_bytes=dropped)
        self._closed.set()
        self._microphone.stop()

    async def _join_tasks(self) -> None:
        current = asyncio.current_task()
        others = [task for task in self._tasks if task is not current and not task.done()]
        if others:
            await asyncio.wait(others, timeout=5.0)
        for task in others:
            if not task.done():
                task.cancel()

    def _record(self, kind: str, /, **detail: Any) -> None:
        self._record_detail(kind, detail)

    def _record_detail(self, kind: str, detail: dict[str, Any]) -> None:
        self.events.append(CallEvent(round(self.now_ms(), 3), kind, detail))

    def _send_mark(self, name: str) -> None:
        mark = {"event": "mark", "streamSid": self.stream_sid, "mark": {"name": name}}
        self._microphone.queue(mark)
