"""Twilio rings many calls at once: every voice webhook is answered, on SQLite too."""

from __future__ import annotations

import asyncio

from agentlocator.simulator.local_stack import AUTH_TOKEN, BUSINESS_PHONE
from agentlocator.simulator.scenario_kit import ScenarioOptions, stack_for
from agentlocator.simulator.twilio_network import place_inbound_call


async def test_thirty_simultaneous_voice_webhooks_all_connect() -> None:
    async with stack_for(ScenarioOptions()) as stack:
        rings = [
            place_inbound_call(
                stack.http,
                stack.base_url,
                from_=f"+97250100{n:04d}",
                to=BUSINESS_PHONE,
                auth_token=AUTH_TOKEN,
            )
            for n in range(30)
        ]
        placed = await asyncio.gather(*rings)
        assert [p.http_status for p in placed] == [200] * 30
        assert all(p.twiml.stream is not None for p in placed)
        assert await stack.count_calls() == 30
