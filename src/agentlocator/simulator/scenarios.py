"""Whole calls through the real server with the fakes on both sides, each with its checks.

Every scenario starts its own `LocalStack` (the server, the fake Realtime server, the fake Twilio
REST API, a database), plays a call with the Twilio call simulator, and reports what it measured.
Used by the scenario tests and by `agentlocator simulate-call`.
"""

from __future__ import annotations

import time

from agentlocator.simulator.realtime_config import FakeRealtimeConfig
from agentlocator.simulator.realtime_script import ScriptStep
from agentlocator.simulator.scenario_kit import (
    Scenario,
    ScenarioOptions,
    ScenarioReport,
    dial,
    hang_up_and_check_barge_ins,
    next_reply,
    record_checks,
    stack_for,
    stored_call,
    wait_until,
)
from agentlocator.simulator.scenarios_barge_in import BARGE_IN_SCENARIOS
from agentlocator.simulator.scenarios_booking import BOOKING_SCENARIOS
from agentlocator.simulator.scenarios_edge import EDGE_SCENARIOS

LONG_REPLY = (
    "בשמחה. יש לנו תורים פנויים השבוע ביום שני בבוקר, ביום שלישי אחרי הצהריים וביום חמישי "
    "בשעות הערב, ותוכלו לבחור את מה שהכי נוח לכם."
)


async def booking(options: ScenarioOptions) -> ScenarioReport:
    """Greeting, three exchanges, the agent says goodbye and hangs up with `end_call`."""
    report = ScenarioReport("booking")
    async with stack_for(options) as stack:
        call = await dial(stack)
        await call.wait_agent_finished()
        for _ in range(3):
            if call.phone.is_closed:
                break
            await next_reply(call)
        closed = await call.phone.wait_closed(5.0)
        report.check("the agent hung up after its goodbye", closed, call.phone.closed_by)
        hang_ups = [r for r in stack.rest.requests if r.form.get("Status") == "completed"]
        report.check("hang-up went through Twilio REST", len(hang_ups) == 1, len(hang_ups))
        audit = call.audit()
        last_item = call.assistant_items()[-1][0]
        report.check(
            "the goodbye played to the end before the hang-up",
            audit.heard_bytes[last_item] == audit.generated_bytes[last_item],
        )
        call.common_checks(report)
        row = await stored_call(stack, call.call_sid)
        record_checks(report, row, "agent_ended")
        roles = {turn["role"] for turn in row["transcript"]}
        report.check("transcript holds caller and agent turns", roles == {"caller", "agent"}, roles)
        report.figures["transcript_turns"] = len(row["transcript"])
    return report


async def conversation(options: ScenarioOptions) -> ScenarioReport:
    """Greeting, then a short conversation; the caller hangs up."""
    report = ScenarioReport("conversation")
    steps = [ScriptStep(say="בשמחה, במה אפשר לעזור?"), ScriptStep(say="אין בעיה, רשמתי את הבקשה.")]
    async with stack_for(options, steps=steps) as stack:
        call = await dial(stack)
        await call.wait_agent_finished()
        report.check("the agent spoke first", call.heard_ms() > 0)
        await next_reply(call)
        await next_reply(call)
        audit = call.audit()
        report.check(
            "greeting and two replies heard in full",
            len(audit.heard_bytes) == 3
            and all(audit.heard_bytes[i] == audit.generated_bytes[i] for i in audit.heard_bytes),
            audit.heard_bytes,
        )
        await call.phone.hang_up()
        await wait_until(lambda: call.engine.is_closed, "Realtime session closed", 2.0)
        call.common_checks(report)
        record_checks(report, await stored_call(stack, call.call_sid), "caller_hung_up")
    return report


async def barge_in_mid_reply(options: ScenarioOptions) -> ScenarioReport:
    """The caller interrupts while the reply is still being generated: stop, cancel, truncate."""
    report = ScenarioReport("barge_in_mid_reply")
    config = FakeRealtimeConfig(seed=options.seed, speed_factor=(1.1, 1.1))
    async with stack_for(options, steps=[ScriptStep(say=LONG_REPLY)], config=config) as stack:
        call = await dial(stack)
        await call.wait_agent_finished()
        call.speak(1000)
        await call.wait_agent_speaking(1500, timeout_secs=15)
        report.check("reply still generating when interrupted", call.is_reply_active())
        call.speak(900)
        await wait_until(lambda: len(call.engine.record.truncates) >= 1, "truncate", 3.0)
        # Held back at once, then cleared if the phone still held any of its short lead.
        report.check("the phone went quiet", not call.is_agent_playing())
        cancels = [c for c in call.engine.record.cancels if c.reason == "client_cancelled"]
        report.check(
            "the active reply was cancelled once", len(cancels) == 1 and cancels[0].accepted
        )
        await call.wait_agent_finished()
        await hang_up_and_check_barge_ins(stack, call, report, committed=1)
    return report


async def barge_in_after_done(options: ScenarioOptions) -> ScenarioReport:
    """Interrupt after `response.done` while Twilio still plays: clear and truncate, no cancel."""
    report = ScenarioReport("barge_in_after_done")
    config = FakeRealtimeConfig(seed=options.seed, speed_factor=(10.0, 10.0))
    async with stack_for(options, steps=[ScriptStep(say=LONG_REPLY)], config=config) as stack:
        call = await dial(stack)
        await call.wait_agent_finished()
        call.speak(1000)
        await wait_until(
            lambda: call.responses_done() >= 2 and call.is_agent_playing(), "reply done", 15
        )
        await call.wait_agent_speaking(800)
        report.check("no reply active when interrupted", not call.is_reply_active())
        call.speak(900)
        await wait_until(lambda: len(call.engine.record.truncates) >= 1, "truncate", 3.0)
        report.check(
            "nothing was cancelled", not call.engine.record.cancels, call.engine.record.cancels
        )
        await hang_up_and_check_barge_ins(stack, call, report, committed=1)
    return report


async def barge_in_before_response_done(options: ScenarioOptions) -> ScenarioReport:
    """Interrupt between `output_audio.done` and `response.done`: the reply is still active."""
    report = ScenarioReport("barge_in_before_response_done")
    config = FakeRealtimeConfig(
        seed=options.seed, speed_factor=(10.0, 10.0), response_done_delay_ms=(4000.0, 4000.0)
    )
    async with stack_for(options, steps=[ScriptStep(say=LONG_REPLY)], config=config) as stack:
        call = await dial(stack)
        await call.wait_agent_finished()
        call.speak(1000)
        await call.wait_agent_speaking(1000, timeout_secs=15)
        types = call.engine.record.server_types()
        report.check(
            "interrupting after output_audio.done and before response.done",
            call.is_reply_active() and types.count("response.output_audio.done") >= 2,
        )
        call.speak(900)
        await wait_until(lambda: len(call.engine.record.truncates) >= 1, "truncate", 3.0)
        cancels = [c for c in call.engine.record.cancels if c.reason == "client_cancelled"]
        report.check(
            "the still-active reply was cancelled", len(cancels) == 1 and cancels[0].accepted
        )
        await hang_up_and_check_barge_ins(stack, call, report, committed=1)
    return report


async def barge_in_every_reply(options: ScenarioOptions) -> ScenarioReport:
    """Five replies in one call, each interrupted: barge-in keeps working after the first."""
    report = ScenarioReport("barge_in_every_reply")
    steps = [ScriptStep(say=LONG_REPLY) for _ in range(7)]
    config = FakeRealtimeConfig(seed=options.seed, speed_factor=(3.0, 6.0))
    async with stack_for(options, steps=steps, config=config) as stack:
        call = await dial(stack)
        await call.wait_agent_finished()
        call.speak(1000)
        for turn in range(5):
            await call.wait_agent_speaking(700 + 150 * turn, timeout_secs=15)
            call.speak(800)
            await call.wait_truncates(turn + 1)
        await call.wait_agent_finished()
        await hang_up_and_check_barge_ins(stack, call, report, committed=5)
    return report


async def caller_hangs_up_mid_reply(options: ScenarioOptions) -> ScenarioReport:
    """The caller hangs up while the agent talks: the Realtime socket closes within 500 ms."""
    report = ScenarioReport("caller_hangs_up_mid_reply")
    async with stack_for(options, steps=[ScriptStep(say=LONG_REPLY)]) as stack:
        call = await dial(stack)
        await call.wait_agent_finished()
        call.speak(1000)
        await call.wait_agent_speaking(1000, timeout_secs=15)
        await call.phone.hang_up()
        took = await wait_until(lambda: call.engine.is_closed, "Realtime session closed", 5.0)
        report.figures["realtime_closed_after_ms"] = round(took * 1000, 1)
        report.check("Realtime socket closed within 500 ms", took <= 0.5, f"{took * 1000:.0f} ms")
        call.common_checks(report)
        record_checks(report, await stored_call(stack, call.call_sid), "caller_hung_up")
    return report


async def status_callback_ends_call(options: ScenarioOptions) -> ScenarioReport:
    """A terminal status callback closes the stream within 1 s."""
    from agentlocator.simulator.local_stack import AUTH_TOKEN
    from agentlocator.simulator.twilio_network import post_status

    report = ScenarioReport("status_callback_ends_call")
    async with stack_for(options, steps=[ScriptStep(say=LONG_REPLY)]) as stack:
        call = await dial(stack)
        await call.wait_agent_speaking(300)
        started = time.monotonic()
        response = await post_status(
            stack.http, stack.base_url, call_sid=call.call_sid, status="completed",
            duration_secs=3, auth_token=AUTH_TOKEN,
        )  # fmt: skip
        report.check("status callback accepted", response.status_code == 204, response.status_code)
        closed = await call.phone.wait_closed(5.0)
        took = time.monotonic() - started
        report.figures["stream_closed_after_ms"] = round(took * 1000, 1)
        report.check(
            "stream closed by the server within 1 s",
            closed and took <= 1.0,
            f"{took * 1000:.0f} ms",
        )
        await wait_until(lambda: call.engine.is_closed, "Realtime session closed", 2.0)
        call.common_checks(report)
        row = await stored_call(stack, call.call_sid)
        record_checks(report, row, "status_callback")
        report.check("Twilio's duration recorded", row["twilio_duration_secs"] is not None)
    return report


async def realtime_drop(options: ScenarioOptions) -> ScenarioReport:
    """The Realtime socket drops mid-call: the call ends cleanly instead of hanging."""
    report = ScenarioReport("realtime_drop")
    config = FakeRealtimeConfig(seed=options.seed).with_faults(
        close_after_secs=3.0, close_code=1011
    )
    async with stack_for(options, config=config, steps=[ScriptStep(say=LONG_REPLY)]) as stack:
        call = await dial(stack)
        await call.wait_agent_finished()
        call.speak(1000)
        closed = await call.phone.wait_closed(8.0)
        report.check(
            "the phone stream was closed by the server", closed and call.phone.closed_by == "server"
        )
        lag = (call.phone.closed_at_ms or 0) - 3000
        report.figures["phone_closed_ms_after_drop"] = round(lag, 1)
        report.check("closed within 1 s of the drop", lag <= 1000, f"{lag:.0f} ms")
        call.common_checks(report)
        record_checks(report, await stored_call(stack, call.call_sid), "realtime_lost")
    return report


SCENARIOS: dict[str, Scenario] = {
    "booking": booking,
    "conversation": conversation,
    "barge_in_mid_reply": barge_in_mid_reply,
    "barge_in_after_done": barge_in_after_done,
    "barge_in_before_response_done": barge_in_before_response_done,
    "barge_in_every_reply": barge_in_every_reply,
    "caller_hangs_up_mid_reply": caller_hangs_up_mid_reply,
    "status_callback_ends_call": status_callback_ends_call,
    "realtime_drop": realtime_drop,
    **EDGE_SCENARIOS,
    **BARGE_IN_SCENARIOS,
    **BOOKING_SCENARIOS,
}
