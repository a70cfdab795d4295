"""The simulated callers: dial the bridge, hear the greeting, ask, give a name, hear goodbye."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from agentlocator.audio.mulaw import BYTES_PER_MS
from agentlocator.simulator.local_stack import AUTH_TOKEN, BUSINESS_PHONE
from agentlocator.simulator.realtime_engine import FakeRealtimeEngine
from agentlocator.simulator.realtime_script import RealtimeScript, ScriptStep
from agentlocator.simulator.realtime_server import FakeRealtimeServer
from agentlocator.simulator.scenario_kit import ScenarioFailed, wait_until
from agentlocator.simulator.speech import synthetic_speech
from agentlocator.simulator.twilio_caller import SimulatedCall
from agentlocator.simulator.twilio_network import place_inbound_call, simulated_call_for
from agentlocator.simulator.twilio_rest import FakeTwilioRest
from tools_bench.model_side import ModelInstruments
from tools_bench.plans import CallPlan, no_tool_script, tool_script

#: How long the caller speaks each turn.
SPEECH_MS = 700
TURN_TIMEOUT_SECS = 60.0
SETUP_TIMEOUT_SECS = 30.0
WEBHOOK_ATTEMPTS = 20
#: How often a simulated caller looks at its call (its reaction time is not measured).
POLL_SECS = 0.05


class RunBroke(Exception):
    """The run itself failed (not a figure): the bench exits with code 1."""


@dataclass
class CallResult:
    call_sid: str
    completed: bool = False
    problem: str = ""
    row: dict[str, Any] = field(default_factory=dict)


@dataclass
class LiveCall:
    call_sid: str
    phone: SimulatedCall
    engine: FakeRealtimeEngine
    speech_seed: int

    def speak(self, duration_ms: int) -> None:
        self.speech_seed += 1
        self.phone.say(synthetic_speech(duration_ms, seed=self.speech_seed))


class Dialler:
    """Places calls to the bridge and finds each call's fake Realtime session.

    Voice webhooks go concurrently, as Twilio sends them (or one at a time with
    `--serial-webhooks`); a failed one is counted and retried. The fake model takes the next
    script when the bridge connects; the caller finds its session by the greeting it hears
    (every item's synthetic audio is unique).
    """

    def __init__(
        self,
        *,
        base_url: str,
        realtime: FakeRealtimeServer,
        rest: FakeTwilioRest,
        http: httpx.AsyncClient,
        instruments: ModelInstruments,
        serial_webhooks: bool,
    ) -> None:
        self.base_url = base_url
        self.realtime = realtime
        self.rest = rest
        self.http = http
        self.instruments = instruments
        self.serial_webhooks = serial_webhooks
        self.scripts: collections.deque[list[ScriptStep]] = collections.deque()
        self.webhook_lock = asyncio.Lock()
        self.webhook_failures: collections.Counter[str] = collections.Counter()
        self._claimed: set[int] = set()

    def new_phase(self) -> None:
        """Forget the sessions of earlier calls (all ended by now)."""
        self.realtime.sessions.clear()
        self._claimed.clear()

    def next_script(self) -> RealtimeScript:
        """The `script_factory` of the fake Realtime server."""
        return RealtimeScript(steps=self.scripts.popleft())

    async def dial(self, caller: str, seed: int) -> LiveCall:
        dialled = time.monotonic()
        async with self.webhook_lock if self.serial_webhooks else contextlib.nullcontext():
            problem = ""
            for _attempt in range(WEBHOOK_ATTEMPTS):
                posted = time.monotonic()
                try:
                    placed = await place_inbound_call(
                        self.http, self.base_url, from_=caller, to=BUSINESS_PHONE,
                        auth_token=AUTH_TOKEN,
                    )  # fmt: skip
                except httpx.TransportError as error:  # the client's timeout, mostly
                    problem = type(error).__name__
                else:
                    if placed.http_status == 200 and placed.twiml.stream is not None:
                        took_ms = (time.monotonic() - posted) * 1000
                        self.instruments.probe.webhook_ms.append(took_ms)
                        break
                    problem = f"HTTP {placed.http_status}"
                # Twilio would not retry: this caller hears an application error. Counted,
                # then retried so that the server still gets its load.
                self.webhook_failures[problem] += 1
                await asyncio.sleep(0.05)
            else:
                raise RunBroke(f"the voice webhook did not connect a stream: {problem}")
        phone = simulated_call_for(placed, auth_token=AUTH_TOKEN, base_url=self.base_url, seed=seed)
        self.rest.register(
            placed.call_sid, phone, from_=caller, to=BUSINESS_PHONE,
            status_callback=f"{self.base_url}/twilio/status",
        )  # fmt: skip
        await phone.start()
        try:
            await wait_until(
                lambda: phone.heard_ms_at(phone.now_ms()) >= 50,
                "the greeting",
                SETUP_TIMEOUT_SECS,
                poll_secs=0.02,
            )
        except ScenarioFailed as failed:
            raise RunBroke(f"call {placed.call_sid}: {failed}") from None
        self.instruments.probe.setup_ms.append((time.monotonic() - dialled) * 1000)
        return LiveCall(placed.call_sid, phone, self._engine_for(phone), seed)

    def _engine_for(self, phone: SimulatedCall) -> FakeRealtimeEngine:
        prefix = phone.played_audio()[: 50 * BYTES_PER_MS]
        for engine in self.realtime.sessions:
            if id(engine) in self._claimed:
                continue
            first = next((item.audio for item in engine.record.items.values() if item.audio), b"")
            if first.startswith(prefix):
                self._claimed.add(id(engine))
                return engine
        raise RunBroke(f"no fake Realtime session generated what call {phone.call_sid} heard")


def _agent_items(call: LiveCall) -> int:
    return sum(1 for item in call.engine.record.items.values() if item.audio)


def _agent_finished(call: LiveCall) -> bool:
    """No reply generating and nothing left to play (and the caller has heard something)."""
    phone = call.phone
    return (
        call.engine.active_response_id is None
        and phone.queued_ms() <= 0
        and phone.heard_ms_at(phone.now_ms()) > 0
    )


async def converse(call: LiveCall, items_before_second_turn: int) -> CallResult:
    """Hear the greeting, ask, hear the answer, give the name, wait for the agent's hang-up."""
    result = CallResult(call.call_sid)
    try:
        await wait_until(
            lambda: _agent_finished(call), "the greeting", TURN_TIMEOUT_SECS, POLL_SECS
        )
        call.speak(SPEECH_MS)
        await wait_until(
            lambda: _agent_items(call) >= items_before_second_turn and _agent_finished(call),
            f"{items_before_second_turn} agent items, played",
            TURN_TIMEOUT_SECS,
            POLL_SECS,
        )
        call.speak(SPEECH_MS)
        result.completed = await call.phone.wait_closed(TURN_TIMEOUT_SECS)
        if not result.completed:
            result.problem = "the agent did not hang up"
    except ScenarioFailed as failed:
        result.problem = str(failed)
    if not call.phone.is_closed:
        await call.phone.hang_up()
    return result


async def run_calls(
    dialler: Dialler,
    plans: Sequence[CallPlan],
    *,
    with_tools: bool,
    ramp_secs: float | None,
    seed: int,
) -> list[CallResult]:
    """All calls, started `ramp_secs / len(plans)` apart, or one after the other when
    `ramp_secs` is None."""
    dialler.scripts.extend(tool_script(p) if with_tools else no_tool_script(p) for p in plans)

    async def one(index: int, plan: CallPlan) -> CallResult:
        if ramp_secs is not None:
            await asyncio.sleep(ramp_secs * index / max(1, len(plans)))
        call = await dialler.dial(plan.caller, seed + index)
        return await converse(call, 3 if with_tools else 2)

    if ramp_secs is None:
        results = [await one(i, plan) for i, plan in enumerate(plans)]
    else:
        results = list(await asyncio.gather(*(one(i, plan) for i, plan in enumerate(plans))))
    if dialler.scripts:
        raise RunBroke(f"{len(dialler.scripts)} scripts were never used: calls and sessions differ")
    return results
