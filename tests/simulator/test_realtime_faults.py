"""Fault injection in the fake Realtime engine: server errors, failed responses, dropped
connections, session expiry, a slow first delta."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from agentlocator.realtime.link import RealtimeClosed
from agentlocator.simulator.realtime_config import FakeRealtimeConfig
from agentlocator.simulator.realtime_engine import FakeRealtimeEngine
from agentlocator.simulator.realtime_script import RealtimeScript, ScriptStep

PCMU_SESSION = {
    "type": "session.update",
    "session": {
        "type": "realtime",
        "audio": {
            "input": {"format": {"type": "audio/pcmu"}},
            "output": {"format": {"type": "audio/pcmu"}},
        },
    },
}


async def send(engine: FakeRealtimeEngine, event: dict[str, Any]) -> None:
    await engine.receive_client_frame(json.dumps(event))


async def events_until(engine: FakeRealtimeEngine, kind: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    async with asyncio.timeout(5):
        while not events or events[-1]["type"] != kind:
            events.append(await engine.next_server_event())
    return events


async def faulty_engine(**faults: Any) -> FakeRealtimeEngine:
    config = FakeRealtimeConfig.fast(seed=8).with_faults(**faults)
    script = RealtimeScript(steps=[ScriptStep(say="תשובה ראשונה"), ScriptStep(say="שנייה")])
    engine = FakeRealtimeEngine(config=config, script=script)
    await send(engine, PCMU_SESSION)
    await events_until(engine, "session.updated")
    return engine


async def test_a_server_error_follows_the_nth_response() -> None:
    engine = await faulty_engine(server_error_after_responses=2)
    await send(engine, {"type": "response.create"})
    await events_until(engine, "response.done")
    await send(engine, {"type": "response.create"})
    await events_until(engine, "response.done")
    error = await engine.next_server_event()
    await engine.close()
    assert error["type"] == "error"
    assert (error["error"]["type"], error["error"]["code"]) == ("server_error", "server_error")
    assert engine.record.errors_sent == [error["error"]]


async def test_the_nth_response_fails_halfway_with_its_item_closed() -> None:
    engine = await faulty_engine(fail_response_number=1)
    await send(engine, {"type": "response.create"})
    events = await events_until(engine, "response.done")
    await engine.close()
    done = events[-1]["response"]
    assert done["status"] == "failed"
    assert done["status_details"]["type"] == "failed"
    assert done["status_details"]["error"]["type"] == "server_error"
    assert done["output"][0]["status"] == "incomplete"
    assert "response.output_item.done" in [e["type"] for e in events]
    item = engine.record.items[done["output"][0]["id"]]
    assert 0 < len(item.audio) < 13 * 65 * 8  # "תשובה ראשונה" is 12 chars, clamped to 780 ms+
    (record,) = engine.record.responses.values()
    assert record.status == "failed"


@pytest.mark.parametrize("code", [1011, 1006])
async def test_the_connection_drops_after_the_nth_response(code: int) -> None:
    engine = await faulty_engine(close_after_responses=1, close_code=code)
    await send(engine, {"type": "response.create"})
    await events_until(engine, "response.done")
    with pytest.raises(RealtimeClosed) as closed:
        await engine.next_server_event()
    assert closed.value.code == code
    assert engine.record.close_code == code
    with pytest.raises(RealtimeClosed):
        await send(engine, {"type": "response.create"})
    with pytest.raises(RealtimeClosed):  # stays closed
        await engine.next_server_event()
    await engine.close()


async def test_the_connection_drops_at_a_given_time_even_mid_response() -> None:
    config = FakeRealtimeConfig.fast(speed_factor=(1.0, 1.0)).with_faults(
        close_after_secs=0.15, close_code=1006
    )
    engine = FakeRealtimeEngine(config=config)
    await send(engine, PCMU_SESSION)
    await send(engine, {"type": "response.create"})
    started = asyncio.get_running_loop().time()
    with pytest.raises(RealtimeClosed) as closed:
        await events_until(engine, "response.done")
    assert closed.value.code == 1006
    assert asyncio.get_running_loop().time() - started == pytest.approx(0.15, abs=0.1)
    await engine.close()


async def test_the_session_expires_with_the_real_error_then_closes() -> None:
    engine = await faulty_engine(session_max_secs=0.1)
    event = await engine.next_server_event()
    assert event["type"] == "error"
    assert event["error"]["code"] == "session_expired"
    assert event["error"]["message"] == "Your session hit the maximum duration of 60 minutes."
    with pytest.raises(RealtimeClosed) as closed:
        await engine.next_server_event()
    assert closed.value.code == 1000
    await engine.close()


async def test_a_slow_first_delta_delays_only_the_chosen_response() -> None:
    engine = await faulty_engine(slow_first_delta_ms=300, slow_first_delta_responses=frozenset({2}))
    loop = asyncio.get_running_loop()
    waits = []
    for _ in range(2):
        await send(engine, {"type": "response.create"})
        asked = loop.time()
        await events_until(engine, "response.output_audio.delta")
        waits.append(loop.time() - asked)
        await events_until(engine, "response.done")
    await engine.close()
    assert waits[0] < 0.1
    assert 0.3 <= waits[1] < 0.5
