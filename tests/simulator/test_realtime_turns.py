"""FakeRealtimeEngine turn-taking: energy VAD on the audio timeline, barge-in, commits, idle
timeout and asynchronous input transcription. Caller audio is appended in 20 ms frames."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from agentlocator.audio import mulaw
from agentlocator.simulator.realtime_audio import AudioFormat, synthesize_speech
from agentlocator.simulator.realtime_config import FakeRealtimeConfig
from agentlocator.simulator.realtime_engine import FakeRealtimeEngine
from agentlocator.simulator.realtime_script import RealtimeScript, ScriptStep

FIRST = ScriptStep(say="בשמחה, לאיזה יום?", caller_transcript="אני רוצה לקבוע תור")
SECOND = ScriptStep(say="מצוין, רשמתי.", caller_transcript="מחר בעשר")
CALLER_MS = 1300  # 20 characters at 65 ms


def caller_speech(seed: str = "caller") -> bytes:
    return synthesize_speech(seed, "a" * 20, AudioFormat("audio/pcmu"))


def session_update(**turn_detection: Any) -> dict[str, Any]:
    detection: dict[str, Any] | None = {"type": "server_vad", **turn_detection}
    if turn_detection.get("type") == "none":
        detection = None
    return {
        "type": "session.update",
        "session": {
            "type": "realtime",
            "audio": {
                "input": {
                    "format": {"type": "audio/pcmu"},
                    "transcription": {"model": "gpt-transcribe"},
                    "turn_detection": detection,
                },
                "output": {"format": {"type": "audio/pcmu"}},
            },
        },
    }


async def send(engine: FakeRealtimeEngine, event: dict[str, Any]) -> None:
    await engine.receive_client_frame(json.dumps(event))


async def append(engine: FakeRealtimeEngine, audio: bytes) -> None:
    for start in range(0, len(audio), 160):
        chunk = base64.b64encode(audio[start : start + 160]).decode()
        await send(engine, {"type": "input_audio_buffer.append", "audio": chunk})


async def events_until(
    engine: FakeRealtimeEngine, kind: str, *, count: int = 1
) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    async with asyncio.timeout(5):
        while count:
            events.append(await engine.next_server_event())
            count -= events[-1]["type"] == kind
    return events


def kinds(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events if not e["type"].endswith(".delta")]


def first(events: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(e for e in events if e["type"] == kind)


async def open_engine(
    config: FakeRealtimeConfig | None = None, **turn_detection: Any
) -> FakeRealtimeEngine:
    engine = FakeRealtimeEngine(
        config=config or FakeRealtimeConfig.fast(seed=5),
        script=RealtimeScript(steps=[FIRST, SECOND]),
    )
    await engine.start()
    await send(engine, session_update(**turn_detection))
    await events_until(engine, "session.updated")
    return engine


@pytest.fixture
async def engine() -> AsyncIterator[FakeRealtimeEngine]:
    fake = await open_engine()
    yield fake
    await fake.close()


async def test_a_caller_turn_runs_vad_commit_and_an_auto_response(
    engine: FakeRealtimeEngine,
) -> None:
    sent_before = len(engine.record.server_events)
    await append(engine, mulaw.silence(1000))
    assert len(engine.record.server_events) == sent_before  # appends are never acknowledged
    await append(engine, caller_speech() + mulaw.silence(1000))
    events = await events_until(engine, "response.done")
    assert kinds(events)[:6] == [
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        "conversation.item.added",
        "conversation.item.done",
        "response.created",
    ]
    started, stopped = events[0], events[1]
    committed = first(events, "input_audio_buffer.committed")
    assert 700 <= started["audio_start_ms"] <= 740  # onset at ~1000 ms minus 300 ms padding
    assert 1000 + CALLER_MS + 500 - 60 <= stopped["audio_end_ms"] <= 1000 + CALLER_MS + 500
    assert started["item_id"] == stopped["item_id"] == committed["item_id"]
    assert committed["previous_item_id"] is None
    user_item = first(events, "conversation.item.added")["item"]
    assert (user_item["id"], user_item["role"]) == (committed["item_id"], "user")
    assert user_item["content"] == [{"type": "input_audio", "transcript": None}]
    record = engine.record.items[committed["item_id"]]
    assert (record.audio_start_ms, record.audio_end_ms) == (
        started["audio_start_ms"],
        stopped["audio_end_ms"],
    )
    reply = events[-1]["response"]["output"][0]["content"][0]["transcript"]
    assert reply == FIRST.say
    if "conversation.item.input_audio_transcription.completed" not in kinds(events):
        events += await events_until(
            engine, "conversation.item.input_audio_transcription.completed"
        )
    transcription = first(events, "conversation.item.input_audio_transcription.completed")
    assert transcription["item_id"] == committed["item_id"]
    assert transcription["transcript"] == FIRST.caller_transcript
    assert kinds(events).index(transcription["type"]) > kinds(events).index(committed["type"])
    assert engine.record.items[committed["item_id"]].transcript == FIRST.caller_transcript


async def test_padding_and_silence_duration_come_from_the_session() -> None:
    engine = await open_engine(prefix_padding_ms=100, silence_duration_ms=900)
    pause = mulaw.silence(600)  # shorter than the 900 ms silence: still one turn
    await append(engine, mulaw.silence(1000) + caller_speech() + pause + caller_speech("b"))
    await append(engine, mulaw.silence(1200))
    events = await events_until(engine, "input_audio_buffer.committed")
    await engine.close()
    started, stopped = events[0], events[1]
    assert kinds(events) == [
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
    ]
    assert 900 <= started["audio_start_ms"] <= 940
    speech_end = 1000 + CALLER_MS + 600 + CALLER_MS
    assert speech_end + 900 - 60 <= stopped["audio_end_ms"] <= speech_end + 900


async def test_semantic_vad_also_detects_turns() -> None:
    engine = await open_engine(type="semantic_vad", eagerness="high")
    await append(engine, caller_speech() + mulaw.silence(600))
    events = await events_until(engine, "response.created")
    await engine.close()
    assert kinds(events)[:3] == [
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
    ]


async def test_without_create_response_vad_still_commits_but_nothing_answers() -> None:
    engine = await open_engine(create_response=False)
    await append(engine, caller_speech() + mulaw.silence(800))
    events = await events_until(engine, "conversation.item.done")
    await asyncio.sleep(0.05)
    await engine.close()
    assert kinds(events)[:3] == [
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
    ]
    assert engine.record.responses == {}
    assert engine.script.remaining == 2  # peeked for the transcript, not used


async def reply_in_progress(engine: FakeRealtimeEngine) -> str:
    await send(engine, {"type": "response.create"})
    events = await events_until(engine, "response.output_audio.delta")
    response_id: str = events[0]["response"]["id"]
    return response_id


async def test_barge_in_cancels_a_generating_response_with_turn_detected() -> None:
    slow = FakeRealtimeConfig.fast(seed=2, speed_factor=(4.0, 4.0))
    engine = await open_engine(slow)
    response_id = await reply_in_progress(engine)
    await append(engine, caller_speech() + mulaw.silence(700))
    events = await events_until(engine, "response.done", count=2)
    await engine.close()
    order = kinds(events)
    assert order.index("input_audio_buffer.speech_started") < order.index("response.done")
    cancelled = first(events, "response.done")["response"]
    assert cancelled["id"] == response_id and cancelled["status"] == "cancelled"
    assert cancelled["status_details"] == {"type": "cancelled", "reason": "turn_detected"}
    assert cancelled["output"][0]["status"] == "incomplete"
    assert order.index("response.done") < order.index("input_audio_buffer.speech_stopped")
    assert order.count("response.created") == 1  # the new reply, after the commit
    assert "conversation.item.truncated" not in engine.record.server_types()
    assert engine.record.responses[response_id].reason == "turn_detected"
    assert engine.record.cancels[0].reason == "turn_detected"
    assert engine.record.items[cancelled["output"][0]["id"]].audio  # partial audio was sent


async def test_without_interrupt_response_nothing_is_cancelled_or_doubled() -> None:
    slow = FakeRealtimeConfig.fast(seed=2, speed_factor=(4.0, 4.0))
    engine = await open_engine(slow, interrupt_response=False)
    response_id = await reply_in_progress(engine)
    await append(engine, caller_speech() + mulaw.silence(700))
    events = await events_until(engine, "response.done")
    await asyncio.sleep(0.05)
    await engine.close()
    assert kinds(events).count("input_audio_buffer.committed") == 1
    assert events[-1]["response"]["status"] == "completed"
    assert list(engine.record.responses) == [response_id]
    assert engine.record.cancels == []


async def test_speech_after_generation_finished_cancels_nothing(engine: FakeRealtimeEngine) -> None:
    await send(engine, {"type": "response.create", "response": {"instructions": "Say exactly: hi"}})
    await events_until(engine, "response.done")
    await append(engine, caller_speech() + mulaw.silence(700))
    events = await events_until(engine, "response.done")
    assert engine.record.cancels == []
    assert events[-1]["response"]["status"] == "completed"


async def test_without_turn_detection_the_client_commits_and_asks() -> None:
    engine = await open_engine(type="none")
    await append(engine, caller_speech() + mulaw.silence(700))
    assert engine.record.server_types()[-1] == "session.updated"  # no VAD events at all
    await send(engine, {"type": "input_audio_buffer.commit"})
    events = await events_until(engine, "conversation.item.done")
    assert kinds(events) == [
        "input_audio_buffer.committed",
        "conversation.item.added",
        "conversation.item.done",
    ]
    await asyncio.sleep(0.05)
    assert engine.record.responses == {}
    await send(engine, {"type": "response.create"})
    done = (await events_until(engine, "response.done"))[-1]
    await engine.close()
    assert done["response"]["output"][0]["content"][0]["transcript"] == FIRST.say


async def test_commit_needs_100_ms_and_clear_empties_the_buffer() -> None:
    engine = await open_engine(type="none")
    await append(engine, mulaw.silence(80))
    await send(engine, {"type": "input_audio_buffer.commit", "event_id": "evt_commit"})
    (error,) = await events_until(engine, "error")
    assert error["error"]["code"] == "input_audio_buffer_commit_empty"
    assert error["error"]["message"] == (
        "Error committing input audio buffer: buffer too small. Expected at least 100ms of "
        "audio, but buffer only has 80.00ms of audio."
    )
    assert error["error"]["event_id"] == "evt_commit"
    await append(engine, mulaw.silence(40))
    await send(engine, {"type": "input_audio_buffer.commit"})
    assert (await engine.next_server_event())["type"] == "input_audio_buffer.committed"
    await events_until(engine, "conversation.item.done")
    await append(engine, mulaw.silence(300))
    await send(engine, {"type": "input_audio_buffer.clear"})
    assert (await engine.next_server_event())["type"] == "input_audio_buffer.cleared"
    await send(engine, {"type": "input_audio_buffer.commit"})
    error = await engine.next_server_event()
    await engine.close()
    assert error["error"]["message"].endswith("buffer only has 0.00ms of audio.")


async def test_transcription_can_arrive_after_the_response_it_triggered() -> None:
    late = FakeRealtimeConfig.fast(seed=9, transcription_delay_ms=(400.0, 400.0))
    engine = await open_engine(late)
    await append(engine, caller_speech() + mulaw.silence(700))
    events = await events_until(engine, "conversation.item.input_audio_transcription.completed")
    await engine.close()
    order = kinds(events)
    assert order.index("response.done") < order.index(
        "conversation.item.input_audio_transcription.completed"
    )


async def test_no_transcription_unless_the_session_asks_for_it() -> None:
    engine = FakeRealtimeEngine(config=FakeRealtimeConfig.fast(seed=4))
    await engine.start()
    update = session_update()
    update["session"]["audio"]["input"]["transcription"] = None
    await send(engine, update)
    await append(engine, caller_speech() + mulaw.silence(700))
    await events_until(engine, "response.done")
    await asyncio.sleep(0.05)
    await engine.close()
    assert "conversation.item.input_audio_transcription.completed" not in (
        engine.record.server_types()
    )


async def test_idle_timeout_prompts_after_the_reply_audio_plus_the_timeout() -> None:
    engine = await open_engine(idle_timeout_ms=1000)
    await send(engine, {"type": "response.create", "response": {"instructions": "Say exactly: hi"}})
    done = (await events_until(engine, "response.done"))[-1]
    reply_ms = engine.record.items[done["response"]["output"][0]["id"]].audio_ms
    await append(engine, mulaw.silence(int(reply_ms) + 900))
    assert "input_audio_buffer.timeout_triggered" not in engine.record.server_types()
    await append(engine, mulaw.silence(200))
    events = await events_until(engine, "response.done")
    await engine.close()
    assert kinds(events)[:5] == [
        "input_audio_buffer.timeout_triggered",
        "input_audio_buffer.committed",
        "conversation.item.added",
        "conversation.item.done",
        "response.created",
    ]
    timeout = events[0]
    assert timeout["audio_start_ms"] == int(reply_ms)
    assert int(reply_ms) + 1000 <= timeout["audio_end_ms"] <= int(reply_ms) + 1020
    assert timeout["item_id"] == first(events, "input_audio_buffer.committed")["item_id"]
    spoken = events[-1]["response"]["output"][0]["content"][0]["transcript"]
    assert spoken == engine.script.idle_reply
    assert engine.script.remaining == 2


async def test_speech_resets_the_idle_timer() -> None:
    engine = await open_engine(idle_timeout_ms=1000, create_response=False)
    await send(engine, {"type": "response.create", "response": {"instructions": "Say exactly: hi"}})
    await events_until(engine, "response.done")
    await append(engine, caller_speech() + mulaw.silence(1500))
    await engine.close()
    assert "input_audio_buffer.timeout_triggered" not in engine.record.server_types()
