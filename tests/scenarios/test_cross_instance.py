"""A status callback that lands on another instance still ends the call (Redis signalling)."""

from __future__ import annotations

import asyncio
import os
import time

import httpx
import pytest

from agentlocator.app import create_app
from agentlocator.call.live_calls import LiveCalls, RedisEndBus
from agentlocator.simulator.local_stack import AUTH_TOKEN
from agentlocator.simulator.realtime_script import ScriptStep
from agentlocator.simulator.scenario_kit import ScenarioOptions, dial, stack_for, stored_call
from agentlocator.simulator.scenarios import LONG_REPLY
from agentlocator.simulator.twilio_network import post_status

REDIS_URL = os.environ.get("AGENTLOCATOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


class Ended:
    def __init__(self) -> None:
        self.reasons: list[str] = []
        self.event = asyncio.Event()

    def end(self, reason: str) -> None:
        self.reasons.append(reason)
        self.event.set()


async def test_end_signal_reaches_the_instance_holding_the_call() -> None:
    holder, other = LiveCalls(), LiveCalls()
    holder_bus, other_bus = RedisEndBus(holder, REDIS_URL), RedisEndBus(other, REDIS_URL)
    call = Ended()
    holder.add("CA-held-elsewhere", call)
    await holder_bus.start()
    try:
        await other_bus.publish_end("CA-held-elsewhere", "status_callback")
        await other_bus.publish_end("CA-nobody-holds", "status_callback")
        await asyncio.wait_for(call.event.wait(), 2.0)
        assert call.reasons == ["status_callback"]
    finally:
        await holder_bus.stop()
        await other_bus.stop()


@pytest.mark.slow
async def test_status_callback_on_a_second_instance_closes_the_stream_within_a_second() -> None:
    options = ScenarioOptions(settings_overrides={"redis_url": REDIS_URL})
    async with stack_for(options, steps=[ScriptStep(say=LONG_REPLY)]) as stack:
        call = await dial(stack)
        await call.wait_agent_speaking(300)
        second = create_app(stack.settings)  # same database and Redis, no stream of its own
        transport = httpx.ASGITransport(app=second)
        try:
            async with httpx.AsyncClient(transport=transport, base_url=stack.base_url) as http:
                started = time.monotonic()
                reply = await post_status(
                    http, stack.base_url, call_sid=call.call_sid, status="completed",
                    duration_secs=2, auth_token=AUTH_TOKEN,
                )  # fmt: skip
                assert reply.status_code == 204
                assert await call.phone.wait_closed(2.0)
                assert time.monotonic() - started <= 1.0
        finally:
            await second.state.runtime.close()
        row = await stored_call(stack, call.call_sid)
        assert row["end_reason"] == "status_callback"
