"""Building blocks of whole-call scenarios: dial through the real server, wait, speak, audit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from agentlocator.audio.mulaw import BYTES_PER_MS
from agentlocator.simulator.audio_audit import AudioAudit, TruncateCheck, audit_playback
from agentlocator.simulator.local_stack import AUTH_TOKEN, BUSINESS_PHONE, CALLER_PHONE, LocalStack
from agentlocator.simulator.realtime_config import FakeRealtimeConfig
from agentlocator.simulator.realtime_engine import FakeRealtimeEngine
from agentlocator.simulator.realtime_script import RealtimeScript, ScriptStep
from agentlocator.simulator.speech import caller_speech, warm_caller_speech
from agentlocator.simulator.twilio_caller import SimulatedCall
from agentlocator.simulator.twilio_network import (
    PlacedCall,
    place_inbound_call,
    simulated_call_for,
)

TRUNCATE_TOLERANCE_MS = 20.0


class ScenarioFailed(Exception):
    """A wait in a scenario timed out: the system did not do what the scenario needs."""


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str = ""


@dataclass
class ScenarioReport:
    """What a scenario measured, and the checks it made."""

    scenario: str
    checks: list[Check] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    def check(self, name: str, passed: bool, detail: object = "") -> None:
        self.checks.append(Check(name, bool(passed), str(detail)))

    def failures(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]

    def as_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "passed": self.passed,
            "checks": [check.__dict__ for check in self.checks],
            "figures": self.figures,
        }


async def wait_until(
    predicate: Callable[[], bool], what: str, timeout_secs: float = 10.0, poll_secs: float = 0.005
) -> float:
    """Poll until `predicate()` holds; returns the seconds it took. Raises `ScenarioFailed`."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout_secs:
            raise ScenarioFailed(f"timed out after {timeout_secs}s waiting for: {what}")
        await asyncio.sleep(poll_secs)
    return time.monotonic() - started


QUIET_SECS = 0.5
"""Longer than the server ever holds agent audio back while it judges a sound."""


@dataclass
class DialledCall:
    """One call placed through the real server: the caller's side and the model's side."""

    stack: LocalStack
    placed: PlacedCall
    phone: SimulatedCall
    engine: FakeRealtimeEngine
    speech_seed: int = 1

    @property
    def call_sid(self) -> str:
        return self.placed.call_sid

    def assistant_items(self) -> list[tuple[str, bytes]]:
        """Audio the model generated, per item, in generation order."""
        return [(i, bytes(r.audio)) for i, r in self.engine.record.items.items() if r.audio]

    def heard_ms(self) -> float:
        return len(self.phone.played_audio()) / BYTES_PER_MS

    def speak(self, duration_ms: int) -> float:
        """The caller says something (espeak-ng speech: both our detector and the fake server's
        VAD hear it as speech)."""
        self.speech_seed += 1
        return self.phone.say(caller_speech(duration_ms, seed=self.speech_seed))

    def is_agent_playing(self) -> bool:
        return self.phone.queued_ms() > 0

    def is_reply_active(self) -> bool:
        return self.engine.active_response_id is not None

    def responses_done(self) -> int:
        return sum(1 for r in self.engine.record.responses.values() if r.status != "in_progress")

    async def wait_agent_speaking(
        self, heard_at_least_ms: float, timeout_secs: float = 10.0
    ) -> None:
        """Wait until the caller hears the agent and has heard a further `heard_at_least_ms`."""
        start = self.heard_ms()
        await wait_until(
            lambda: self.is_agent_playing() and self.heard_ms() - start >= heard_at_least_ms,
            f"agent audio playing for {heard_at_least_ms} ms",
            timeout_secs,
        )

    async def wait_agent_finished(
        self, timeout_secs: float = 20.0, *, quiet_secs: float = 0.0
    ) -> None:
        """Wait until no reply is active and the phone has played everything it was sent.

        "Nothing queued at the phone" is not always the end: with paced playout the server holds
        a reply back while it judges a noise, and the phone's queue can run dry meanwhile. Pass
        `quiet_secs` (longer than any such hold, e.g. `QUIET_SECS`) when the caller must have
        heard the reply to its end.
        """
        deadline = time.monotonic() + timeout_secs

        def is_quiet() -> bool:
            return (
                self.heard_ms() > 0 and not self.is_reply_active() and not self.is_agent_playing()
            )

        while True:
            left = deadline - time.monotonic()
            await wait_until(is_quiet, "agent finished speaking", max(left, 0.01))
            if quiet_secs <= 0:
                return
            heard = self.heard_ms()
            await asyncio.sleep(quiet_secs)
            if is_quiet() and self.heard_ms() == heard:
                return

    async def wait_clears(self, count: int, timeout_secs: float = 3.0) -> None:
        """Wait until the phone has received `count` clears in all."""
        await wait_until(lambda: len(self.phone.clears) >= count, f"clear #{count}", timeout_secs)

    async def wait_truncates(self, count: int, timeout_secs: float = 3.0) -> None:
        """Wait until the model has received `count` truncates in all."""
        await wait_until(
            lambda: len(self.engine.record.truncates) >= count, f"truncate #{count}", timeout_secs
        )

    def audit(self) -> AudioAudit:
        return audit_playback(self.phone.played_audio(), self.assistant_items())

    def truncate_checks(self, audit: AudioAudit) -> list[TruncateCheck]:
        return [
            TruncateCheck(
                t.item_id,
                t.audio_end_ms,
                audit.heard_ms(t.item_id),
                audit.generated_bytes.get(t.item_id, 0) / BYTES_PER_MS,
            )
            for t in self.engine.record.truncates
        ]

    def common_checks(self, report: ScenarioReport, *, allow_errors: bool = False) -> None:
        """What every call must satisfy: no API errors, exact audio, honest truncates."""
        errors = [
            e.get("code") or e.get("error", {}).get("code") for e in self.engine.record.errors_sent
        ]
        if not allow_errors:
            report.check("no Realtime errors caused by our messages", not errors, errors)
        audit = self.audit()
        report.check(
            "no duplicated or replayed audio", audit.unexplained_bytes == 0, audit.unexplained_bytes
        )
        truncates = self.truncate_checks(audit)
        worst = max((abs(t.error_ms) for t in truncates), default=0.0)
        report.check(
            f"truncate audio_end_ms within {TRUNCATE_TOLERANCE_MS} ms of what was heard",
            worst <= TRUNCATE_TOLERANCE_MS,
            f"worst {worst:.1f} ms over {len(truncates)} truncates",
        )
        report.check(
            "no truncate beyond the generated audio",
            not any(t.is_beyond_generated for t in truncates),
        )
        report.check(
            "every truncate accepted",
            all(t.accepted for t in self.engine.record.truncates),
        )
        report.check(
            "phone saw only valid Twilio messages",
            not self.phone.protocol_errors,
            self.phone.protocol_errors,
        )
        report.figures.setdefault("truncate_errors_ms", [round(t.error_ms, 2) for t in truncates])
        report.figures.setdefault("heard_ms", round(self.heard_ms(), 1))
        report.figures.setdefault("items", len(self.assistant_items()))


async def dial(stack: LocalStack, **phone_options: Any) -> DialledCall:
    """Ring the server like Twilio does, open the signed stream, and find the model's session."""
    await warm_caller_speech()
    placed = await place_inbound_call(
        stack.http, stack.base_url, from_=CALLER_PHONE, to=BUSINESS_PHONE, auth_token=AUTH_TOKEN
    )
    if placed.http_status != 200 or placed.twiml.stream is None:
        raise ScenarioFailed(f"the voice webhook did not connect a stream: {placed.text[:200]}")
    sessions_before = len(stack.realtime.sessions)
    phone = simulated_call_for(
        placed, auth_token=AUTH_TOKEN, base_url=stack.base_url, **phone_options
    )
    stack.rest.register(
        placed.call_sid,
        phone,
        from_=CALLER_PHONE,
        to=BUSINESS_PHONE,
        status_callback=f"{stack.base_url}/twilio/status",
    )
    await phone.start()
    await wait_until(lambda: len(stack.realtime.sessions) > sessions_before, "Realtime session")
    return DialledCall(stack, placed, phone, stack.realtime.sessions[-1])


@dataclass
class ScenarioOptions:
    """Knobs shared by every scenario (the database, mostly)."""

    database_url: str | None = None
    seed: int = 7
    settings_overrides: dict[str, Any] = field(default_factory=dict)


Scenario = Callable[[ScenarioOptions], Coroutine[Any, Any, ScenarioReport]]


def stack_for(
    options: ScenarioOptions,
    *,
    steps: list[ScriptStep] | None = None,
    config: FakeRealtimeConfig | None = None,
    **overrides: Any,
) -> LocalStack:
    script_factory = None if steps is None else (lambda: RealtimeScript(steps=list(steps)))
    return LocalStack(
        database_url=options.database_url,
        realtime_config=config or FakeRealtimeConfig(seed=options.seed),
        script_factory=script_factory,
        settings_overrides={**options.settings_overrides, **overrides},
    )


async def stored_call(
    stack: LocalStack, call_sid: str, timeout_secs: float = 5.0
) -> dict[str, Any]:
    """The call row once it is finalised."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_secs:
        row = await stack.call_row(call_sid)
        if row is not None and row.get("end_reason"):
            return row
        await asyncio.sleep(0.05)
    raise ScenarioFailed("the call record was not finalised")


async def next_reply(call: DialledCall, speech_ms: int = 1000) -> None:
    """The caller says something; wait for the agent's answer to play out."""
    done = call.responses_done()
    call.speak(speech_ms)
    await wait_until(lambda: call.responses_done() > done, "the agent's reply", 15.0)
    await call.wait_agent_finished()


async def hang_up_and_check_barge_ins(
    stack: LocalStack, call: DialledCall, report: ScenarioReport, *, committed: int
) -> dict[str, Any]:
    """Hang up, make the common checks, and check the stored record's barge-in decisions."""
    await call.phone.hang_up()
    call.common_checks(report)
    row = await stored_call(stack, call.call_sid)
    barge_in_record_checks(report, row, len(call.phone.clears), committed=committed)
    return row


def barge_in_record_checks(
    report: ScenarioReport, row: dict[str, Any], clears: int, committed: int
) -> None:
    """The call record holds `committed` barge-ins, and every `clear` the phone got is one of
    the recorded decisions (a pause, or a commit that did not follow a pause)."""
    events: list[dict[str, Any]] = row["barge_ins"]
    done = [e for e in events if e.get("kind") == "committed"]
    report.check(f"{committed} barge-in(s) on the call record", len(done) == committed, events)
    report.check(
        "each committed barge-in says what was heard of each item cut",
        all(item["heard_ms"] >= 0 for e in done for item in e["items"]),
    )
    # A clear goes out when a suspicion sounds like speech ("cleared"), or with a commit whose
    # pause had only held audio back, and each time only if the phone still held audio.
    expected = sum(1 for e in events if e.get("clear_sent"))
    report.check(
        "every Twilio clear is a recorded decision", clears == expected, (clears, expected)
    )


def record_checks(report: ScenarioReport, row: dict[str, Any], reason: str) -> None:
    report.check(
        f"call record ended with reason {reason}", row["end_reason"] == reason, row["end_reason"]
    )
    report.check("call record has a duration", (row.get("duration_secs") or 0) > 0)
    report.figures["end_reason"] = row["end_reason"]
    report.figures["latency"] = row.get("latency")
