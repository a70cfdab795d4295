"""SimulatedCall against a scripted bridge: the Twilio side of `/twilio/media` in real time."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import re
import statistics
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from twilio.request_validator import RequestValidator
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.http11 import Request, Response

from agentlocator.audio import mulaw
from agentlocator.simulator.speech import synthetic_speech
from agentlocator.simulator.twilio_caller import SimulatedCall
from agentlocator.simulator.twilio_signing import SIGNATURE_HEADER

PUBLIC_STREAM_URL = "wss://bridge.example.com/twilio/media"
TOKEN = "bridge-auth-token"
TIMING_TOLERANCE_MS = 15.0


@dataclass
class Received:
    at: float  # loop time of arrival at the bridge
    raw: str | bytes
    data: dict[str, Any]


class FakeBridge:
    """Our server's media endpoint, reduced to a script: records every frame with its time."""

    def __init__(self, auth_token: str | None = None) -> None:
        self.auth_token = auth_token
        self.received: list[Received] = []
        self.closed = asyncio.Event()
        self.url = ""
        self._connection: ServerConnection | None = None
        self._connected = asyncio.Event()
        self._arrival = asyncio.Condition()
        self._server: Server | None = None

    async def __aenter__(self) -> FakeBridge:
        self._server = await serve(
            self._handle, "127.0.0.1", 0, process_request=self._check_signature, compression=None
        )
        port = next(iter(self._server.sockets)).getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/twilio/media"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    def _check_signature(self, connection: ServerConnection, request: Request) -> Response | None:
        if self.auth_token is None:
            return None
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if RequestValidator(self.auth_token).validate(PUBLIC_STREAM_URL, {}, signature):
            return None
        return connection.respond(403, "bad signature\n")

    async def _handle(self, connection: ServerConnection) -> None:
        self._connection = connection
        self._connected.set()
        loop = asyncio.get_running_loop()
        try:
            async for raw in connection:
                data = json.loads(raw) if isinstance(raw, str) else {}
                self.received.append(Received(loop.time(), raw, data))
                async with self._arrival:
                    self._arrival.notify_all()
        except ConnectionClosed:
            pass
        self.closed.set()

    async def connection(self) -> ServerConnection:
        await asyncio.wait_for(self._connected.wait(), 2.0)
        assert self._connection is not None
        return self._connection

    async def send(self, message: dict[str, Any] | str | bytes) -> float:
        """Send one frame; returns the loop time just before sending."""
        connection = await self.connection()
        at = asyncio.get_running_loop().time()
        await connection.send(json.dumps(message) if isinstance(message, dict) else message)
        return at

    async def wait_for(
        self, event: str, count: int = 1, within_secs: float = 2.0
    ) -> list[Received]:
        async with asyncio.timeout(within_secs), self._arrival:
            await self._arrival.wait_for(lambda: len(self.events(event)) >= count)
        return self.events(event)

    def events(self, event: str) -> list[Received]:
        return [message for message in self.received if message.data.get("event") == event]


@pytest.fixture
async def bridge() -> AsyncIterator[FakeBridge]:
    async with FakeBridge() as fake:
        yield fake


def media(stream_sid: str, audio: bytes) -> dict[str, Any]:
    payload = base64.b64encode(audio).decode("ascii")
    return {"event": "media", "streamSid": stream_sid, "media": {"payload": payload}}


def mark(stream_sid: str, name: str) -> dict[str, Any]:
    return {"event": "mark", "streamSid": stream_sid, "mark": {"name": name}}


def ramp(count: int) -> bytes:
    return bytes(i % 251 for i in range(count))


async def test_connected_then_start_then_numbered_media(bridge: FakeBridge) -> None:
    call = SimulatedCall(
        PUBLIC_STREAM_URL, connect_url=bridge.url, custom_parameters={"tenant": "acme"}
    )
    async with call:
        await bridge.wait_for("media", count=3)
    first, second = bridge.received[0].data, bridge.received[1].data
    assert first == {"event": "connected", "protocol": "Call", "version": "1.0.0"}
    assert re.fullmatch(r"MZ[0-9a-f]{32}", call.stream_sid)
    assert re.fullmatch(r"CA[0-9a-f]{32}", call.call_sid)
    assert second == {
        "event": "start",
        "sequenceNumber": "1",
        "streamSid": call.stream_sid,
        "start": {
            "streamSid": call.stream_sid,
            "accountSid": call.account_sid,
            "callSid": call.call_sid,
            "tracks": ["inbound"],
            "customParameters": {"tenant": "acme"},
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
        },
    }
    numbered = [message.data for message in bridge.received[1:]]
    assert [int(m["sequenceNumber"]) for m in numbered] == list(range(1, len(numbered) + 1))
    frames = [m["media"] for m in numbered if m["event"] == "media"]
    assert [f["chunk"] for f in frames[:3]] == ["1", "2", "3"]
    assert [f["timestamp"] for f in frames[:3]] == ["20", "40", "60"]
    assert all(f["track"] == "inbound" for f in frames)
    assert base64.b64decode(frames[0]["payload"]) == mulaw.silence(20)
    assert numbered[-1] == {
        "event": "stop",
        "sequenceNumber": numbered[-1]["sequenceNumber"],
        "streamSid": call.stream_sid,
        "stop": {"accountSid": call.account_sid, "callSid": call.call_sid},
    }


async def test_inbound_frames_are_paced_at_20_ms_without_drift(bridge: FakeBridge) -> None:
    async with SimulatedCall(bridge.url):
        frames = await bridge.wait_for("media", count=41, within_secs=3.0)
    times = [frame.at for frame in frames[:41]]
    gaps_ms = [(later - earlier) * 1000 for earlier, later in itertools.pairwise(times)]
    assert 17.0 < statistics.median(gaps_ms) < 23.0
    # 40 frames span 800 ms of audio; a drifting pacer (sleep(0.02) per frame) overshoots this.
    assert 780.0 < (times[40] - times[0]) * 1000 < 840.0


async def test_said_audio_goes_out_from_the_next_frame_then_silence(bridge: FakeBridge) -> None:
    speech = synthetic_speech(50, seed=3)  # 400 bytes: two and a half frames
    async with SimulatedCall(bridge.url) as call:
        await bridge.wait_for("media", count=2)
        starts_at_ms = call.say(speech)
        call.press("7")
        await bridge.wait_for("media", count=int(starts_at_ms / 20) + 5)
    frames = [m.data["media"] for m in bridge.events("media")]
    index = int(starts_at_ms / 20)
    assert frames[index]["timestamp"] == str(int(starts_at_ms) + 20)
    sent = b"".join(base64.b64decode(f["payload"]) for f in frames[index : index + 3])
    assert sent == speech + mulaw.silence(20)[: 480 - 400]
    assert base64.b64decode(frames[index + 3]["payload"]) == mulaw.silence(20)
    (dtmf,) = bridge.events("dtmf")
    assert dtmf.data["dtmf"] == {"track": "inbound_track", "digit": "7"}
    assert dtmf.data["streamSid"] == call.stream_sid
    assert call.said == [(starts_at_ms, 400)]


async def test_fast_mode_sends_queued_speech_without_pacing(bridge: FakeBridge) -> None:
    async with SimulatedCall(bridge.url, realtime=False) as call:
        call.say(synthetic_speech(1000))
        frames = await bridge.wait_for("media", count=50, within_secs=1.0)
        assert (frames[49].at - frames[0].at) < 0.5
        assert [f.data["media"]["chunk"] for f in frames[:50]] == [str(n) for n in range(1, 51)]


async def test_mark_is_echoed_when_the_audio_before_it_has_played(bridge: FakeBridge) -> None:
    async with SimulatedCall(bridge.url) as call:
        await bridge.wait_for("media")
        sent_at = await bridge.send(media(call.stream_sid, ramp(4000)))  # 500 ms
        await bridge.send(mark(call.stream_sid, "reply:500"))
        await asyncio.sleep(0.3)
        assert bridge.events("mark") == []  # still playing
        (echo,) = await bridge.wait_for("mark", within_secs=1.0)
        assert echo.data["mark"] == {"name": "reply:500"}
        assert abs((echo.at - sent_at) * 1000 - 500.0) < TIMING_TOLERANCE_MS
        (record,) = call.marks
        assert record.due_ms is not None and record.echoed_ms is not None
        assert abs(record.due_ms - record.received_ms - 500.0) < 2.0
        assert abs(record.echoed_ms - record.due_ms) < TIMING_TOLERANCE_MS
        assert not record.flushed_by_clear
        # With nothing queued the echo is immediate.
        sent_at = await bridge.send(mark(call.stream_sid, "idle"))
        (_, idle) = await bridge.wait_for("mark", count=2)
        assert idle.data["mark"]["name"] == "idle"
        assert (idle.at - sent_at) * 1000 < TIMING_TOLERANCE_MS
    assert call.played_audio() == ramp(4000)


async def test_audio_arriving_faster_than_real_time_is_played_back_to_back(
    bridge: FakeBridge,
) -> None:
    chunks = [ramp(4000)[i : i + 333] for i in range(0, 4000, 333)]  # odd sizes, all at once
    async with SimulatedCall(bridge.url) as call:
        await bridge.wait_for("media")
        for chunk in chunks:
            await bridge.send(media(call.stream_sid, chunk))
        await bridge.send(mark(call.stream_sid, "end"))
        await bridge.wait_for("mark", within_secs=1.0)
        ((start_ms, audio),) = call.played
    assert audio == ramp(4000)
    assert call.marks[0].echoed_ms is not None
    assert abs(call.marks[0].echoed_ms - start_ms - 500.0) < TIMING_TOLERANCE_MS


async def test_clear_drops_unplayed_audio_and_echoes_pending_marks_at_once(
    bridge: FakeBridge,
) -> None:
    async with SimulatedCall(bridge.url) as call:
        await bridge.wait_for("media")
        await bridge.send(media(call.stream_sid, ramp(4000)))
        await bridge.send(mark(call.stream_sid, "first"))
        await bridge.send(media(call.stream_sid, ramp(4000)))
        await bridge.send(mark(call.stream_sid, "second"))
        await asyncio.sleep(0.3)
        cleared_at = await bridge.send({"event": "clear", "streamSid": call.stream_sid})
        echoes = await bridge.wait_for("mark", count=2, within_secs=0.5)
        assert [e.data["mark"]["name"] for e in echoes] == ["first", "second"]
        assert all((e.at - cleared_at) * 1000 < TIMING_TOLERANCE_MS for e in echoes)
        assert all(record.flushed_by_clear for record in call.marks)
        (clear,) = call.clears
        assert clear.flushed_marks == ("first", "second")
        heard = call.played_audio()
        assert abs(len(heard) - 2400) <= TIMING_TOLERANCE_MS * 8  # about 300 ms had played
        assert heard == ramp(4000)[: len(heard)]
        assert clear.dropped_bytes == 8000 - len(heard)
        assert call.heard_ms_at(clear.at_ms) == len(heard) / 8
        await asyncio.sleep(0.1)
        assert call.played_audio() == heard  # nothing more plays after the clear
        # Audio sent after the clear starts a new buffer.
        await bridge.send(media(call.stream_sid, ramp(160)))
        await asyncio.sleep(0.05)
        assert [audio for _, audio in call.played] == [heard, ramp(160)]
    assert call.summary()["clears"] == 1


async def test_heard_ms_matches_the_marks_the_caller_echoed(bridge: FakeBridge) -> None:
    async with SimulatedCall(bridge.url) as call:
        await bridge.wait_for("media")
        for index in range(5):
            await bridge.send(media(call.stream_sid, ramp(800)))  # 100 ms each
            await bridge.send(mark(call.stream_sid, f"item:{(index + 1) * 100}"))
        await bridge.wait_for("mark", count=5, within_secs=1.5)
    for index, record in enumerate(call.marks):
        assert record.echoed_ms is not None
        assert abs(call.heard_ms_at(record.echoed_ms) - (index + 1) * 100) < TIMING_TOLERANCE_MS


async def test_protocol_errors_are_recorded_and_the_call_goes_on(bridge: FakeBridge) -> None:
    async with SimulatedCall(bridge.url) as call:
        await bridge.wait_for("media")
        sid = call.stream_sid
        wav = b"RIFF\x24\x00\x00\x00WAVEfmt " + ramp(100)
        await bridge.send(b"\x00\x01binary")
        await bridge.send("not json")
        await bridge.send({"event": "speak", "streamSid": sid})
        await bridge.send(media("MZ" + "f" * 32, ramp(160)))
        await bridge.send({"event": "media", "streamSid": sid, "media": {"payload": "%%%"}})
        await bridge.send(media(sid, wav))
        await bridge.send({"event": "mark", "streamSid": sid, "mark": {}})
        await bridge.send(media(sid, ramp(160)))
        await asyncio.sleep(0.1)
    kinds = [error.kind for error in call.protocol_errors]
    assert kinds == [
        "binary_frame",
        "invalid_json",
        "unknown_event",
        "wrong_stream_sid",
        "bad_payload",
        "wav_header",
        "bad_mark",
    ]
    assert call.played_audio() == ramp(160)
    assert len(call.summary()["protocol_errors"]) == 7


async def test_caller_hang_up_sends_stop_then_closes(bridge: FakeBridge) -> None:
    call = SimulatedCall(bridge.url)
    await call.start()
    await bridge.wait_for("media", count=2)
    await bridge.send(media(call.stream_sid, ramp(8000)))
    await asyncio.sleep(0.1)
    await call.hang_up()
    await asyncio.wait_for(bridge.closed.wait(), 2.0)
    assert bridge.received[-1].data["event"] == "stop"
    assert call.closed_by == "caller"
    assert call.closed_at_ms is not None and 100.0 < call.closed_at_ms < 400.0
    assert call.is_closed and await call.wait_closed(0.1)
    heard = len(call.played_audio())
    await asyncio.sleep(0.05)
    assert len(call.played_audio()) == heard < 8000  # the earpiece went quiet at hang-up
    await call.hang_up()  # a second hang-up does nothing
    assert len(bridge.events("stop")) == 1


async def test_server_closing_first_gets_no_stop(bridge: FakeBridge) -> None:
    async with SimulatedCall(bridge.url) as call:
        await bridge.wait_for("media", count=2)
        connection = await bridge.connection()
        closing_at_ms = call.now_ms()
        await connection.close()
        assert await call.wait_closed(2.0)
        assert call.closed_by == "server"
        assert call.close_code == 1000
        assert call.closed_at_ms is not None
        assert 0.0 <= call.closed_at_ms - closing_at_ms < 50.0
    assert bridge.events("stop") == []
    assert call.summary()["closed_by"] == "server"
    assert [event.kind for event in call.events][-1] == "closed"


async def test_wait_closed_times_out_while_the_call_is_live(bridge: FakeBridge) -> None:
    async with SimulatedCall(bridge.url) as call:
        assert await call.wait_closed(0.05) is False


async def test_upgrade_is_signed_over_the_stream_url() -> None:
    async with FakeBridge(auth_token=TOKEN) as signed_bridge:
        call = SimulatedCall(PUBLIC_STREAM_URL, connect_url=signed_bridge.url, auth_token=TOKEN)
        async with call:
            await signed_bridge.wait_for("start")
        forged = SimulatedCall(
            PUBLIC_STREAM_URL, connect_url=signed_bridge.url, auth_token=TOKEN + "x"
        )
        with pytest.raises(InvalidStatus) as refused:
            await forged.start()
        assert refused.value.response.status_code == 403
        unsigned = SimulatedCall(PUBLIC_STREAM_URL, connect_url=signed_bridge.url)
        with pytest.raises(InvalidStatus):
            await unsigned.start()
