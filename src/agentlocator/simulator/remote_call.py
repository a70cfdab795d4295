"""A simulated phone call against a server that is already running (for example `make run`).

Only what a phone can observe is checked here: the greeting and replies it hears, the Twilio
messages it receives, and how the call ends. The in-process scenarios check the model's side too.
"""

from __future__ import annotations

import asyncio
import time

import httpx

from agentlocator.audio.mulaw import BYTES_PER_MS
from agentlocator.simulator.scenario_kit import ScenarioReport
from agentlocator.simulator.speech import synthetic_speech
from agentlocator.simulator.twilio_caller import SimulatedCall
from agentlocator.simulator.twilio_network import place_inbound_call, simulated_call_for

QUIET_MS = 900.0


def _heard_ms(phone: SimulatedCall) -> float:
    return len(phone.played_audio()) / BYTES_PER_MS


async def _wait_for_reply(phone: SimulatedCall, heard_before: float, timeout_secs: float) -> bool:
    """Wait until new agent audio played and the line has been quiet for a moment."""
    deadline = time.monotonic() + timeout_secs
    quiet_since: float | None = None
    while time.monotonic() < deadline and not phone.is_closed:
        if _heard_ms(phone) > heard_before and phone.queued_ms() == 0:
            quiet_since = quiet_since or time.monotonic()
            if (time.monotonic() - quiet_since) * 1000 >= QUIET_MS:
                return True
        else:
            quiet_since = None
        await asyncio.sleep(0.02)
    return _heard_ms(phone) > heard_before


async def call_running_server(
    base_url: str,
    *,
    to: str,
    from_: str,
    auth_token: str | None,
    public_url: str | None,
    turns: int = 3,
) -> ScenarioReport:
    """Dial `base_url` like Twilio, talk for up to `turns` exchanges, and report."""
    report = ScenarioReport("remote_call")
    async with httpx.AsyncClient(timeout=10.0) as http:
        placed = await place_inbound_call(
            http, base_url, from_=from_, to=to, auth_token=auth_token, public_url=public_url
        )
        report.check(
            "voice webhook connected a stream", placed.twiml.stream is not None, placed.text[:200]
        )
        if placed.twiml.stream is None:
            return report
        phone = simulated_call_for(placed, auth_token=auth_token, base_url=base_url)
        await phone.start()
        report.check("the agent spoke first", await _wait_for_reply(phone, 0.0, 15.0))
        replies = 0
        for turn in range(turns):
            if phone.is_closed:
                break
            heard = _heard_ms(phone)
            phone.say(synthetic_speech(1000, seed=turn + 1))
            if await _wait_for_reply(phone, heard, 20.0):
                replies += 1
        ended_by_agent = await phone.wait_closed(8.0)
        if not ended_by_agent:
            await phone.hang_up()
        report.check("the agent answered every turn until the call ended", replies >= 1, replies)
        report.check(
            "phone saw only valid Twilio messages", not phone.protocol_errors, phone.protocol_errors
        )
        report.figures.update(
            {
                "call_sid": placed.call_sid,
                "replies_heard": replies,
                "heard_ms": round(_heard_ms(phone), 1),
                "ended_by": phone.closed_by if ended_by_agent else "caller",
                "marks": len(phone.marks),
                "clears": len(phone.clears),
            }
        )
    return report
