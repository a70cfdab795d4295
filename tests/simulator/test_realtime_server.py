"""FakeRealtimeServer over real WebSockets: handshake rules, the SDK as a client, every server
event valid against the SDK's types, injected closes, and one test of real-ish pacing."""

from __future__ import annotations

import asyncio
import base64
import json
import typing
from collections.abc import AsyncIterator
from typing import Annotated, Any

import pytest
from openai import AsyncOpenAI
from openai.types.realtime import RealtimeServerEvent
from openai.types.realtime.realtime_session_create_response import (
    RealtimeSessionCreateResponse,
)
from pydantic import Field, TypeAdapter
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from agentlocator.audio import mulaw
from agentlocator.simulator.realtime_audio import AudioFormat, synthesize_speech
from agentlocator.simulator.realtime_config import FakeRealtimeConfig
from agentlocator.simulator.realtime_script import RealtimeScript, ScriptStep, ToolCallStep
from agentlocator.simulator.realtime_server import FakeRealtimeServer
from agentlocator.simulator.realtime_validation import find_unknown_keys

_SERVER_EVENT_MEMBERS: Any = Annotated[
    typing.get_args(RealtimeServerEvent)[0], Field(discriminator="type")
]
SERVER_EVENTS: TypeAdapter[Any] = TypeAdapter(_SERVER_EVENT_MEMBERS)
SESSION_OBJECT = TypeAdapter(RealtimeSessionCreateResponse)
AUTH = {"Authorization": "Bearer sk-test"}
SESSION = {
    "type": "realtime",
    "instructions": "You are a receptionist.",
    "audio": {
        "input": {
            "format": {"type": "audio/pcmu"},
            "transcription": {"model": "gpt-transcribe"},
            "turn_detection": {"type": "server_vad", "silence_duration_ms": 500},
        },
        "output": {"format": {"type": "audio/pcmu"}, "voice": "marin"},
    },
    "tools": [{"type": "function", "name": "end_call", "parameters": {"type": "object"}}],
}


def script() -> RealtimeScript:
    return RealtimeScript(
        steps=[
            ScriptStep(say="להתראות!", call=ToolCallStep("end_call", {}), caller_transcript="ביי"),
            ScriptStep(say="יום טוב."),
        ]
    )


@pytest.fixture
async def server() -> AsyncIterator[FakeRealtimeServer]:
    async with FakeRealtimeServer(
        config=FakeRealtimeConfig.fast(seed=1), script_factory=script
    ) as fake:
        yield fake


def open_socket(
    server: FakeRealtimeServer,
    headers: dict[str, str] | None = None,
    query: str = "?model=gpt-realtime",
) -> connect:
    return connect(server.url + query, additional_headers=headers or AUTH, proxy=None)


async def send(ws: ClientConnection, event: dict[str, Any]) -> None:
    await ws.send(json.dumps(event))


async def read_until(ws: ClientConnection, kind: str, *, count: int = 1) -> list[dict[str, Any]]:
    """Read events up to and including the `count`-th event of type `kind`."""
    events: list[dict[str, Any]] = []
    async with asyncio.timeout(5):
        while count:
            events.append(json.loads(await ws.recv()))
            count -= events[-1]["type"] == kind
    return events


async def until_closed(server: FakeRealtimeServer) -> None:
    """The server notices a client's close a moment after the client returns."""
    async with asyncio.timeout(2):
        await asyncio.gather(*(engine.wait_closed() for engine in server.sessions))


async def test_the_openai_sdk_talks_to_the_fake(server: FakeRealtimeServer) -> None:
    client = AsyncOpenAI(api_key="sk-test", websocket_base_url=server.websocket_base_url)
    async with client.realtime.connect(model="gpt-realtime") as conn:
        created = await conn.recv()
        assert created.type == "session.created"
        await conn.session.update(session=SESSION)  # type: ignore[arg-type]
        updated = await conn.recv()
        assert updated.type == "session.updated"
        await conn.response.create(response={"instructions": "Say exactly: שלום"})
        kinds = []
        while True:
            event = await conn.recv()
            kinds.append(event.type)
            if event.type == "response.done":
                break
    assert kinds[0] == "response.created" and "response.output_audio.delta" in kinds
    assert server.sessions[0].model == "gpt-realtime"
    await until_closed(server)
    assert server.sessions[0].record.close_code == 1000


@pytest.mark.parametrize(
    ("headers", "query", "status"),
    [
        ({}, "?model=gpt-realtime", 401),
        ({"Authorization": "Bearer "}, "?model=gpt-realtime", 401),
        ({"Authorization": "Basic abc"}, "?model=gpt-realtime", 401),
        (AUTH, "", 400),
    ],
)
async def test_the_handshake_needs_a_bearer_key_and_a_model(
    server: FakeRealtimeServer, headers: dict[str, str], query: str, status: int
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(server.url + query, additional_headers=headers, proxy=None):
            pass
    assert refused.value.response.status_code == status
    assert server.rejected_handshakes == [status]
    assert server.sessions == []


async def test_only_the_realtime_path_is_served(server: FakeRealtimeServer) -> None:
    url = server.url.replace("/v1/realtime", "/v1/other") + "?model=gpt-realtime"
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url, additional_headers=AUTH, proxy=None):
            pass
    assert refused.value.response.status_code == 404


async def test_the_beta_header_is_refused_with_the_ga_error(server: FakeRealtimeServer) -> None:
    async with open_socket(server, {**AUTH, "OpenAI-Beta": "realtime=v1"}) as ws:
        event = json.loads(await ws.recv())
        with pytest.raises(ConnectionClosed):
            await ws.recv()
    assert event["type"] == "error"
    assert event["error"]["code"] == "beta_api_shape_disabled"
    assert event["error"]["message"] == (
        "The Realtime Beta API is no longer supported. Please use /v1/realtime for the GA API."
    )
    assert server.beta_connections == 1 and server.sessions == []


async def test_every_server_event_is_valid_against_the_sdk_types(
    server: FakeRealtimeServer,
) -> None:
    caller = synthesize_speech("caller", "שלום, להתראות", AudioFormat("audio/pcmu"))
    audio = mulaw.silence(300) + caller + mulaw.silence(800)
    received: list[str] = []
    async with open_socket(server) as ws:
        received.append(await ws.recv())  # type: ignore[arg-type]
        await send(ws, {"type": "session.update", "session": SESSION})
        await send(
            ws, {"type": "response.create", "response": {"instructions": "Say exactly: היי"}}
        )
        for start in range(0, len(audio), 160):
            chunk = base64.b64encode(audio[start : start + 160]).decode()
            await send(ws, {"type": "input_audio_buffer.append", "audio": chunk})
        await send(ws, {"type": "session.update", "session": {"temperature": 1}})
        async with asyncio.timeout(5):
            while True:
                frame = await ws.recv()
                received.append(frame)  # type: ignore[arg-type]
                if json.loads(frame)["type"] == "response.function_call_arguments.done":
                    break
        call_id = json.loads(received[-1])["call_id"]
        await send(
            ws,
            {
                "type": "conversation.item.create",
                "item": {"type": "function_call_output", "call_id": call_id, "output": "ok"},
            },
        )
        # The call's response.done, then the reply asked for after the tool result.
        for event in await read_until(ws, "response.done"):
            received.append(json.dumps(event))
        await send(ws, {"type": "response.create"})
        for event in await read_until(ws, "response.done"):
            received.append(json.dumps(event))
    kinds = set()
    for frame in received:
        model = SERVER_EVENTS.validate_json(frame, strict=True)
        kinds.add(model.type)
        unknown = find_unknown_keys(model)
        if model.type.startswith("session."):
            session = SESSION_OBJECT.validate_python(json.loads(frame)["session"], strict=True)
            unknown = find_unknown_keys(session)
        assert unknown == [], (model.type, unknown)
    assert {
        "input_audio_buffer.speech_started",
        "input_audio_buffer.committed",
        "response.function_call_arguments.done",
        "conversation.item.input_audio_transcription.completed",
        "rate_limits.updated",
        "error",
    } <= kinds


async def test_bad_frames_get_error_events_and_the_session_lives_on(
    server: FakeRealtimeServer,
) -> None:
    async with open_socket(server) as ws:
        await read_until(ws, "session.created")
        await send(ws, {"type": "transcription_session.update", "event_id": "evt_1"})
        (error,) = await read_until(ws, "error")
        await ws.send("{not json")
        (bad_json,) = await read_until(ws, "error")
        await send(ws, {"type": "input_audio_buffer.clear"})
        (cleared,) = await read_until(ws, "input_audio_buffer.cleared")
    assert (error["error"]["code"], error["error"]["event_id"]) == ("invalid_value", "evt_1")
    assert bad_json["error"]["code"] == "invalid_json"
    assert cleared["event_id"].startswith("event_")


@pytest.mark.parametrize("code", [1011, 1006])
async def test_an_injected_close_reaches_the_client_with_its_code(code: int) -> None:
    config = FakeRealtimeConfig.fast().with_faults(close_after_responses=1, close_code=code)
    async with FakeRealtimeServer(config=config) as fake, open_socket(fake) as ws:
        await send(ws, {"type": "response.create", "response": {"instructions": "Say exactly: x"}})
        await read_until(ws, "response.done")
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    sent_a_close_frame = closed.value.rcvd is not None
    assert sent_a_close_frame is (code != 1006)  # 1006 means TCP simply went away
    assert ws.close_code == code


async def test_session_expiry_sends_the_error_then_closes() -> None:
    config = FakeRealtimeConfig.fast().with_faults(session_max_secs=0.2)
    async with FakeRealtimeServer(config=config) as fake, open_socket(fake) as ws:
        events = await read_until(ws, "error")
        with pytest.raises(ConnectionClosed):
            await ws.recv()
    assert events[-1]["error"]["code"] == "session_expired"
    assert ws.close_code == 1000


async def test_sessions_are_kept_in_connection_order(server: FakeRealtimeServer) -> None:
    async with open_socket(server) as first, open_socket(server) as second:
        first_id = (await read_until(first, "session.created"))[0]["session"]["id"]
        second_id = (await read_until(second, "session.created"))[0]["session"]["id"]
    assert [engine.session_id for engine in server.sessions] == [first_id, second_id]
    await until_closed(server)


async def test_responses_are_paced_faster_than_real_time_but_not_instant() -> None:
    """Default pacing: first delta after 200-800 ms, audio at 3-10x real time."""
    text = "שלום וברוכים הבאים למרפאה, במה אפשר לעזור היום?"
    async with (
        FakeRealtimeServer(config=FakeRealtimeConfig(seed=4)) as fake,
        open_socket(fake) as ws,
    ):
        await send(ws, {"type": "session.update", "session": SESSION})
        await read_until(ws, "session.updated")
        loop = asyncio.get_running_loop()
        await send(
            ws, {"type": "response.create", "response": {"instructions": f"Say exactly: {text}"}}
        )
        asked = loop.time()
        first_delta_at = None
        audio_bytes = 0
        async with asyncio.timeout(10):
            while True:
                event = json.loads(await ws.recv())
                if event["type"] == "response.output_audio.delta":
                    first_delta_at = first_delta_at or loop.time()
                    audio_bytes += len(base64.b64decode(event["delta"]))
                    last_delta_at = loop.time()
                if event["type"] == "response.done":
                    break
    assert first_delta_at is not None
    assert 0.2 <= first_delta_at - asked <= 0.9
    audio_secs = audio_bytes / 8000
    streaming_secs = last_delta_at - first_delta_at
    assert audio_secs / 10 * 0.8 <= streaming_secs <= audio_secs / 3
