"""FakeRealtimeEngine without a socket: session, responses, cancel, truncate, tool calls.

Turn-taking (VAD, barge-in, idle timeout, transcription) is in test_realtime_turns.py and fault
injection in test_realtime_faults.py. Every test uses the fast config: first delta after 10 ms,
audio at 50x real time.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from agentlocator.simulator.realtime_config import FakeRealtimeConfig
from agentlocator.simulator.realtime_engine import FakeRealtimeEngine
from agentlocator.simulator.realtime_script import RealtimeScript, ScriptStep, ToolCallStep

END_CALL_TOOL = {
    "type": "function",
    "name": "end_call",
    "description": "Hang up.",
    "parameters": {"type": "object", "properties": {}},
}
GREETING = "שלום, הגעתם למרפאת השיניים. איך אפשר לעזור?"
ID_PREFIXES = {"event_id": "event_", "response_id": "resp_", "item_id": "item_", "call_id": "call_"}


def pcmu_session(**overrides: Any) -> dict[str, Any]:
    session: dict[str, Any] = {
        "type": "realtime",
        "instructions": "You are a receptionist.",
        "audio": {
            "input": {
                "format": {"type": "audio/pcmu"},
                "transcription": {"model": "gpt-transcribe"},
            },
            "output": {"format": {"type": "audio/pcmu"}, "voice": "marin"},
        },
        "tools": [END_CALL_TOOL],
    }
    session.update(overrides)
    return session


async def send(engine: FakeRealtimeEngine, event: dict[str, Any]) -> None:
    await engine.receive_client_frame(json.dumps(event))


async def events_until(
    engine: FakeRealtimeEngine, kind: str, *, count: int = 1
) -> list[dict[str, Any]]:
    """Read server events up to and including the `count`-th event of type `kind`."""
    events: list[dict[str, Any]] = []
    async with asyncio.timeout(5):
        while count:
            events.append(await engine.next_server_event())
            count -= events[-1]["type"] == kind
    return events


def without_deltas(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events if not e["type"].endswith(".delta")]


@pytest.fixture
async def engine() -> AsyncIterator[FakeRealtimeEngine]:
    script = RealtimeScript(
        steps=[
            ScriptStep(say="בשמחה, לאיזה יום?", caller_transcript="אני רוצה לקבוע תור"),
            ScriptStep(
                say="להתראות!",
                call=ToolCallStep("end_call", {"reason": "caller said goodbye"}),
                caller_transcript="זהו, תודה",
            ),
            ScriptStep(say="נשמח לעזור שוב."),
        ]
    )
    async with FakeRealtimeEngine(config=FakeRealtimeConfig.fast(seed=11), script=script) as fake:
        first = await fake.next_server_event()
        assert first["type"] == "session.created"
        yield fake


async def configure(engine: FakeRealtimeEngine, **overrides: Any) -> dict[str, Any]:
    await send(engine, {"type": "session.update", "session": pcmu_session(**overrides)})
    return (await events_until(engine, "session.updated"))[-1]


async def greet(engine: FakeRealtimeEngine, text: str = GREETING) -> list[dict[str, Any]]:
    await send(
        engine, {"type": "response.create", "response": {"instructions": f"Say exactly: {text}"}}
    )
    return await events_until(engine, "response.done")


# -- session --------------------------------------------------------------------------------


async def test_session_created_carries_the_ga_defaults() -> None:
    async with FakeRealtimeEngine(config=FakeRealtimeConfig.fast()) as fake:
        event = await fake.next_server_event()
    session = event["session"]
    assert event["type"] == "session.created"
    assert event["event_id"].startswith("event_")
    assert session["id"].startswith("sess_") and session["object"] == "realtime.session"
    assert session["type"] == "realtime" and session["output_modalities"] == ["audio"]
    assert session["audio"]["input"]["format"] == {"type": "audio/pcm", "rate": 24000}
    assert session["audio"]["output"]["format"] == {"type": "audio/pcm", "rate": 24000}
    detection = session["audio"]["input"]["turn_detection"]
    assert (detection["type"], detection["threshold"]) == ("server_vad", 0.5)
    assert (detection["prefix_padding_ms"], detection["silence_duration_ms"]) == (300, 500)
    assert detection["create_response"] and detection["interrupt_response"]
    assert session["max_output_tokens"] == "inf" and session["tools"] == []


async def test_session_update_answers_with_the_full_effective_session(
    engine: FakeRealtimeEngine,
) -> None:
    updated = await configure(engine)
    session = updated["session"]
    assert session["audio"]["input"]["format"] == {"type": "audio/pcmu"}
    assert session["audio"]["input"]["turn_detection"]["silence_duration_ms"] == 500  # kept
    assert session["tools"] == [END_CALL_TOOL] and session["tool_choice"] == "auto"
    await send(
        engine,
        {
            "type": "session.update",
            "session": {
                "type": "realtime",
                "audio": {"input": {"turn_detection": {"type": "server_vad", "threshold": 0.7}}},
            },
        },
    )
    (again,) = await events_until(engine, "session.updated")
    detection = again["session"]["audio"]["input"]["turn_detection"]
    assert detection["threshold"] == 0.7 and detection["prefix_padding_ms"] == 300
    assert again["session"]["audio"]["input"]["format"] == {"type": "audio/pcmu"}
    assert engine.session == again["session"]


@pytest.mark.parametrize(
    ("session", "code", "message"),
    [
        (
            {"instructions": "new"},
            "missing_required_parameter",
            "Missing required parameter: 'session.type'.",
        ),
        (
            {"type": "realtime", "instructions": "new", "temperature": 0.8},
            "unknown_parameter",
            "Unknown parameter: 'session.temperature'.",
        ),
        (
            {"type": "realtime", "instructions": "new", "output_modalities": ["text", "audio"]},
            "invalid_value",
            "Invalid modalities: ['text', 'audio']. Supported combinations are: ['text'] and "
            "['audio'].",
        ),
    ],
)
async def test_a_refused_update_changes_nothing(
    engine: FakeRealtimeEngine, session: dict[str, Any], code: str, message: str
) -> None:
    before = engine.session
    await send(engine, {"type": "session.update", "event_id": "evt_upd", "session": session})
    (error,) = await events_until(engine, "error")
    assert error["error"]["code"] == code
    assert error["error"]["message"] == message
    assert error["error"]["event_id"] == "evt_upd"
    assert engine.session == before
    assert engine.record.errors_sent == [error["error"]]


async def test_the_voice_is_frozen_once_the_model_has_spoken(engine: FakeRealtimeEngine) -> None:
    assert (await configure(engine, audio={"output": {"voice": "cedar"}}))["session"]["audio"][
        "output"
    ]["voice"] == "cedar"
    await greet(engine)
    before = engine.session
    await send(engine, {"type": "session.update", "session": pcmu_session(instructions="changed")})
    (error,) = await events_until(engine, "error")
    assert error["error"]["code"] == "cannot_update_voice"
    assert error["error"]["message"] == (
        "Cannot update a conversation's voice if assistant audio is present."
    )
    assert engine.session == before  # the valid `instructions` change was refused too


# -- responses ------------------------------------------------------------------------------


async def test_a_response_streams_in_the_full_ga_order(engine: FakeRealtimeEngine) -> None:
    await configure(engine)
    events = await greet(engine)
    assert without_deltas(events) == [
        "response.created",
        "rate_limits.updated",
        "response.output_item.added",
        "conversation.item.added",
        "response.content_part.added",
        "response.output_audio.done",
        "response.output_audio_transcript.done",
        "response.content_part.done",
        "response.output_item.done",
        "conversation.item.done",
        "response.done",
    ]
    created, done = events[0], events[-1]
    assert created["response"]["status"] == "in_progress" and created["response"]["output"] == []
    assert created["response"]["object"] == "realtime.response"
    assert done["response"]["status"] == "completed"
    assert done["response"]["usage"]["total_tokens"] > 0
    added = next(e for e in events if e["type"] == "response.output_item.added")
    assert added["item"]["status"] == "in_progress" and added["item"]["content"] == []
    item_done = next(e for e in events if e["type"] == "response.output_item.done")
    assert item_done["item"]["content"] == [{"type": "output_audio", "transcript": GREETING}]
    assert done["response"]["output"] == [item_done["item"]]

    audio_deltas = [e for e in events if e["type"] == "response.output_audio.delta"]
    transcript_deltas = [e for e in events if e["type"] == "response.output_audio_transcript.delta"]
    chunks = [base64.b64decode(e["delta"]) for e in audio_deltas]
    assert len(chunks) > 5 and all(len(c) % 160 for c in chunks)
    assert len({len(c) for c in chunks}) > 3
    assert "".join(e["delta"] for e in transcript_deltas) == GREETING
    kinds = [e["type"] for e in events]
    first_audio = kinds.index("response.output_audio.delta")
    last_audio = len(kinds) - 1 - kinds[::-1].index("response.output_audio.delta")
    assert any(k.endswith("transcript.delta") for k in kinds[first_audio:last_audio])  # interleaved
    item_id = added["item"]["id"]
    assert engine.record.items[item_id].audio == b"".join(chunks)
    assert engine.record.items[item_id].transcript == GREETING
    assert engine.record.responses[created["response"]["id"]].status == "completed"
    for event in events:
        for key, prefix in ID_PREFIXES.items():
            if key in event:
                assert event[key].startswith(prefix)


async def test_each_item_gets_its_own_audio(engine: FakeRealtimeEngine) -> None:
    await configure(engine)
    await greet(engine, "שלום")
    await greet(engine, "שלום")
    first, second = [r for r in engine.record.items.values() if r.role == "assistant"]
    assert first.text == second.text and len(first.audio) == len(second.audio)
    assert first.audio != second.audio


async def test_an_overlapping_response_create_gets_exactly_one_error(
    engine: FakeRealtimeEngine,
) -> None:
    await configure(engine)
    await send(engine, {"type": "response.create", "response": {"instructions": "Say exactly: hi"}})
    sent_before = len(engine.record.server_events)
    active = engine.active_response_id
    assert active is not None
    await send(engine, {"type": "response.create", "event_id": "evt_dup"})
    assert engine.record.server_events[sent_before:] == [engine.record.server_events[-1]]
    error = engine.record.server_events[-1]["error"]
    assert error["code"] == "conversation_already_has_active_response"
    assert error["message"] == (
        f"Conversation already has an active response in progress: {active}. "
        "Wait until the response is finished before creating a new one."
    )
    assert error["event_id"] == "evt_dup"
    events = await events_until(engine, "response.done")
    assert [e["type"] for e in events].count("response.created") == 1
    assert len(engine.record.responses) == 1


async def test_cancel_closes_the_open_item_and_reports_client_cancelled() -> None:
    config = FakeRealtimeConfig.fast(seed=3, speed_factor=(2.0, 2.0))
    script = RealtimeScript(steps=[ScriptStep(say="תשובה ארוכה מאוד " * 5)])
    async with FakeRealtimeEngine(config=config, script=script) as fake:
        await configure(fake)
        await send(fake, {"type": "response.create"})
        await events_until(fake, "response.output_audio.delta", count=2)
        await send(fake, {"type": "response.cancel"})
        tail = await events_until(fake, "response.done")
    assert without_deltas(tail) == [
        "response.output_audio.done",
        "response.output_audio_transcript.done",
        "response.content_part.done",
        "response.output_item.done",
        "conversation.item.done",
        "response.done",
    ]
    done = tail[-1]["response"]
    assert done["status"] == "cancelled"
    assert done["status_details"] == {"type": "cancelled", "reason": "client_cancelled"}
    assert done["output"][0]["status"] == "incomplete"
    (record,) = fake.record.responses.values()
    assert (record.status, record.reason) == ("cancelled", "client_cancelled")
    assert fake.record.cancels[0].accepted and fake.record.cancels[0].reason == "client_cancelled"
    # nothing was truncated for the client: only the client can do that
    assert "conversation.item.truncated" not in fake.record.server_types()


async def test_cancel_with_nothing_active_is_response_cancel_not_active(
    engine: FakeRealtimeEngine,
) -> None:
    await send(engine, {"type": "response.cancel", "event_id": "evt_c"})
    (error,) = await events_until(engine, "error")
    assert error["error"]["code"] == "response_cancel_not_active"
    assert error["error"]["message"] == "Cancellation failed: no active response found"
    assert error["error"]["event_id"] == "evt_c"
    assert engine.record.cancels[-1].accepted is False


async def test_text_only_sessions_stream_output_text(engine: FakeRealtimeEngine) -> None:
    await configure(engine, output_modalities=["text"])
    events = await greet(engine, "hello there friend")
    kinds = [e["type"] for e in events]
    assert "response.output_audio.delta" not in kinds
    assert "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta") == (
        "hello there friend"
    )
    assert events[-1]["response"]["output"][0]["content"] == [
        {"type": "output_text", "text": "hello there friend"}
    ]


async def test_responses_without_marker_follow_the_script_then_fall_back() -> None:
    script = RealtimeScript(steps=[ScriptStep(say="one")], fallback_reply="fallback")
    async with FakeRealtimeEngine(config=FakeRealtimeConfig.fast(), script=script) as fake:
        await configure(fake)
        for expected in ("one", "fallback"):
            await send(fake, {"type": "response.create"})
            done = (await events_until(fake, "response.done"))[-1]
            assert done["response"]["output"][0]["content"][0]["transcript"] == expected


async def test_out_of_band_responses_stay_out_of_the_conversation(
    engine: FakeRealtimeEngine,
) -> None:
    await configure(engine)
    await send(
        engine,
        {
            "type": "response.create",
            "response": {"conversation": "none", "instructions": "Say exactly: aside"},
        },
    )
    events = await events_until(engine, "response.done")
    assert "conversation.item.added" not in [e["type"] for e in events]
    assert events[-1]["response"]["conversation_id"] is None


# -- function calls -------------------------------------------------------------------------


async def test_a_scripted_call_follows_the_spoken_message(engine: FakeRealtimeEngine) -> None:
    await configure(engine)
    await send(engine, {"type": "response.create"})
    await events_until(engine, "response.done")  # step 1: plain speech
    await send(engine, {"type": "response.create"})
    events = await events_until(engine, "response.function_call_arguments.done")
    # The model is still "generating": asking for the next reply now is too early.
    await send(engine, {"type": "response.create", "event_id": "evt_early"})
    events += await events_until(engine, "response.done")
    kinds = without_deltas(events)
    call_part = kinds[kinds.index("response.output_item.done") + 2 :]
    assert call_part == [
        "response.output_item.added",
        "conversation.item.added",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "conversation.item.done",
        "error",
        "response.done",
    ]
    arg_deltas = [e for e in events if e["type"] == "response.function_call_arguments.delta"]
    call_added = [e for e in events if e["type"] == "response.output_item.added"][1]
    call_done = next(e for e in events if e["type"] == "response.function_call_arguments.done")
    assert call_added["output_index"] == 1 and call_added["item"]["arguments"] == ""
    assert call_added["item"]["call_id"].startswith("call_")
    assert call_done["call_id"] == call_added["item"]["call_id"] and call_done["name"] == "end_call"
    assert json.loads(call_done["arguments"]) == {"reason": "caller said goodbye"}
    assert "".join(e["delta"] for e in arg_deltas) == call_done["arguments"]
    assert all(e["call_id"] == call_done["call_id"] for e in arg_deltas)
    early = next(e for e in events if e["type"] == "error")
    assert early["error"]["code"] == "conversation_already_has_active_response"

    responses_before = len(engine.record.responses)
    await send(
        engine,
        {
            "type": "conversation.item.create",
            "item": {
                "type": "function_call_output",
                "call_id": call_done["call_id"],
                "output": '{"ok": true}',
            },
        },
    )
    added_done = await events_until(engine, "conversation.item.done")
    assert [e["type"] for e in added_done] == ["conversation.item.added", "conversation.item.done"]
    assert added_done[0]["previous_item_id"] == call_done["item_id"]
    await asyncio.sleep(0.05)
    assert len(engine.record.responses) == responses_before  # no response by itself
    await send(engine, {"type": "response.create"})
    last = (await events_until(engine, "response.done"))[-1]
    assert last["response"]["output"][0]["content"][0]["transcript"] == "נשמח לעזור שוב."


async def test_tools_the_session_did_not_declare_are_never_called(
    engine: FakeRealtimeEngine,
) -> None:
    await configure(engine, tools=[])
    await send(engine, {"type": "response.create"})
    await events_until(engine, "response.done")
    await send(engine, {"type": "response.create"})
    done = (await events_until(engine, "response.done"))[-1]
    assert [item["type"] for item in done["response"]["output"]] == ["message"]


async def test_a_tool_result_for_an_unknown_call_is_refused(engine: FakeRealtimeEngine) -> None:
    await send(
        engine,
        {
            "type": "conversation.item.create",
            "item": {"type": "function_call_output", "call_id": "call_nope", "output": "x"},
        },
    )
    (error,) = await events_until(engine, "error")
    assert error["error"]["code"] == "invalid_tool_call_id"


# -- truncate -------------------------------------------------------------------------------


async def test_truncate_follows_the_real_rules(engine: FakeRealtimeEngine) -> None:
    await configure(engine)
    events = await greet(engine)
    item_id = next(e for e in events if e["type"] == "response.output_item.added")["item"]["id"]
    record = engine.record.items[item_id]
    generated_ms = int(record.audio_ms)
    await send(
        engine,
        {
            "type": "conversation.item.create",
            "item": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "hi"}],
            },
        },
    )
    user_item = (await events_until(engine, "conversation.item.done"))[-1]["item"]["id"]

    async def truncate(target: str, audio_end_ms: int) -> dict[str, Any]:
        await send(
            engine,
            {
                "type": "conversation.item.truncate",
                "event_id": "evt_t",
                "item_id": target,
                "content_index": 0,
                "audio_end_ms": audio_end_ms,
            },
        )
        return await engine.next_server_event()

    unknown = await truncate("item_missing", 100)
    assert unknown["error"]["message"] == "Item with item_id not found: item_missing"
    not_audio = await truncate(user_item, 100)
    assert not_audio["error"]["code"] == "unsupported_content_type"
    assert not_audio["error"]["message"] == "Only model output audio messages can be truncated"
    too_long = await truncate(item_id, generated_ms + 1)
    assert too_long["error"]["code"] == "invalid_value"
    assert too_long["error"]["param"] == "audio_end_ms"
    assert too_long["error"]["message"] == (
        f"Audio content of {generated_ms}ms is already shorter than {generated_ms + 1}ms"
    )
    assert record.transcript == GREETING

    truncated = await truncate(item_id, 1200)
    assert truncated == {
        "type": "conversation.item.truncated",
        "event_id": truncated["event_id"],
        "item_id": item_id,
        "content_index": 0,
        "audio_end_ms": 1200,
    }
    assert record.truncated_at_ms == 1200
    assert record.transcript is None
    await send(engine, {"type": "conversation.item.retrieve", "item_id": item_id})
    retrieved = await engine.next_server_event()
    assert retrieved["item"]["content"][0]["transcript"] is None
    again = await truncate(item_id, 1500)
    assert again["error"]["message"] == "Audio content of 1200ms is already shorter than 1500ms"
    assert [t.accepted for t in engine.record.truncates] == [False, False, False, True, False]


async def test_items_can_be_deleted_once(engine: FakeRealtimeEngine) -> None:
    await configure(engine)
    events = await greet(engine)
    item_id = events[-1]["response"]["output"][0]["id"]
    await send(engine, {"type": "conversation.item.delete", "item_id": item_id})
    assert (await engine.next_server_event())["type"] == "conversation.item.deleted"
    await send(engine, {"type": "conversation.item.delete", "item_id": item_id})
    assert (await engine.next_server_event())["error"]["message"] == (
        f"Item with item_id not found: {item_id}"
    )


async def test_the_record_keeps_every_client_event_in_order(engine: FakeRealtimeEngine) -> None:
    await configure(engine)
    await send(engine, {"type": "input_audio_buffer.clear"})
    await send(engine, {"type": "no.such.event", "event_id": "evt_bad"})
    assert [e["type"] for e in engine.record.client_events] == [
        "session.update",
        "input_audio_buffer.clear",
        "no.such.event",
    ]
    assert engine.record.errors_sent[-1]["param"] == "type"
