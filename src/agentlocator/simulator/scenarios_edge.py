"""Scenarios at the edges of a call: wrong numbers, forgeries, garbage frames, silence, keys."""

from __future__ import annotations

import json

from websockets.exceptions import InvalidStatus

from agentlocator.simulator.local_stack import AUTH_TOKEN, BUSINESS_PHONE, CALLER_PHONE
from agentlocator.simulator.realtime_script import ScriptStep
from agentlocator.simulator.scenario_kit import (
    Scenario,
    ScenarioOptions,
    ScenarioReport,
    dial,
    next_reply,
    record_checks,
    stack_for,
    stored_call,
)
from agentlocator.simulator.twilio_caller import SimulatedCall
from agentlocator.simulator.twilio_network import place_inbound_call, post_status
from agentlocator.simulator.twilio_signing import tampered_signatures
from agentlocator.simulator.twilio_webhooks import inbound_call_params, join_url

UNKNOWN_NUMBER = "+97235550000"
GARBAGE_FRAMES: list[str | bytes] = [
    "this is not JSON",
    b"\x00\x01\x02 binary frame",
    json.dumps({"event": "media", "media": {"payload": "%%% not base64 %%%"}}),
    json.dumps({"event": "surprise", "streamSid": "MZ0"}),
    json.dumps({"event": "mark", "mark": {}}),
]


async def unknown_number(options: ScenarioOptions) -> ScenarioReport:
    """A number no business owns: a short apology, a hang-up, nothing stored."""
    report = ScenarioReport("unknown_number")
    async with stack_for(options) as stack:
        placed = await place_inbound_call(
            stack.http, stack.base_url, from_=CALLER_PHONE, to=UNKNOWN_NUMBER, auth_token=AUTH_TOKEN
        )
        report.check("answered with TwiML", placed.http_status == 200, placed.http_status)
        report.check("no stream is connected", placed.twiml.stream is None, placed.twiml.verbs)
        report.check("a short apology then hang-up", placed.twiml.verbs == ["Say", "Hangup"])
        report.check("nothing stored", await stack.count_calls() == 0)
    return report


async def bad_signature(options: ScenarioOptions) -> ScenarioReport:
    """Forged or missing signatures: 403 on every webhook and on the upgrade, nothing stored."""
    report = ScenarioReport("bad_signature")
    async with stack_for(options) as stack:
        url = join_url(stack.base_url, "/twilio/voice")
        params = inbound_call_params(
            call_sid="CA" + "0" * 32,
            account_sid="AC" + "0" * 32,
            from_=CALLER_PHONE,
            to=BUSINESS_PHONE,
        )
        variants = [v.name for v in tampered_signatures(AUTH_TOKEN, url, params)]
        statuses = {}
        for name in variants:
            placed = await place_inbound_call(
                stack.http, stack.base_url, from_=CALLER_PHONE, to=BUSINESS_PHONE,
                auth_token=AUTH_TOKEN, tamper=name,
            )  # fmt: skip
            statuses[name] = placed.http_status
        unsigned = await place_inbound_call(
            stack.http, stack.base_url, from_=CALLER_PHONE, to=BUSINESS_PHONE
        )
        statuses["unsigned"] = unsigned.http_status
        report.figures["voice_webhook_statuses"] = statuses
        report.check(
            f"voice webhook refuses {len(statuses)} forgeries with 403",
            set(statuses.values()) == {403},
            statuses,
        )
        status_reply = await post_status(
            stack.http, stack.base_url, call_sid="CA" + "1" * 32, status="completed",
            duration_secs=5, auth_token="not-the-token",  # noqa: S106  a deliberately wrong token
        )  # fmt: skip
        report.check("status callback refuses a forgery", status_reply.status_code == 403)
        stream_url = stack.settings.media_stream_url
        forged = SimulatedCall(stream_url, auth_token=AUTH_TOKEN, signature="forged=")
        try:
            await forged.start()
            upgrade_status = 101
            await forged.hang_up()
        except InvalidStatus as refused:
            upgrade_status = refused.response.status_code
        report.check("WebSocket upgrade with a forged signature gets 403", upgrade_status == 403)
        report.check("nothing stored", await stack.count_calls() == 0)
    return report


async def malformed_frames(options: ScenarioOptions) -> ScenarioReport:
    """Garbage from the phone side is counted and ignored; the call goes on."""
    report = ScenarioReport("malformed_frames")
    async with stack_for(options, steps=[ScriptStep(say="כן, אני שומעת אתכם.")]) as stack:
        call = await dial(stack)
        await call.wait_agent_speaking(200)
        for frame in GARBAGE_FRAMES:
            await call.phone.send_raw(frame)
        await call.wait_agent_finished()
        await next_reply(call)
        report.check("the call went on after the garbage", len(call.assistant_items()) == 2)
        await call.phone.hang_up()
        call.common_checks(report)
        row = await stored_call(stack, call.call_sid)
        counted = row["latency"].get("malformed_frames")
        report.check(
            f"{len(GARBAGE_FRAMES)} malformed frames counted",
            counted == len(GARBAGE_FRAMES),
            counted,
        )
    return report


async def silence_timeout(options: ScenarioOptions) -> ScenarioReport:
    """The caller says nothing: a prompt, then a polite goodbye, then the agent hangs up."""
    report = ScenarioReport("silence_timeout")
    async with stack_for(options, steps=[], silence_timeout_secs=1.5) as stack:
        call = await dial(stack)
        closed = await call.phone.wait_closed(20.0)
        report.check("the call ended without the caller", closed)
        report.check("a prompt and a goodbye after the greeting", len(call.assistant_items()) == 3)
        audit = call.audit()
        last = call.assistant_items()[-1][0]
        report.check(
            "the goodbye played in full", audit.heard_bytes[last] == audit.generated_bytes[last]
        )
        call.common_checks(report)
        record_checks(report, await stored_call(stack, call.call_sid), "silence_timeout")
    return report


async def dtmf_keeps_talking(options: ScenarioOptions) -> ScenarioReport:
    """Key presses during a reply are recorded and do not cut the agent off."""
    report = ScenarioReport("dtmf_keeps_talking")
    async with stack_for(options) as stack:
        call = await dial(stack)
        await call.wait_agent_speaking(300)
        for digit in "12#":
            call.phone.press(digit)
        await call.wait_agent_finished()
        report.check("no barge-in on key presses", not call.phone.clears)
        await call.phone.hang_up()
        call.common_checks(report)
    return report


EDGE_SCENARIOS: dict[str, Scenario] = {
    "unknown_number": unknown_number,
    "bad_signature": bad_signature,
    "malformed_frames": malformed_frames,
    "silence_timeout": silence_timeout,
    "dtmf_keeps_talking": dtmf_keeps_talking,
}
