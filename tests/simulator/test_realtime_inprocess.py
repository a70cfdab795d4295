"""InProcessRealtimeLink: the simulated Realtime engine behind the `RealtimeLink` port."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from agentlocator.realtime.link import RealtimeClosed, RealtimeLink
from agentlocator.simulator.realtime_config import FakeRealtimeConfig
from agentlocator.simulator.realtime_inprocess import InProcessRealtimeLink
from agentlocator.simulator.realtime_script import RealtimeScript

SESSION = {
    "type": "realtime",
    "audio": {
        "input": {"format": {"type": "audio/pcmu"}},
        "output": {"format": {"type": "audio/pcmu"}},
    },
    "tools": [{"type": "function", "name": "end_call", "parameters": {"type": "object"}}],
}


async def receive_until(link: RealtimeLink, kind: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    async with asyncio.timeout(5):
        while not events or events[-1]["type"] != kind:
            events.append(await link.receive())
    return events


async def test_the_default_script_is_a_receptionist_call_ending_in_end_call() -> None:
    link: RealtimeLink = InProcessRealtimeLink(config=FakeRealtimeConfig.fast(seed=1))
    assert (await link.receive())["type"] == "session.created"
    await link.send({"type": "session.update", "session": SESSION})
    await receive_until(link, "session.updated")
    await link.send({"type": "response.create", "response": {"instructions": "Say exactly: שלום"}})
    greeting = (await receive_until(link, "response.done"))[-1]["response"]
    assert greeting["output"][0]["content"][0]["transcript"] == "שלום"
    outputs = []
    for _ in range(3):
        await link.send({"type": "response.create"})
        outputs.append((await receive_until(link, "response.done"))[-1]["response"]["output"])
    await link.close()
    assert [[item["type"] for item in output] for output in outputs] == [
        ["message"],
        ["message"],
        ["message", "function_call"],
    ]
    assert outputs[-1][1]["name"] == "end_call"
    assert all(output[0]["content"][0]["transcript"] for output in outputs)  # Hebrew lines


async def test_events_are_validated_as_strictly_as_over_the_socket() -> None:
    link = InProcessRealtimeLink(config=FakeRealtimeConfig.fast(), script=RealtimeScript())
    await link.receive()
    await link.send({"type": "session.update", "session": {"type": "realtime", "temperature": 1}})
    error = await link.receive()
    await link.close()
    assert error["error"]["code"] == "unknown_parameter"
    assert link.engine.record.client_events[0]["session"]["temperature"] == 1


async def test_a_closed_link_raises_realtime_closed_both_ways() -> None:
    link = InProcessRealtimeLink(config=FakeRealtimeConfig.fast())
    await link.receive()
    await link.close()
    await link.close()  # idempotent
    with pytest.raises(RealtimeClosed) as closed:
        await link.receive()
    assert closed.value.code == 1000
    with pytest.raises(RealtimeClosed):
        await link.send({"type": "input_audio_buffer.clear"})


async def test_non_json_events_fail_in_the_caller() -> None:
    link = InProcessRealtimeLink(config=FakeRealtimeConfig.fast())
    with pytest.raises(TypeError):
        await link.send({"type": "input_audio_buffer.append", "audio": b"raw bytes"})
    await link.close()
