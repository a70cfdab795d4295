"""Whole-call scenarios for local barge-in: false alarms resume, real speech interrupts.

Each runs through the real server with the business's default barge-in policy (our detector,
paced playout). "Heard in full" is measured on the simulated phone: every byte the model generated
for the item reached the caller's ear exactly once (the audit finds no duplicated byte).
"""

from __future__ import annotations

from agentlocator.simulator.noises import cough_audio
from agentlocator.simulator.realtime_config import FakeRealtimeConfig
from agentlocator.simulator.realtime_script import ScriptStep
from agentlocator.simulator.scenario_kit import (
    QUIET_SECS,
    DialledCall,
    Scenario,
    ScenarioOptions,
    ScenarioReport,
    dial,
    hang_up_and_check_barge_ins,
    next_reply,
    stack_for,
    wait_until,
)
from agentlocator.simulator.speech import dtmf_tone, silence
from agentlocator.simulator.twilio_echo import EchoPath

LONG_REPLY = (
    "בשמחה. יש לנו תורים פנויים השבוע ביום שני בבוקר, ביום שלישי אחרי הצהריים וביום חמישי "
    "בשעות הערב, ותוכלו לבחור את מה שהכי נוח לכם."
)
SHORT_REPLY = "בסדר גמור, אפשר להמשיך."


def _kinds(row: dict[str, object]) -> list[str]:
    events = row["barge_ins"]
    assert isinstance(events, list)
    return [str(e.get("kind")) for e in events]


def _heard_in_full(call: DialledCall, report: ScenarioReport, what: str) -> None:
    audit = call.audit()
    cut = [i for i, _ in call.assistant_items() if audit.heard_bytes[i] != audit.generated_bytes[i]]
    report.check(f"{what}: every item heard to its last byte", not cut, cut)


async def cough_during_reply(options: ScenarioOptions) -> ScenarioReport:
    """A cough while the agent talks: a pause at most, then the agent carries on where it paused:
    no cancel, no truncate, nothing lost or repeated."""
    report = ScenarioReport("cough_during_reply")
    async with stack_for(options, steps=[ScriptStep(say=LONG_REPLY)]) as stack:
        call = await dial(stack)
        await call.wait_agent_finished()
        call.speak(1000)
        await call.wait_agent_speaking(1200, timeout_secs=15)
        call.phone.say(cough_audio(seed=options.seed))
        await call.wait_agent_finished(quiet_secs=QUIET_SECS)
        report.check("nothing truncated", not call.engine.record.truncates)
        report.check("nothing cancelled", not call.engine.record.cancels)
        _heard_in_full(call, report, "after the cough")
        row = await hang_up_and_check_barge_ins(stack, call, report, committed=0)
        kinds = _kinds(row)
        report.check(
            "every pause was followed by a resume",
            kinds.count("paused") == kinds.count("resumed"),
            kinds,
        )
        report.figures["decisions"] = kinds
    return report


async def interrupt_greeting(options: ScenarioOptions) -> ScenarioReport:
    """The caller talks over the greeting (interruptible by default): it stops and is truncated."""
    report = ScenarioReport("interrupt_greeting")
    async with stack_for(options, steps=[ScriptStep(say=SHORT_REPLY)]) as stack:
        call = await dial(stack)
        await call.wait_agent_speaking(800)
        greeting_item = call.assistant_items()[0][0]
        call.speak(1200)
        await wait_until(lambda: len(call.engine.record.truncates) >= 1, "truncate", 3.0)
        report.check(
            "the greeting was truncated",
            call.engine.record.truncates[0].item_id == greeting_item,
        )
        await wait_until(lambda: call.responses_done() >= 2, "the answer to the caller", 15.0)
        await call.wait_agent_finished()
        await hang_up_and_check_barge_ins(stack, call, report, committed=1)
    return report


async def interrupt_fifth_reply(options: ScenarioOptions) -> ScenarioReport:
    """Four replies heard in full, then the caller interrupts the fifth: barge-in still works."""
    report = ScenarioReport("interrupt_fifth_reply")
    steps = [ScriptStep(say=SHORT_REPLY) for _ in range(4)] + [ScriptStep(say=LONG_REPLY)] * 2
    async with stack_for(options, steps=steps) as stack:
        call = await dial(stack)
        await call.wait_agent_finished()
        for _ in range(4):
            await next_reply(call)
        report.check("no barge-in in the first four replies", not call.engine.record.truncates)
        call.speak(1000)
        await call.wait_agent_speaking(1000, timeout_secs=15)
        fifth = call.assistant_items()[-1][0]
        call.speak(1000)
        await wait_until(lambda: len(call.engine.record.truncates) >= 1, "truncate", 3.0)
        report.check(
            "the fifth reply was truncated", call.engine.record.truncates[0].item_id == fifth
        )
        await call.wait_agent_finished()
        await hang_up_and_check_barge_ins(stack, call, report, committed=1)
    return report


async def echo_is_not_the_caller(options: ScenarioOptions) -> ScenarioReport:
    """The phone echoes the agent's voice back (-20 dB, 80 ms): the agent is never cut off by
    its own voice, and still stops when the caller really talks over it. (At -15 dB it passed
    10 of 10 seeded runs once clears needed near speech, after failing now and then before;
    `make test` keeps -20 dB until that holds up longer.)"""
    report = ScenarioReport("echo_is_not_the_caller")
    steps = [ScriptStep(say=LONG_REPLY)] * 3
    echo = EchoPath(delay_ms=80.0, level_db=-20.0)
    async with stack_for(options, steps=steps) as stack:
        call = await dial(stack, echo=echo)
        await call.wait_agent_finished()
        await next_reply(call)
        await call.wait_agent_finished(quiet_secs=QUIET_SECS)
        report.check("its own echo never interrupted the agent", not call.engine.record.truncates)
        _heard_in_full(call, report, "with the echo")
        call.speak(1000)
        await call.wait_agent_speaking(1000, timeout_secs=15)
        talking = call.assistant_items()[-1][0]
        call.speak(1000)
        await wait_until(lambda: len(call.engine.record.truncates) >= 1, "truncate", 3.0)
        report.check(
            "the caller talking over the echo interrupts the reply",
            call.engine.record.truncates[0].item_id == talking,
        )
        await call.wait_agent_finished()
        row = await hang_up_and_check_barge_ins(stack, call, report, committed=1)
        report.figures["decisions"] = _kinds(row)
    return report


async def dtmf_tones_keep_talking(options: ScenarioOptions) -> ScenarioReport:
    """Key presses whose tones also reach the line: recorded as digits, the agent carries on."""
    report = ScenarioReport("dtmf_tones_keep_talking")
    config = FakeRealtimeConfig(seed=options.seed, speed_factor=(1.5, 1.5))
    async with stack_for(options, steps=[ScriptStep(say=LONG_REPLY)], config=config) as stack:
        call = await dial(stack)
        await call.wait_agent_finished()
        call.speak(1000)
        await call.wait_agent_speaking(1000, timeout_secs=15)
        for digit in "12#":
            call.phone.press(digit)
            call.phone.say(dtmf_tone(digit, 120) + silence(80))
        await call.wait_agent_finished(quiet_secs=QUIET_SECS)
        report.check("nothing truncated", not call.engine.record.truncates)
        _heard_in_full(call, report, "after the key presses")
        await hang_up_and_check_barge_ins(stack, call, report, committed=0)
    return report


async def barge_in_the_server_never_heard(options: ScenarioOptions) -> ScenarioReport:
    """The caller interrupts more quietly than the server's VAD threshold: our detector still
    cuts the agent off, and the machine closes the caller's turn itself (commit + reply) instead
    of leaving them in silence."""
    report = ScenarioReport("barge_in_the_server_never_heard")
    config = FakeRealtimeConfig(seed=options.seed, vad_rms_threshold=30_000.0)  # deaf server
    steps = [ScriptStep(say=LONG_REPLY), ScriptStep(say=SHORT_REPLY)]
    async with stack_for(options, steps=steps, config=config) as stack:
        call = await dial(stack)
        await call.wait_agent_speaking(800)
        call.speak(1200)
        await wait_until(lambda: len(call.engine.record.truncates) >= 1, "truncate", 3.0)
        await wait_until(lambda: call.responses_done() >= 2, "a reply to the caller", 10.0)
        client_types = [str(e.get("type")) for e in call.engine.record.client_events]
        server_types = call.engine.record.server_types()
        report.check(
            "the server never heard speech", "input_audio_buffer.speech_started" not in server_types
        )
        report.check(
            "the bridge committed the caller's audio", "input_audio_buffer.commit" in client_types
        )
        commit_at = client_types.index("input_audio_buffer.commit")
        report.check(
            "and then asked for the reply",
            "response.create" in client_types[commit_at:],
        )
        await call.wait_agent_finished()
        await hang_up_and_check_barge_ins(stack, call, report, committed=1)
    return report


BARGE_IN_SCENARIOS: dict[str, Scenario] = {
    "cough_during_reply": cough_during_reply,
    "interrupt_greeting": interrupt_greeting,
    "interrupt_fifth_reply": interrupt_fifth_reply,
    "echo_is_not_the_caller": echo_is_not_the_caller,
    "dtmf_tones_keep_talking": dtmf_tones_keep_talking,
    "barge_in_the_server_never_heard": barge_in_the_server_never_heard,
}
